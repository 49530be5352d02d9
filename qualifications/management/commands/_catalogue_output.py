"""Shared printing for the catalogue commands."""

from django.core.management.base import CommandError

from qualifications.services import NOTHING_WRITTEN
from qualifications.validation import ERROR


def print_problems(command, problems):
    for problem in problems:
        style = command.style.ERROR if problem.severity == ERROR else command.style.WARNING
        command.stderr.write(style(str(problem)))


def refuse(command, problems, what):
    print_problems(command, problems)
    count = sum(1 for p in problems if p.severity == ERROR)
    raise CommandError(
        f"{what} refused: {count} error{'s' if count != 1 else ''} (listed above). " + NOTHING_WRITTEN
    )

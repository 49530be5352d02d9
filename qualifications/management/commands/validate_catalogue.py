"""`python manage.py validate_catalogue`: print every problem in the catalogue; exit 1 on errors."""

from django.core.management.base import BaseCommand, CommandError

from qualifications.selectors import catalogue_problems
from qualifications.validation import errors, warnings

from ._catalogue_output import print_problems


class Command(BaseCommand):
    help = "Check the catalogue in the database: errors (exit 1) and incomplete-data warnings."

    def handle(self, *args, **options):
        problems = catalogue_problems()
        print_problems(self, problems)
        found_errors, found_warnings = errors(problems), warnings(problems)
        summary = f"{len(found_errors)} error(s), {len(found_warnings)} warning(s)."
        if found_errors:
            raise CommandError(f"The catalogue is invalid: {summary}")
        self.stdout.write(self.style.SUCCESS(f"The catalogue is valid: {summary}"))

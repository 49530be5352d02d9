"""`python manage.py import_catalogue FILE`: add or update qualifications from a catalogue JSON file.

The file has the shape export_catalogue prints. Validated, all or nothing: on any error nothing is
written and the command exits non-zero, listing each problem with the record it concerns.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qualifications.services import CatalogueInvalid, catalogue_import

from ._catalogue_output import print_problems, refuse


class Command(BaseCommand):
    help = "Import qualifications from a JSON file in the export_catalogue shape (validated, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON file; '-' reads standard input")

    def handle(self, *args, file, **options):
        import sys

        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot be read: {exc}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file}: is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
                "Nothing was written."
            ) from exc
        try:
            result = catalogue_import(data=data)
        except CatalogueInvalid as exc:
            refuse(self, exc.problems, f"Import of {file}")
        print_problems(self, result["warnings"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(result['qualifications'])} qualification(s) ({', '.join(result['qualifications'])}) "
                f"and {result['units']} unit(s): {result['created']} record(s) created, {result['updated']} updated."
            )
        )

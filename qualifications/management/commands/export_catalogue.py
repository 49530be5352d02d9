"""`python manage.py export_catalogue`: the whole catalogue as JSON on stdout (import_catalogue reads it)."""

import json

from django.core.management.base import BaseCommand

from qualifications.selectors import catalogue_export


class Command(BaseCommand):
    help = "Print the whole catalogue as JSON (qualifications, units, outcomes, criteria, rules...)."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Only these qualifications (default: everything)")
        parser.add_argument("--indent", type=int, default=1)

    def handle(self, *args, codes=(), indent=1, **options):
        data = catalogue_export(codes=codes or None)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent or None))

"""`python manage.py load_catalogue`: load every catalogue fixture in fixtures/ (idempotent)."""
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the qualification catalogue from fixtures/ (safe to run again)."

    def handle(self, *args, **options):
        fixtures = sorted(Path(settings.BASE_DIR, "fixtures").glob("*.json"))
        for fixture in fixtures:
            call_command("loaddata", str(fixture), verbosity=0)
        self.stdout.write(f"Catalogue loaded from {len(fixtures)} fixture file(s).")

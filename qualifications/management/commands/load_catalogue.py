"""`python manage.py load_catalogue`: load every catalogue fixture in fixtures/, validated, all or nothing.

Files load in dependency order (4411, 2006-L3, 4430-04, then 4430-02, which uses 4430-04's units).
A file whose qualifications are already in the database is skipped, so corrections made in the admin
survive a restart; `--reload` loads every file again (putting the fixtures' data back).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qualifications.services import NO_FIXTURES, CatalogueInvalid, catalogue_load

from ._catalogue_output import print_problems, refuse


class Command(BaseCommand):
    help = "Load the qualification catalogue from fixtures/ (validated, all or nothing; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Fixture files (default: every fixtures/*.json)")
        parser.add_argument("--reload", action="store_true", help="Load files whose qualifications exist too")

    def handle(self, *args, files=(), reload=False, **options):
        base = Path(settings.BASE_DIR)
        paths = [Path(f).resolve() for f in files] or sorted((base / "fixtures").glob("*.json"))
        if not paths:
            raise CommandError(NO_FIXTURES.format(folder=base / "fixtures"))
        try:
            result = catalogue_load(paths=paths, reload=reload, base=base)
        except CatalogueInvalid as exc:
            refuse(self, exc.problems, "Loading the catalogue")
        print_problems(self, result.warnings)
        if result.loaded:
            self.stdout.write(f"Loaded {', '.join(result.loaded)}.")
        if result.skipped:
            self.stdout.write(
                f"Already loaded, skipped (use --reload to overwrite with the fixture): "
                f"{', '.join(result.skipped)}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue ready from {len(paths)} fixture file(s); {len(result.warnings)} incomplete-data warning(s)."
            )
        )

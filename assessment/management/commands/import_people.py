"""Import a centre's people (and register candidates) from a CSV or XLSX file: all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Centre, Membership, Role
from assessment import people_import


class Command(BaseCommand):
    help = (
        "Import people from a CSV (UTF-8) or XLSX file with columns "
        + ",".join(people_import.ALL_COLUMNS)
        + ". Any bad row means nothing is created; --dry-run checks everything and creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--centre", required=True, help="The centre number")
        parser.add_argument("--dry-run", action="store_true", help="Check the file; create nothing")
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            help="The centre admin the import is recorded as (default: the centre's first)",
        )

    def handle(self, *args, file, centre, dry_run, as_user, **options):
        centre_obj = Centre.objects.filter(number=centre).first()
        if centre_obj is None:
            raise CommandError(f"No centre has the number {centre}.")
        admins = Membership.objects.filter(centre=centre_obj, role=Role.CENTRE_ADMIN).select_related("user")
        if as_user:
            admins = admins.filter(user__username=as_user)
        admin = admins.order_by("created_at", "pk").first()
        if admin is None:
            raise CommandError(
                f"{'No centre admin ' + as_user if as_user else 'No centre admin'} at {centre_obj}: "
                "the import is recorded as one (create one with create_centre or the people pages)."
            )
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}.")
        with path.open("rb") as handle:
            try:
                result = people_import.people_import_file(
                    actor=admin.user, centre=centre_obj, fileobj=handle, name=path.name, dry_run=dry_run
                )
            except people_import.ImportRefused as exc:
                raise CommandError(f"{exc.message} Nothing was created.") from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) in {path.name}: nothing was created.")
        if dry_run:
            self.stdout.write(
                f"Dry run: {result.people} people and {result.registrations} registrations would be "
                "created. Nothing was created."
            )
        else:
            self.stdout.write(
                f"Imported {result.people} people and {result.registrations} registrations into "
                f"{centre_obj}; invitations sent."
            )

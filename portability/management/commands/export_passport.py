from django.core.management.base import BaseCommand, CommandError

from assessment.models import Registration
from portability import services


class Command(BaseCommand):
    help = (
        "Export a registration's signed portfolio passport (ZIP: evidence, manifest.json, forms, signature)."
    )

    def add_arguments(self, parser):
        parser.add_argument("registration_id", type=int)
        parser.add_argument("--output", required=True, help="Path of the ZIP to write")

    def handle(self, *args, registration_id, output, **options):
        registration = (
            Registration.objects.select_related("centre", "candidate", "qualification")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            raise CommandError(f"There is no registration {registration_id}.")
        try:
            with open(output, "wb") as fh:
                manifest = services.passport_export(registration=registration, actor=None, target=fh)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        self.stdout.write(
            f"Wrote {output}: {len(manifest['evidence'])} evidence items, "
            f"{len(manifest['mappings'])} assessment decisions, {len(manifest['files'])} files, "
            f"signed by centre {registration.centre.number}."
        )

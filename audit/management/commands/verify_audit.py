from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first broken row."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at row {report.broken_id}: {report.problem}. "
                f"{report.checked} rows before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} rows checked."))

import json

from django.core.management.base import BaseCommand, CommandError

from portability import credentials, selectors


class Command(BaseCommand):
    help = "Verify an Open Badges 3.0 credential (JSON): its shape, its proof and its revocation status."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as fh:
                document = json.loads(fh.read(512 * 1024 + 1))
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except ValueError as exc:
            raise CommandError(f"{file} is not JSON.") from exc
        report = credentials.verify_credential(
            document, revoked_lookup=selectors.credential_revoked, known_key_lookup=selectors.published_key
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise SystemExit(1)

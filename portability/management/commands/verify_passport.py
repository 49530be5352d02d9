import json

from django.core.management.base import BaseCommand, CommandError

from portability import passport, selectors


class Command(BaseCommand):
    help = "Verify a portfolio passport: the centre's signature and every file's SHA-256. Exit 1 if it fails."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as fh:
                report = passport.verify_passport(fh, known_public_key=selectors.published_key)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for line in report.lines():
                self.stdout.write(line)
        if not report.ok:
            raise SystemExit(1)

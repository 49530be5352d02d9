from django.core.management.base import BaseCommand, CommandError

from audit.signatures import UNKNOWN_CODE, signature_check, signature_find, signature_report


class Command(BaseCommand):
    help = "Say what a signature (by its verification code) signed and whether that content still matches."

    def add_arguments(self, parser):
        parser.add_argument("code")

    def handle(self, *args, code, **options):
        signature = signature_find(code)
        if signature is None:
            raise CommandError(UNKNOWN_CODE.format(code=code))
        check = signature_check(signature)
        for line in signature_report(check):
            self.stdout.write(line)
        if not check.matches:
            raise CommandError(f"Signature {signature.display_code}: the signed content has changed.")

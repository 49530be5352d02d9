from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"

    def ready(self):
        from . import signing

        signing.register()  # what the IV's agreement covers, for audit.signatures' check

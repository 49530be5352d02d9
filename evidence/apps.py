from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"

    def ready(self):
        # registers what a witness signature covers with audit.signatures
        from . import confirmations  # noqa: F401

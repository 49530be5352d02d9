from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"

    def ready(self):
        from accounts.demo import register_demo

        # registers what a witness signature covers with audit.signatures
        from . import confirmations, demo  # noqa: F401

        register_demo(demo.run)

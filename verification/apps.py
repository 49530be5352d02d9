from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"

    def ready(self):
        # The evidence app sits below: it learns of external verifier grants through its reader registry.
        from evidence import visibility

        from . import selectors, services

        visibility.register_reader(visibility.EvidenceReader(
            name="verification.external_verifier", condition=selectors.ev_evidence_condition,
            opened=services.ev_evidence_opened))

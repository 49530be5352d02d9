from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from evidence import visibility
        from evidence.registry import register_allowed_settings, register_trail

        from . import selectors, signing

        visibility.register_reader(visibility.EvidenceReader(
            name="assessment.staff", condition=selectors.evidence_staff_condition))
        register_allowed_settings(selectors.candidate_allowed_settings)
        register_trail("assessment.staff", selectors.evidence_trail)
        signing.register()  # what the unit signatures cover, for audit.signatures' check

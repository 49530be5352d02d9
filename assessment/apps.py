from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from evidence import visibility
        from evidence.registry import register_allowed_settings

        from . import employer, selectors, signing  # noqa: F401 (employer: what its signature covers)

        visibility.register_reader(visibility.EvidenceReader(
            name="assessment.staff", condition=selectors.evidence_staff_condition))
        register_allowed_settings(selectors.candidate_allowed_settings)
        signing.register()  # what the unit signatures cover, for audit.signatures' check

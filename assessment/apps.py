from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        # evidence sits below assessment: it learns of registrations through its registries, never an import.
        from accounts.demo import register_demo
        from evidence import registry, visibility

        from . import demo, employer, permissions, selectors, signing  # noqa: F401 (employer: what its signature covers)

        visibility.register_reader(
            visibility.EvidenceReader(name="assessment.staff", condition=selectors.evidence_staff_condition)
        )
        registry.register_allowed_settings(selectors.candidate_allowed_settings)
        registry.register_candidate_units(selectors.candidate_units)
        registry.register_registrations_visible_to(selectors.registrations_visible_to)
        registry.register_trail("assessment.staff", selectors.evidence_trail)
        signing.register()  # what the unit signatures cover, for audit.signatures' check
        permissions.register()  # the predicates' names, for templates' test_rule and user.has_perm
        register_demo(demo.run)

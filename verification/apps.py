from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"

    def ready(self):
        # Lower apps learn of verification through their registries, never an import upward: evidence of
        # external verifier grants (its reader registry), assessment of referrals and exit claims (its hooks).
        from accounts.demo import register_demo
        from assessment import hooks
        from evidence import visibility
        from evidence.registry import register_trail

        from . import demo, permissions, receivers, selectors, services, signing

        visibility.register_reader(
            visibility.EvidenceReader(
                name="verification.external_verifier",
                condition=selectors.ev_evidence_condition,
                opened=services.ev_evidence_opened,
            )
        )
        for registry, hook in (
            (hooks.sign_off_blockers, selectors.sign_off_blockers),
            (hooks.reinstate_blockers, selectors.reinstate_blockers),
            (hooks.referral_marks, selectors.referral_marks),
        ):
            if hook not in registry:
                registry.append(hook)
        register_trail("verification.external_verifier", selectors.ev_evidence_trail)
        signing.register()  # what the IV's agreement covers, for audit.signatures' check
        permissions.register()  # the predicates' names, for templates' test_rule and user.has_perm
        register_demo(demo.run)
        receivers.connect()  # the sampling pool's summary rows learn what changed (receivers.py)

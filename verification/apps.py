from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"

    def ready(self):
        # assessment (a lower app) learns of referrals and exit claims through its hooks, never an import upward
        from assessment import hooks

        from . import selectors

        for registry, hook in ((hooks.sign_off_blockers, selectors.sign_off_blockers),
                               (hooks.reinstate_blockers, selectors.reinstate_blockers),
                               (hooks.referral_marks, selectors.referral_marks)):
            if hook not in registry:
                registry.append(hook)

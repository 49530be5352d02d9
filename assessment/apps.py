from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from . import signing

        signing.register()  # what the unit signatures cover, for audit.signatures' check

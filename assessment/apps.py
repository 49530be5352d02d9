from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from evidence.registry import register_allowed_settings

        from .selectors import candidate_allowed_settings

        register_allowed_settings(candidate_allowed_settings)

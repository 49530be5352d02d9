from django.apps import AppConfig


class QualificationsConfig(AppConfig):
    name = "qualifications"

    def ready(self):
        from accounts.demo import register_demo

        from . import demo

        register_demo(demo.run)

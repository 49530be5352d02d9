from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    """Portfolios that travel: signed passports, Open Badges 3.0 credentials (above printing)."""

    name = "portability"
    verbose_name = "Portability"

    def ready(self):
        from . import signals

        signals.connect()

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The versioned REST API for the centre's MIS (the top layer beside portfolio_site)."""

    name = "api"
    verbose_name = "MIS API"

    def ready(self):
        from . import schema  # noqa: F401 - registers the token's OpenAPI description

"""What verification learns from the apps above it, filled in their AppConfig.ready() (never an upward import).

- form_pdf(slug=, registration=, unit=None, only_units=None) -> (PDF bytes, file name): the printing app
  renders the completed forms an external verifier downloads; verification decides only which forms, for
  which registration and which units.
"""

_providers = {}


def register_form_pdf(provider) -> None:
    _providers["form_pdf"] = provider


def form_pdf(*, slug: str, registration, unit=None, only_units=None) -> tuple[bytes, str]:
    provider = _providers.get("form_pdf")
    if provider is None:
        raise LookupError(
            "verification.hooks: no app has registered form_pdf (printing does, in its AppConfig.ready())"
        )
    return provider(slug=slug, registration=registration, unit=unit, only_units=only_units)

"""What the evidence app learns from the apps above it, filled in their AppConfig.ready() (never an upward import).

allowed_settings(candidate) -> (settings offered, reasons for the others) | None: the assessment app knows the
candidate's units and their setting rules (4430-04 accepts real work only, so its candidates are not offered
simulation); the upload forms offer only those and say why.
"""
_providers = {}


def register_allowed_settings(provider) -> None:
    _providers["allowed_settings"] = provider


def allowed_settings(candidate):
    provider = _providers.get("allowed_settings")
    return provider(candidate) if provider is not None else None


# trail(user, item) -> [(label, url)] | None: where the item sits for this viewer, from the registration down
# (assessment: the registration page of a centre's staff; verification: an external verifier's registration
# page). The evidence page's breadcrumbs: the first provider that answers wins.
_trail_providers: dict = {}


def register_trail(name: str, provider) -> None:
    _trail_providers[name] = provider  # by name: ready() may run twice in tests


def trail(user, item) -> list[tuple[str, str]]:
    for provider in _trail_providers.values():
        crumbs = provider(user, item)
        if crumbs:
            return crumbs
    return []

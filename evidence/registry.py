"""What the evidence app learns from the apps above it, filled in their AppConfig.ready() (never an upward import).

The assessment app holds the registrations, so it answers the questions about them:

- allowed_settings(candidate) -> (settings offered, reasons for the others) | None: the candidate's units and
  their setting rules (4430-04 accepts real work only, so its candidates are not offered simulation); the
  upload forms offer only those and say why.
- candidate_units(candidate) -> Unit queryset: the units the candidate may tag evidence with (those of their
  active registrations).
- registrations_visible_to(user) -> Registration queryset: the registrations this person may see as staff
  (the witness lists of a registration's portfolio).

Who besides the candidate may read evidence is the other registry, evidence.visibility.
"""

_providers = {}


def register_allowed_settings(provider) -> None:
    _providers["allowed_settings"] = provider


def register_candidate_units(provider) -> None:
    _providers["candidate_units"] = provider


def register_registrations_visible_to(provider) -> None:
    _providers["registrations_visible_to"] = provider


def allowed_settings(candidate):
    provider = _providers.get("allowed_settings")
    return provider(candidate) if provider is not None else None


def candidate_units(candidate):
    """The provider's Unit queryset; None while no app has registered one."""
    provider = _providers.get("candidate_units")
    return provider(candidate) if provider is not None else None


def registrations_visible_to(user):
    """The assessment app's registrations_visible_to(user); there is no registration without it."""
    provider = _providers.get("registrations_visible_to")
    if provider is None:
        raise LookupError(
            "evidence.registry: no app has registered registrations_visible_to "
            "(assessment does, in its AppConfig.ready())"
        )
    return provider(user)


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

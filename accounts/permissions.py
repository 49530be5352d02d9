"""Roles at a centre, the one lookup every app's predicates and services build on.

Two ways to ask, for two situations:
- `roles_in(user, centre_id)` reads `user.memberships.all()`: one small query per call, or none when the caller
  prefetched the memberships. The predicates use it (the person asking is the request's user).
- `holds(person, centre, *roles)` asks the database (one EXISTS query): the services use it for the people a
  form names (the assessor chosen for a registration, the verifier a sample goes to), whose memberships
  nobody prefetched.

Visibility (which rows a person sees at all) is the selectors' job, not this module's.
"""

from __future__ import annotations

from .models import Membership


def roles_in(user, centre_id) -> set[str]:
    """The roles the person holds at the centre (none for a missing or anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in user.memberships.all() if m.centre_id == centre_id}


def holds(person, centre, *roles) -> bool:
    """Whether the person holds one of `roles` at the centre, asked of the database."""
    return Membership.objects.filter(user=person, centre=centre, role__in=list(roles)).exists()

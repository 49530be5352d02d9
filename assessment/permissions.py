"""Who may do what to a registration: pure predicates over objects already loaded (no queries of their own
beyond the role memberships the user object caches).

Services call these before deciding, and views call the same functions to decide which buttons to show, so
a page never offers what the service would refuse.
"""
from __future__ import annotations

REGISTRATION_LOCKED = ("This registration is {status}: its assessment record is closed, so nothing in it can be "
                       "changed any more.")


def registration_is_open(registration) -> bool:
    """Only an active registration can change: certified (claimed) and withdrawn ones are closed for good."""
    return registration.is_open


def registration_lock_message(registration) -> str:
    """Why the registration cannot change ("" while it is open)."""
    if registration_is_open(registration):
        return ""
    return REGISTRATION_LOCKED.format(status=registration.get_status_display().lower())

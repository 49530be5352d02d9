"""The main navigation: a list of (URL name, label), each shown to whoever the access table lets reach it.

Which role sees which link is not written here: `access.allowed(url_name, roles)` decides, the same answer the
middleware gives. The menu is for people holding a role (a signed-in person without one sees none of it).
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import ROLE_DASHBOARDS, Role

from .access import allowed

DASHBOARD_LABELS = {
    Role.CANDIDATE: "My portfolio",
    Role.ASSESSOR: "Assessor",
    Role.INTERNAL_VERIFIER: "Internal verification",
    Role.CENTRE_ADMIN: "Centre admin",
    Role.EXTERNAL_VERIFIER: "External verification",
}

# Each role's home page first (in ROLE_DASHBOARDS' order), then the links; features add theirs here.
MENU: list[tuple[str, str]] = [
    *[(url_name, DASHBOARD_LABELS[role]) for role, url_name in ROLE_DASHBOARDS],
    ("qualifications:list", "Catalogue"),
    ("accounts:notifications", "Notifications"),
    ("evidence:list", "My evidence"),
    ("assessment:progress", "My progress"),
    ("assessment:caseload", "Caseload"),
    ("assessment:registration_list", "Registrations"),
    ("people:index", "People"),
    ("competence:index", "Staff competence"),
    ("printing:index", "Forms"),
]


def menu_for(roles) -> list[tuple[str, str]]:
    """The (URL name, label) entries someone signed in holding `roles` sees, in menu order."""
    if not roles:
        return []
    return [(url_name, label) for url_name, label in MENU if allowed(url_name, roles)]


def navigation(request) -> dict:
    """Context processor: `menu`, the entries of the signed-in user as {url, label, current}."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    entries = []
    for url_name, label in menu_for(user.role_set):
        url = reverse(url_name)
        entries.append({"url": url, "label": label, "current": request.path == url})
    return {"menu": entries}

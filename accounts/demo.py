"""Demo data for the foundation: one centre, one user per role. Idempotent."""

from django.db import transaction

from .models import Centre, Membership, Role, User

DEMO_PASSWORD = "demo-pass-2026"
DEMO_CENTRE = {
    "number": "DEMO01",
    "name": "Riverside Training Centre",
    "address": "1 River Street, Leeds LS1 1AA",
}
DEMO_USERS = [
    # username, first, last, roles
    ("candidate", "Cara", "Candidate", [Role.CANDIDATE]),
    ("assessor", "Adam", "Assessor", [Role.ASSESSOR]),
    ("iv", "Ivy", "Verifier", [Role.INTERNAL_VERIFIER]),
    ("admin", "Alice", "Admin", [Role.CENTRE_ADMIN]),
    ("ev", "Evan", "External", [Role.EXTERNAL_VERIFIER]),
]

# Each app's demo step, run(stdout=None) -> {"logins": [...]} | None, registered in its AppConfig.ready() so
# that accounts never names the apps above it. The steps run in the order the apps became ready: the order of
# INSTALLED_APPS, lowest layer first (accounts' own step first, then qualifications, evidence, ...).
DEMO_STEPS: list = []


def register_demo(step) -> None:
    """Add one app's demo step (once: ready() may run twice in tests)."""
    if step not in DEMO_STEPS:
        DEMO_STEPS.append(step)


@transaction.atomic
def run(stdout=None):
    centre, _ = Centre.objects.get_or_create(number=DEMO_CENTRE["number"], defaults=DEMO_CENTRE)
    logins = []
    for username, first, last, roles in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for role in roles:
            Membership.objects.get_or_create(user=user, centre=centre, role=role)
        logins.append((", ".join(Role(r).label for r in roles), username))
    return {"centre": centre, "logins": logins}

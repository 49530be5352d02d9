"""Writes for accounts: sign-in bookkeeping, centres and memberships.

Failed sign-ins are counted by django-axes (AccessAttempt rows, keyed on username and client address) and
in the audit app's daily counters, not one permanent audit row each: anybody can make them.
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record

from .models import Centre, Membership, Notification, User


@transaction.atomic
def login_success_record(*, user: User, ip_address: str | None, door: str = "site") -> None:
    """A completed sign-in; `door` is "site" or "admin" (the Django admin's own sign-in page)."""
    audit_record(actor=user, action=Action.LOGIN, obj=user, details={"ip": ip_address, "door": door})


@transaction.atomic
def logout_record(*, user: User, ip_address: str | None) -> None:
    audit_record(actor=user, action=Action.LOGOUT, obj=user, details={"ip": ip_address})


@transaction.atomic
def password_change_record(*, user: User, ip_address: str | None) -> None:
    audit_record(actor=user, action=Action.PASSWORD_CHANGE, obj=user, details={"ip": ip_address})


@transaction.atomic
def password_reset_complete(*, user: User, ip_address: str | None) -> None:
    """A reset proves the person holds the mailbox: lift every sign-in lock on the username."""
    lifted = axes_reset(username=user.get_username())
    audit_record(
        actor=user,
        action=Action.PASSWORD_RESET,
        obj=user,
        details={"ip": ip_address, "lockouts_lifted": lifted},
    )


@transaction.atomic
def centre_create(*, actor, name: str, number: str, address: str = "") -> Centre:
    centre = Centre(name=name, number=number, address=address)
    centre.full_clean()
    centre.save()
    audit_record(actor=actor, action=Action.CENTRE_CREATE, obj=centre, centre=centre)
    return centre


@transaction.atomic
def membership_grant(*, actor, user: User, centre: Centre, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, centre=centre, role=role)
    if created:
        audit_record(
            actor=actor, action=Action.MEMBERSHIP_GRANT, obj=membership, centre=centre, details={"role": role}
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor, user: User, centre: Centre, role: str) -> None:
    deleted, _ = Membership.objects.filter(user=user, centre=centre, role=role).delete()
    if deleted:
        audit_record(
            actor=actor, action=Action.MEMBERSHIP_REVOKE, centre=centre, obj=user, details={"role": role}
        )


# --- notifications ----------------------------------------------------------------------------------
def notify(*, user, kind: str, text: str, url: str, email: bool = True) -> None:
    """Tell `user` of an event once the surrounding transaction commits: a row in their in-app list and,
    when they have an address, an email with the same words and link. Callers run inside the transaction
    of the change; a rolled-back change tells nobody."""

    def send():
        Notification.objects.create(user=user, kind=kind, text=text[:300], url=url[:300])
        if email and user.email:
            link = f"{settings.SITE_URL.rstrip('/')}{url}"
            send_mail(
                subject=text[:150],
                message=f"{text}\n\n{link}\n",
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )

    transaction.on_commit(send)


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

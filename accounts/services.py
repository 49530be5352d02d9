"""Writes for accounts: sign-in bookkeeping, throttling, centres and memberships."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record

from .models import Centre, LoginFailure, Membership, User

THROTTLED_MESSAGE = (
    "Too many failed sign-in attempts. Wait {minutes} minutes and try again, or reset your password."
)


def _window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


@transaction.atomic
def login_failure_record(*, username: str, ip_address: str | None, throttled: bool = False) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address)
    audit_record(
        actor=None,
        action="login_throttled" if throttled else "login_failed",
        details={"username": username[:150], "ip": ip_address},
    )


@transaction.atomic
def login_success_record(*, user: User, ip_address: str | None) -> None:
    LoginFailure.objects.filter(username__iexact=user.get_username()).delete()
    audit_record(actor=user, action="login", obj=user, details={"ip": ip_address})


@transaction.atomic
def centre_create(*, actor, name: str, number: str, address: str = "") -> Centre:
    centre = Centre(name=name, number=number, address=address)
    centre.full_clean()
    centre.save()
    audit_record(actor=actor, action="centre_create", obj=centre, centre=centre)
    return centre


@transaction.atomic
def membership_grant(*, actor, user: User, centre: Centre, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, centre=centre, role=role)
    if created:
        audit_record(actor=actor, action="membership_grant", obj=membership, centre=centre, details={"role": role})
    return membership


@transaction.atomic
def membership_revoke(*, actor, user: User, centre: Centre, role: str) -> None:
    deleted, _ = Membership.objects.filter(user=user, centre=centre, role=role).delete()
    if deleted:
        audit_record(
            actor=actor, action="membership_revoke", centre=centre, obj=user, details={"role": role}
        )


# --- notifications ----------------------------------------------------------------------------------
def notify(*, user, kind: str, text: str, url: str, email: bool = True) -> None:
    """Tell `user` of an event once the surrounding transaction commits: a row in their in-app list and,
    when they have an address, an email with the same words and link. Callers run inside the transaction
    of the change; a rolled-back change tells nobody."""
    from .models import Notification

    def send():
        Notification.objects.create(user=user, kind=kind, text=text[:300], url=url[:300])
        if email and user.email:
            from django.core.mail import send_mail

            link = f"{settings.SITE_URL.rstrip('/')}{url}"
            send_mail(subject=text[:150], message=f"{text}\n\n{link}\n", from_email=None,
                      recipient_list=[user.email], fail_silently=True)

    transaction.on_commit(send)


@transaction.atomic
def notifications_mark_read(*, user) -> int:
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())

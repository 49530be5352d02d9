"""Writes for the people screens: people, roles, activation and invitations. Each is atomic and audited;
invitation emails go out only once the transaction has committed."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, Membership, Role, User
from accounts.services import membership_grant, membership_revoke
from audit.actions import Action
from audit.services import audit_record

from .selectors import CENTRE_ROLES
from .tokens import invitation_token

# --- messages a user can meet (tests import them) ---------------------------------------------------
NOT_CENTRE_ADMIN = "Only a centre admin of this centre can do this."
USERNAME_TAKEN = "The username {username} is already taken: choose another."
EMAIL_TAKEN = "{email} already belongs to another account: each person needs their own email address."
EMAIL_REQUIRED = "Enter an email address: the invitation to set a password goes there."
NO_ROLES = "Choose at least one role at this centre."
UNKNOWN_ROLE = "{role} is not a role a centre admin can give (choose from {choices})."
OWN_ADMIN_ROLE = "You cannot revoke your own centre admin role: ask another centre admin."
DEACTIVATE_SELF = "You cannot deactivate yourself."
OTHER_CENTRES = (
    "{person} also holds roles at another centre, so deactivating them would lock them out there "
    "too: revoke their roles at this centre instead."
)
ALREADY_INACTIVE = "{person} is already deactivated."
ALREADY_ACTIVE = "{person} is already active."
INACTIVE_NO_INVITATION = "{person} is deactivated: reactivate them before sending an invitation."
ALREADY_ACCEPTED = "{person} has already set a password; they can use 'Forgotten your password?' if needed."
NO_PENDING_INVITATION = "{person} has no invitation waiting to be accepted."
NO_SUCH_PERSON = (
    "No account has that username and that email address together: check both with the person, "
    "or create them as a new person."
)
ALREADY_HERE = "{person} already holds those roles here."


def _raise(message, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


def _require_admin(actor, centre):
    if (
        actor is None
        or not Membership.objects.filter(user=actor, centre=centre, role=Role.CENTRE_ADMIN).exists()
    ):
        _raise(NOT_CENTRE_ADMIN)


def username_suggest(first_name: str, last_name: str, *, taken=()) -> str:
    """first.last in plain lower-case letters, numbered when already taken (in the database or `taken`)."""

    def plain(text):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "", text.lower())

    base = ".".join(part for part in (plain(first_name), plain(last_name)) if part)[:140] or "person"
    taken_lower = {t.lower() for t in taken}
    candidate, n = base, 1
    while candidate in taken_lower or User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _check_identity(*, username, email, exclude_pk=None):
    if not email:
        _raise(EMAIL_REQUIRED)
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if username is not None and others.filter(username__iexact=username).exists():
        _raise(USERNAME_TAKEN, username=username)
    if others.filter(email__iexact=email).exists():
        _raise(EMAIL_TAKEN, email=email)


def _check_roles(roles):
    roles = list(dict.fromkeys(roles))
    if not roles:
        _raise(NO_ROLES)
    allowed = [r.value for r in CENTRE_ROLES]
    for role in roles:
        if role not in allowed:
            _raise(UNKNOWN_ROLE, role=role, choices=", ".join(allowed))
    return roles


@transaction.atomic
def person_create(
    *,
    actor,
    centre,
    first_name: str,
    last_name: str,
    email: str,
    username: str,
    roles,
    candidate_number: str = "",
    invite: bool = True,
    check_admin: bool = True,
) -> User:
    """Create a person holding `roles` at `centre`, without a password; invite them to set one."""
    if check_admin:
        _require_admin(actor, centre)
    roles = _check_roles(roles)
    email = email.strip()
    _check_identity(username=username, email=email)
    person = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        candidate_number=candidate_number.strip() if Role.CANDIDATE in roles else "",
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    Membership.objects.bulk_create([Membership(user=person, centre=centre, role=role) for role in roles])
    audit_record(
        actor=actor,
        action=Action.PERSON_CREATED,
        obj=person,
        centre=centre,
        details={
            "username": person.username,
            "email": email,
            "roles": roles,
            "candidate_number": person.candidate_number,
        },
    )
    if invite:
        invitation_send(actor=actor, person=person, centre=centre, check_admin=False)
    return person


@transaction.atomic
def person_add_existing(*, actor, centre, username: str, email: str, roles) -> User:
    """Give roles here to someone who already has an account (at another centre, say).

    Both the username and the email must match the same account, so an admin cannot fish for other centres'
    people by email alone; the answer is the same whether no account or a different one matched.
    """
    _require_admin(actor, centre)
    roles = _check_roles(roles)
    person = User.objects.filter(username__iexact=username.strip(), email__iexact=email.strip()).first()
    if person is None or not email.strip():
        _raise(NO_SUCH_PERSON)
    held = {m.role for m in Membership.objects.filter(user=person, centre=centre)}
    if set(roles) <= held:
        _raise(ALREADY_HERE, person=person)
    for role in roles:
        membership_grant(actor=actor, user=person, centre=centre, role=role)
    return person


@transaction.atomic
def person_update(
    *, actor, centre, person, first_name: str, last_name: str, email: str, candidate_number: str = ""
) -> User:
    _require_admin(actor, centre)
    email = email.strip()
    _check_identity(username=None, email=email, exclude_pk=person.pk)
    person = User.objects.select_for_update().get(pk=person.pk)
    new = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email,
        "candidate_number": candidate_number.strip(),
    }
    changes = {k: [getattr(person, k), v] for k, v in new.items() if getattr(person, k) != v}
    if not changes:
        return person
    for field, value in new.items():
        setattr(person, field, value)
    person.full_clean()
    person.save(update_fields=list(changes))
    audit_record(
        actor=actor, action=Action.PERSON_UPDATED, obj=person, centre=centre, details={"changes": changes}
    )
    return person


@transaction.atomic
def role_add(*, actor, centre, person, role: str) -> Membership:
    _require_admin(actor, centre)
    _check_roles([role])
    return membership_grant(actor=actor, user=person, centre=centre, role=role)


@transaction.atomic
def role_revoke(*, actor, centre, person, role: str) -> None:
    """Takes effect at once: every page, file, sample and grant checks the memberships held now."""
    _require_admin(actor, centre)
    if role == Role.CENTRE_ADMIN and person.pk == actor.pk:
        _raise(OWN_ADMIN_ROLE)
    membership_revoke(actor=actor, user=person, centre=centre, role=role)


@transaction.atomic
def person_deactivate(*, actor, centre, person) -> User:
    """A deactivated person cannot sign in; what they signed stays signed and attributed to them."""
    _require_admin(actor, centre)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.pk == actor.pk:
        _raise(DEACTIVATE_SELF)
    if not person.is_active:
        _raise(ALREADY_INACTIVE, person=person)
    if Membership.objects.filter(user=person).exclude(centre=centre).exists():
        _raise(OTHER_CENTRES, person=person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    audit_record(actor=actor, action=Action.PERSON_DEACTIVATED, obj=person, centre=centre)
    return person


@transaction.atomic
def person_reactivate(*, actor, centre, person) -> User:
    _require_admin(actor, centre)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active:
        _raise(ALREADY_ACTIVE, person=person)
    person.is_active = True
    person.save(update_fields=["is_active"])
    audit_record(actor=actor, action=Action.PERSON_REACTIVATED, obj=person, centre=centre)
    return person


# --- invitations ------------------------------------------------------------------------------------
def invitation_link(invitation) -> str:
    """The absolute link in the email: SITE_URL + the accept page for this invitation's token."""
    path = reverse(
        "invitations:accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(invitation.pk)),
            "token": invitation_token.make_token(invitation),
        },
    )
    return f"{settings.SITE_URL}{path}"


def _email_invitation(invitation_pk):
    invitation = Invitation.objects.select_related("user", "centre").get(pk=invitation_pk)
    context = {
        "invitation": invitation,
        "person": invitation.user,
        "centre": invitation.centre,
        "link": invitation_link(invitation),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    send_mail(
        subject=f"Your portfolio account at {invitation.centre.name}",
        message=render_to_string("accounts/invitations/email.txt", context),
        from_email=None,
        recipient_list=[invitation.user.email],
    )


@transaction.atomic
def invitation_send(*, actor, person, centre, check_admin: bool = True) -> Invitation:
    """Send (or send again) an invitation; every earlier link of this person stops working."""
    if check_admin:
        _require_admin(actor, centre)
    if not person.is_active:
        _raise(INACTIVE_NO_INVITATION, person=person)
    if person.has_usable_password():
        _raise(ALREADY_ACCEPTED, person=person)
    now = timezone.now()
    Invitation.objects.filter(user=person, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation = Invitation.objects.create(
        user=person, centre=centre, invited_by=actor if isinstance(actor, User) else None, sent_at=now
    )
    audit_record(
        actor=actor,
        action=Action.INVITATION_SENT,
        obj=person,
        centre=centre,
        details={"invitation": invitation.pk, "email": person.email},
    )
    transaction.on_commit(lambda: _email_invitation(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, person, centre) -> None:
    _require_admin(actor, centre)
    revoked = Invitation.objects.filter(
        user=person, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not revoked:
        _raise(NO_PENDING_INVITATION, person=person)
    audit_record(actor=actor, action=Action.INVITATION_REVOKED, obj=person, centre=centre)


@transaction.atomic
def invitation_accept(*, invitation, password: str) -> User:
    """Set the password the invitation asked for; the link (and any other pending one) is used up."""
    person = User.objects.select_for_update().get(pk=invitation.user_id)
    person.set_password(password)
    person.save(update_fields=["password"])
    now = timezone.now()
    Invitation.objects.filter(user=person, accepted_at__isnull=True, revoked_at__isnull=True).update(
        accepted_at=now
    )
    audit_record(
        actor=person,
        action=Action.INVITATION_ACCEPTED,
        obj=person,
        centre=invitation.centre,
        details={"invitation": invitation.pk},
    )
    return person


def invitation_request_new(*, email: str) -> None:
    """Someone whose link failed asks for a new one. Sent only to an active person still without a
    password who was invited before; the page answers the same either way (no account probing)."""
    person = (
        User.objects.filter(email__iexact=email.strip(), is_active=True).first() if email.strip() else None
    )
    if person is None or person.has_usable_password():
        return
    last = person.invitations.select_related("centre").order_by("-sent_at", "-id").first()
    if last is None or last.revoked_at:  # the newest is revoked only by a centre admin, never by a resend
        return
    invitation_send(actor=None, person=person, centre=last.centre, check_admin=False)

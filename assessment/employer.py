"""The employer confirms the summary of unit achievement themselves, by a link, without an account.

The assessor (or a centre admin) names the employer and their email; the employer gets a link that works once,
until it expires, unless a newer request replaced it (the same link mechanism as witnesses: evidence/links.py).
They see the candidate, the qualification and the achieved units they are asked about, and nothing else; they
confirm with their name, job title and the logbook's statement, or decline. A confirmation is a signature
(audit.signatures) over that content; each request, confirmation and decline is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.dates import DATE
from audit.services import audit_record
from audit.signatures import STATEMENTS, Kind, register_content, signature_record
from evidence import links
from evidence.links import LinkRefused  # noqa: F401 (the views catch it from here)

from . import permissions
from .models import EmployerConfirmation, UnitAssessment

ERR_NOT_ALLOWED = (
    "Only the candidate's assessor or a centre admin can ask the employer to confirm the summary."
)
ERR_NO_UNITS = (
    "No unit of this registration is signed off yet: the employer confirms the work of achieved "
    "units, so ask once a unit is signed."
)
ERR_NAME_EMAIL = "Give the employer's name and email address: the confirmation link goes there."
ERR_DECLARATION = "Tick the statement to confirm it."
ERR_NAME = links.ERR_NAME
LINK_UNKNOWN = (
    "This link is not valid. If someone asked you to confirm a candidate's work as their employer, "
    "ask them to send you a new link."
)

AUDIT_REQUESTED = Action.EMPLOYER_CONFIRMATION_REQUESTED
AUDIT_CONFIRMED = Action.EMPLOYER_CONFIRMATION_CONFIRMED
AUDIT_DECLINED = Action.EMPLOYER_CONFIRMATION_DECLINED


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _contact(confirmation: EmployerConfirmation) -> str:
    registration = confirmation.registration
    return f"{_name(registration.assessor)} or {registration.centre.name}"


def confirmation_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('assessment:employer_confirm', args=[token])}"


def achieved_units(registration) -> list[UnitAssessment]:
    """The registration's signed units, with their unit, in unit order."""
    return list(
        UnitAssessment.objects.filter(registration=registration, status=UnitAssessment.Status.SIGNED)
        .select_related("unit")
        .order_by("unit__number", "unit__ref")
    )


def confirmation_content(confirmation: EmployerConfirmation) -> dict:
    """What the employer signs: the candidate, the qualification and each unit asked about with its sign-off as
    it stands now (a unit reopened after the confirmation no longer matches), and who confirmed."""
    registration = confirmation.registration
    signed = {
        ua.unit_id: ua
        for ua in UnitAssessment.objects.filter(registration=registration, unit__in=confirmation.units.all())
    }
    units = []
    for unit in sorted(confirmation.units.all(), key=lambda u: (u.number, u.ref)):
        ua = signed.get(unit.pk)
        achieved = (
            timezone.localtime(ua.signed_at).date().isoformat()
            if ua and ua.status == UnitAssessment.Status.SIGNED
            else ""
        )
        units.append({"unit": unit.ref, "title": unit.title, "achieved": achieved})
    return {
        "candidate": _name(registration.candidate),
        "candidate_number": registration.candidate_number,
        "qualification": registration.qualification.code,
        "registration": registration.pk,
        "centre": registration.centre.name,
        "units": units,
        "employer": confirmation.confirmed_name,
        "job_title": confirmation.confirmed_job_title,
        "organisation": confirmation.organisation,
    }


def _rebuild(signature):
    confirmation = (
        EmployerConfirmation.objects.select_related(
            "registration__candidate", "registration__qualification", "registration__centre"
        )
        .filter(pk=int(signature.object_id))
        .first()
    )
    return confirmation_content(confirmation) if confirmation is not None else None


register_content(Kind.EMPLOYER, _rebuild)


@transaction.atomic
def employer_confirmation_request(
    *, registration, actor, employer_name: str, email: str, organisation: str = ""
) -> tuple[EmployerConfirmation, str]:
    """Email the employer a single-use link to confirm the registration's achieved units; earlier open requests
    stop working. Returns the request and the token (only its SHA-256 is stored)."""
    if not permissions.can_request_employer_confirmation(actor, registration):
        raise ValidationError(ERR_NOT_ALLOWED)
    employer_name, email = (employer_name or "").strip(), (email or "").strip()
    if not employer_name or not email:
        raise ValidationError(ERR_NAME_EMAIL)
    units = [ua.unit for ua in achieved_units(registration)]
    if not units:
        raise ValidationError(ERR_NO_UNITS)
    links.withdraw_open(EmployerConfirmation.objects.filter(registration=registration))
    token, token_hash = links.token_new()
    confirmation = EmployerConfirmation(
        registration=registration,
        employer_name=employer_name,
        email=email,
        organisation=(organisation or "").strip(),
        token_hash=token_hash,
        requested_by=actor,
        expires_at=links.link_expiry(),
    )
    confirmation.full_clean()
    confirmation.save()
    confirmation.units.set(units)
    audit_record(
        actor=actor,
        action=AUDIT_REQUESTED,
        obj=confirmation,
        centre=registration.centre,
        details={
            "registration": registration.pk,
            "employer": employer_name,
            "email": email,
            "units": [u.ref for u in units],
            "expires_at": confirmation.expires_at,
        },
    )
    candidate = _name(registration.candidate)
    subject = f"Please confirm {candidate}'s work as their employer"
    body = (
        f"Dear {employer_name},\n\n{registration.centre.name} asks you, as {candidate}'s employer, to confirm "
        f"the summary of unit achievement of their {registration.qualification.code} "
        f"{registration.qualification.title}: that they personally completed the work as part of their "
        f"regular duties in the workplace.\n\nOpen this link to read what you are asked to confirm, then "
        f"confirm or decline it. You do not need an account. The link works once and expires on "
        f"{timezone.localtime(confirmation.expires_at):{DATE}}.\n\n{confirmation_link(token)}\n\n"
        f"If you did not expect this email, you can ignore it.\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return confirmation, token


def request_for_token(token: str, *, for_update: bool = False) -> EmployerConfirmation:
    """The open request a link stands for, or LinkRefused saying why not and who to contact."""
    qs = EmployerConfirmation.objects.select_related(
        "registration__candidate",
        "registration__qualification",
        "registration__centre",
        "registration__assessor",
    )
    return links.link_for_token(
        qs, token, unknown=LINK_UNKNOWN, contact_of=_contact, what="confirmation", for_update=for_update
    )


@transaction.atomic
def employer_confirm(
    *, token: str, name: str, job_title: str, declared: bool, client_ip: str | None = None
) -> EmployerConfirmation:
    """The employer confirms with their name, job title and the statement: one signature, audited."""
    confirmation = request_for_token(token, for_update=True)
    name, job_title = links.signer_details(name, job_title, declared, not_declared=ERR_DECLARATION)
    now = timezone.now()
    confirmation.confirmed_name, confirmation.confirmed_job_title = name, job_title
    signature = signature_record(
        kind=Kind.EMPLOYER,
        obj=confirmation,
        content=confirmation_content(confirmation),
        signer_name=name,
        job_title=job_title,
        client_ip=client_ip,
        centre=confirmation.registration.centre,
        signed_at=now,
    )
    confirmation.signature, confirmation.used_at = signature, now
    confirmation.outcome = EmployerConfirmation.Outcome.CONFIRMED
    confirmation.save(
        update_fields=["confirmed_name", "confirmed_job_title", "signature", "used_at", "outcome"]
    )
    audit_record(
        actor=f"employer {name} (no account)",
        action=AUDIT_CONFIRMED,
        obj=confirmation,
        centre=confirmation.registration.centre,
        details={
            "registration": confirmation.registration_id,
            "name": name,
            "job_title": job_title,
            "client_ip": client_ip,
            "signature": signature.code,
            "statement": STATEMENTS[Kind.EMPLOYER],
        },
    )
    return confirmation


@transaction.atomic
def employer_decline(*, token: str, reason: str = "", client_ip: str | None = None) -> EmployerConfirmation:
    """The employer declines, with their reason; nothing is signed. Audited."""
    confirmation = request_for_token(token, for_update=True)
    confirmation.used_at, confirmation.outcome = timezone.now(), EmployerConfirmation.Outcome.DECLINED
    confirmation.decline_reason = (reason or "").strip()
    confirmation.save(update_fields=["used_at", "outcome", "decline_reason"])
    audit_record(
        actor=f"employer {confirmation.employer_name} (no account)",
        action=AUDIT_DECLINED,
        obj=confirmation,
        centre=confirmation.registration.centre,
        details={
            "registration": confirmation.registration_id,
            "reason": confirmation.decline_reason,
            "client_ip": client_ip,
        },
    )
    return confirmation

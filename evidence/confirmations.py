"""Witnesses confirm their testimony themselves, by a link, without an account.

The candidate (or a member of the centre's staff) sends the request; the witness gets an email with a link that
works once, until it expires, unless a newer request or a withdrawal replaced it. Only the SHA-256 of the link's
token is stored. The witness sees the request (the candidate, the activity, the criteria offered) and nothing
else; they may correct or write the statement, then confirm with their name, job title and the declaration, or
decline. Each confirmation is a signature (audit.signatures) over the testimony as confirmed; each confirmation
and decline is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from audit.actions import Action
from audit.dates import DATE
from audit.services import audit_record
from audit.signatures import STATEMENTS, Kind, register_content, signature_record

from . import links, revisions
from .links import LINK_EXPIRED, LINK_USED, LINK_WITHDRAWN, RATE_LIMITED, LinkRefused  # noqa: F401 (messages)
from .models import EvidenceItem, WitnessRequest, WitnessTestimony

ERR_NO_EMAIL = "Give the witness's email address: the confirmation link goes there."
ERR_NOT_ALLOWED = "Only the candidate or their centre's staff can ask a witness to confirm testimony."
ERR_ALREADY_CONFIRMED = "{name} has already confirmed this testimony."
ERR_DELETED = "This testimony has been deleted."
ERR_DECLARATION = "Tick the declaration to confirm the testimony."
ERR_NAME = links.ERR_NAME
ERR_EMPTY = "Write the statement: what you saw the candidate do."
ERR_TEXT_LOCKED = (
    "The assessor has already used this testimony, so its text can no longer change: confirm it as "
    "it is, or decline it and say what is wrong."
)
# A forged link knows nobody, so it names nobody.
LINK_UNKNOWN = (
    "This link is not valid. If someone asked you to confirm witness testimony, ask them to send you "
    "a new link."
)
LINK_GONE = "The testimony this link was for has been deleted. Ask {contact} if you think this is a mistake."

AUDIT_REQUESTED = Action.WITNESS_CONFIRMATION_REQUESTED
AUDIT_CONFIRMED = Action.WITNESS_TESTIMONY_CONFIRMED
AUDIT_DECLINED = Action.WITNESS_TESTIMONY_DECLINED
AUDIT_WITHDRAWN = Action.WITNESS_CONFIRMATION_WITHDRAWN


def _contact(testimony: WitnessTestimony) -> str:
    candidate = testimony.evidence.candidate
    name = candidate.get_full_name() or candidate.get_username()
    return f"{name} or {testimony.evidence.centre.name}"


def confirmation_link(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('evidence:witness_confirm', args=[token])}"


def signature_kind(testimony: WitnessTestimony) -> str:
    """An expert witness signs the expert witness statement; anyone else the witness declaration."""
    return Kind.EXPERT_WITNESS if testimony.witness.is_expert else Kind.WITNESS


def testimony_content(testimony: WitnessTestimony) -> dict:
    """What a witness signs: the testimony's evidence (its revision, text, file) and the criteria it is for; an
    expert witness's occupational expertise too."""
    item = testimony.evidence
    expert = {"expertise": testimony.witness.expertise} if testimony.witness.is_expert else {}
    return expert | {
        "candidate": item.candidate.get_full_name() or item.candidate.get_username(),
        "evidence": item.pk,
        "revision": item.revision,
        "title": item.title,
        "activity_date": item.activity_date.isoformat() if item.activity_date else "",
        "statement": item.statement_text,
        "file_sha256": item.sha256,
        "criteria": sorted(f"{c.unit.ref} {c.ref}" for c in testimony.criteria.select_related("unit")),
        "witness": testimony.confirmed_name,
        "job_title": testimony.confirmed_job_title,
    }


def _rebuild(signature):
    testimony = (
        WitnessTestimony.objects.select_related("evidence__candidate", "witness")
        .filter(pk=int(signature.object_id))
        .first()
    )
    return testimony_content(testimony) if testimony is not None else None


register_content(Kind.WITNESS, _rebuild)
register_content(Kind.EXPERT_WITNESS, _rebuild)


def _may_request(actor, item: EvidenceItem) -> bool:
    if item.candidate_id == actor.pk:
        return True
    return Membership.objects.filter(
        user=actor, centre=item.centre_id, role__in=[Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]
    ).exists()


@transaction.atomic
def witness_confirmation_request(
    *, testimony: WitnessTestimony, actor, email: str = "", submission_token: str = ""
) -> tuple[WitnessRequest, str]:
    """Email the witness a single-use link; earlier open links for this testimony stop working. Returns the
    request and the token (the token itself is never stored).

    `submission_token` is the page's idempotency token: the button pressed again from the same page (Back, then
    press again) returns the request it sent, marked `resubmitted`, with no token, and sends nothing, so the link
    the witness already has keeps working."""
    testimony = (
        WitnessTestimony.objects.select_for_update()
        .select_related("witness", "evidence__centre", "evidence__candidate")
        .get(pk=testimony.pk)
    )
    item = testimony.evidence
    if not _may_request(actor, item):
        raise ValidationError(ERR_NOT_ALLOWED)
    if item.deleted_at is not None:
        raise ValidationError(ERR_DELETED)
    if submission_token and (sent := testimony.requests.filter(submission_token=submission_token).first()):
        sent.resubmitted = True
        return sent, ""
    if testimony.confirmed_at:
        raise ValidationError(ERR_ALREADY_CONFIRMED.format(name=testimony.confirmed_name))
    email = (email or testimony.witness.email or "").strip()
    if not email:
        raise ValidationError({"email": ERR_NO_EMAIL})
    links.withdraw_open(WitnessRequest.objects.filter(testimony=testimony))
    token, token_hash = links.token_new()
    request = WitnessRequest(
        testimony=testimony,
        email=email,
        token_hash=token_hash,
        requested_by=actor,
        expires_at=links.link_expiry(),
        submission_token=submission_token or "",
    )
    request.full_clean()
    request.save()
    if testimony.declined_at:  # asked again after a decline: the new request starts afresh
        WitnessTestimony.objects.filter(pk=testimony.pk).update(declined_at=None, decline_reason="")
    audit_record(
        actor=actor,
        action=AUDIT_REQUESTED,
        obj=testimony,
        centre=item.centre,
        details={
            "evidence": item.pk,
            "witness": testimony.witness.name,
            "email": email,
            "expires_at": request.expires_at,
        },
    )
    link = confirmation_link(token)
    candidate = item.candidate.get_full_name() or item.candidate.get_username()
    what = "expert witness statement" if testimony.witness.is_expert else "witness testimony"
    subject = f"Please confirm your {what} for {candidate}"
    body = (
        f"Dear {testimony.witness.name},\n\n{candidate} ({item.centre.name}) has asked you to confirm "
        f"{what} about their work: “{item.title}”.\n\nOpen this link to read it, correct or write "
        f"it, and confirm or decline it. You do not need an account. The link works once and expires on "
        f"{timezone.localtime(request.expires_at):{DATE}}.\n\n{link}\n\nIf you did not expect this email, "
        f"you can ignore it.\n"
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return request, token


@transaction.atomic
def witness_confirmation_withdraw(*, testimony: WitnessTestimony, actor) -> int:
    """Withdraw the open links of a testimony (the candidate or staff); returns how many."""
    testimony = WitnessTestimony.objects.select_related("evidence__centre").get(pk=testimony.pk)
    if not _may_request(actor, testimony.evidence):
        raise ValidationError(ERR_NOT_ALLOWED)
    count = links.withdraw_open(WitnessRequest.objects.filter(testimony=testimony))
    if count:
        audit_record(
            actor=actor,
            action=AUDIT_WITHDRAWN,
            obj=testimony,
            centre=testimony.evidence.centre,
            details={"links": count},
        )
    return count


def request_for_token(token: str, *, for_update: bool = False) -> WitnessRequest:
    """The request a link stands for, or LinkRefused saying why not and who to contact."""
    qs = WitnessRequest.objects.select_related(
        "testimony__evidence__candidate", "testimony__evidence__centre", "testimony__witness"
    )
    request = links.link_for_token(
        qs,
        token,
        unknown=LINK_UNKNOWN,
        contact_of=lambda r: _contact(r.testimony),
        what="testimony",
        for_update=for_update,
    )
    contact = _contact(request.testimony)
    if request.testimony.evidence.deleted_at is not None:
        raise LinkRefused(LINK_GONE.format(contact=contact))
    return request


@transaction.atomic
def witness_confirm(
    *,
    token: str,
    name: str,
    job_title: str,
    statement_text: str,
    declared: bool,
    client_ip: str | None = None,
) -> WitnessTestimony:
    """The witness confirms (after correcting or writing the statement, if they wish). One signature, audited."""
    request = request_for_token(token, for_update=True)
    name, job_title = links.signer_details(name, job_title, declared, not_declared=ERR_DECLARATION)
    testimony = request.testimony
    item = (
        EvidenceItem.objects.select_for_update()
        .select_related("candidate", "centre")
        .get(pk=testimony.evidence_id)
    )
    text = (statement_text or "").replace("\r\n", "\n").strip()
    if not text and not item.file:
        raise ValidationError(ERR_EMPTY)
    now = timezone.now()
    corrected = text != item.statement_text.strip()
    if corrected:
        if item.locked_at is not None:
            raise ValidationError(ERR_TEXT_LOCKED)
        before = revisions.evidence_content(item)
        item.statement_text = text
        revisions.evidence_revision_keep(item, before, now=now)
        item.save(update_fields=["statement_text", "revision", "updated_at"])
    testimony.evidence = item
    testimony.confirmed_name, testimony.confirmed_job_title, testimony.confirmed_at = name, job_title, now
    testimony.declined_at, testimony.decline_reason = None, ""
    kind = signature_kind(testimony)
    signature = signature_record(
        kind=kind,
        obj=testimony,
        content=testimony_content(testimony),
        signer_name=name,
        job_title=job_title,
        client_ip=client_ip,
        centre=item.centre,
        signed_at=now,
    )
    testimony.signature = signature
    testimony.save(
        update_fields=[
            "confirmed_name",
            "confirmed_job_title",
            "confirmed_at",
            "declined_at",
            "decline_reason",
            "signature",
        ]
    )
    request.used_at, request.outcome = now, WitnessRequest.Outcome.CONFIRMED
    request.save(update_fields=["used_at", "outcome"])
    audit_record(
        actor=f"witness {name} (no account)",
        action=AUDIT_CONFIRMED,
        obj=testimony,
        centre=item.centre,
        details={
            "evidence": item.pk,
            "revision": item.revision,
            "name": name,
            "job_title": job_title,
            "corrected": corrected,
            "client_ip": client_ip,
            "signature": signature.code,
            "statement": STATEMENTS[kind],
            "expert_witness": testimony.witness.is_expert,
        },
    )
    return testimony


@transaction.atomic
def witness_decline(*, token: str, reason: str = "", client_ip: str | None = None) -> WitnessTestimony:
    """The witness declines: the testimony stays unconfirmed, marked declined, with their reason. Audited."""
    request = request_for_token(token, for_update=True)
    testimony = request.testimony
    now = timezone.now()
    testimony.declined_at, testimony.decline_reason = now, (reason or "").strip()
    testimony.save(update_fields=["declined_at", "decline_reason"])
    request.used_at, request.outcome = now, WitnessRequest.Outcome.DECLINED
    request.save(update_fields=["used_at", "outcome"])
    audit_record(
        actor=f"witness {testimony.witness.name} (no account)",
        action=AUDIT_DECLINED,
        obj=testimony,
        centre=testimony.evidence.centre,
        details={
            "evidence": testimony.evidence_id,
            "reason": testimony.decline_reason,
            "client_ip": client_ip,
        },
    )
    return testimony

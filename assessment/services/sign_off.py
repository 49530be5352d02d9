"""The candidate's authenticity statement, the assessor's sign-off, the countersignature and reopening a unit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import notify
from audit.actions import Action
from audit.services import audit_record
from audit.signatures import Kind as SignatureKind
from audit.signatures import signature_record

from .. import permissions, signing
from ..models import RequirementConfirmation, UnitAssessment, UnitSignOff
from .common import (
    _check_version,
    _lock_one,
    _lock_registration,
    _raise,
    _refuse_if_locked,
    _refuse_if_transfer_pending,
)
from .dates import _refuse_if_past_end
from .messages import (
    ALREADY_SIGNED,
    AUTHENTICITY_ALREADY,
    AUTHENTICITY_STATEMENT,
    BAD_PASSWORD,
    CANNOT_SIGN,
    COUNTERSIGNATURE_STATEMENT,
    COUNTERSIGNER_NOT_QUALIFIED,
    NOT_ASSESSOR,
    NOT_AWAITING_COUNTERSIGNATURE,
    NOT_CANDIDATE,
    NOT_SIGNED,
    REOPEN_NOT_ALLOWED,
    REOPEN_REASON_REQUIRED,
    SIGN_OFF_STATEMENT,
)
from .transitions import unit_assessment_transition


class CannotSignOff(ValidationError):
    """A sign-off refused for what still stands in the unit's way; `problems` lists each reason, so that the
    page can show them once, in its list, instead of repeating them in the error."""

    def __init__(self, message, *, problems):
        super().__init__(message, code="cannot_sign")
        self.problems = list(problems)


# --- authenticity, sign-off, countersignature, reopening --------------------------------------------
@transaction.atomic
def authenticity_sign(*, unit_assessment, actor, client_ip: str | None = None) -> UnitAssessment:
    """The candidate declares the unit's evidence their own work: a signature over that evidence."""
    ua = _lock_one(unit_assessment)
    if not permissions.is_candidate_of(actor, ua.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(ua.registration_id)
    _refuse_if_transfer_pending(ua)
    if ua.authenticity_signed_at:
        _raise(AUTHENTICITY_ALREADY)
    _refuse_if_locked(ua)
    ua.authenticity_signed_at = timezone.now()
    ua.version += 1
    ua.save(update_fields=["authenticity_signed_at", "version", "updated_at"])
    signature = signature_record(
        kind=SignatureKind.AUTHENTICITY,
        obj=ua,
        content=signing.authenticity_content(ua),
        signer=actor,
        client_ip=client_ip,
        centre=ua.registration.centre,
        signed_at=ua.authenticity_signed_at,
    )
    audit_record(
        actor=actor,
        action=Action.AUTHENTICITY_SIGNED,
        obj=ua,
        centre=ua.registration.centre,
        details={"unit": ua.unit.ref, "statement": AUTHENTICITY_STATEMENT, "signature": signature.code},
    )
    from django.urls import reverse

    notify(
        user=ua.registration.assessor,
        kind="sign_off_awaited",
        text=f"{actor} signed the authenticity statement for unit {ua.unit.ref}: the unit awaits your sign-off.",
        url=reverse("assessment:unit_matrix", args=[ua.registration_id, ua.unit_id]),
    )
    return ua


def _confirmations(confirmed_requirements) -> dict[str, str]:
    """{ref: note}; a bare list of refs is confirmations without notes (which sign-off refuses)."""
    if isinstance(confirmed_requirements, dict):
        return {str(ref): (note or "").strip() for ref, note in confirmed_requirements.items()}
    return {str(ref): "" for ref in confirmed_requirements or ()}


def sign_off_problems(ua: UnitAssessment, confirmed_requirements=()) -> list[str]:
    """What stands between the unit and its sign-off: coverage (criteria, range, evidence requirements, the
    candidate's statement) and the higher apps' blockers (an unanswered referral)."""
    return _sign_off_matrix(ua, _confirmations(confirmed_requirements)).sign_off_problems


def _sign_off_matrix(ua, confirmations):
    from ..selectors import unit_matrix

    return unit_matrix(ua.registration, ua.unit, confirmed_requirements=confirmations)


def _record_confirmations(ua, matrix, confirmations, actor, now) -> list[str]:
    """The assessor's confirmations (with notes) of requirements evidence does not meet, kept per round."""
    written = []
    for status in matrix.coverage.requirements:
        ref = status.requirement.ref
        if status.confirmable and not status.evidenced and confirmations.get(ref):
            RequirementConfirmation.objects.create(
                unit_assessment=ua,
                round=ua.round,
                requirement_id=status.requirement.id,
                note=confirmations[ref],
                confirmed_by=actor,
                confirmed_at=now,
            )
            written.append(ref)
    return written


@transaction.atomic
def unit_sign_off(
    *,
    unit_assessment,
    actor,
    password: str,
    expected_version=None,
    confirmed_requirements=(),
    client_ip: str | None = None,
) -> UnitAssessment:
    """The assessor signs the unit: every criterion met by accepted evidence, every requirement satisfied,
    the authenticity statement signed, and the assessor's password re-checked. A trainee's signature waits
    for a qualified assessor's countersignature; either way the unit is locked from now on."""
    ua = _lock_one(unit_assessment)
    if not permissions.is_assessor_of(actor, ua.registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(ua.registration_id)
    _refuse_if_transfer_pending(ua)
    if not actor.check_password(password or ""):
        _raise(BAD_PASSWORD)
    if ua.is_locked:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    _check_version(ua, expected_version)
    _refuse_if_past_end(ua.registration)
    confirmations = _confirmations(confirmed_requirements)
    matrix = _sign_off_matrix(ua, confirmations)
    problems = matrix.sign_off_problems
    if problems:
        raise CannotSignOff(
            CANNOT_SIGN.format(unit=ua.unit.ref, problems=" ".join(problems)), problems=problems
        )
    now = timezone.now()
    status = (
        UnitAssessment.Status.AWAITING_COUNTERSIGNATURE
        if actor.is_trainee_assessor
        else UnitAssessment.Status.SIGNED
    )
    try:
        with transaction.atomic():
            UnitSignOff.objects.create(unit_assessment=ua, round=ua.round, assessor=actor, signed_at=now)
    except IntegrityError:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    try:
        ua = unit_assessment_transition(
            ua=ua,
            actor=actor,
            to=status,
            action=Action.UNIT_SIGNED_OFF,
            signed_by=actor,
            signed_at=now,
            details={
                "unit": ua.unit.ref,
                "round": ua.round,
                "trainee": actor.is_trainee_assessor,
                "confirmed_requirements": {
                    ref: confirmations[ref]
                    for ref in sorted(_record_confirmations(ua, matrix, confirmations, actor, now))
                },
                "statement": SIGN_OFF_STATEMENT,
            },
        )
    except ValidationError:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(
        kind=SignatureKind.UNIT_SIGN_OFF,
        obj=ua,
        content=content,
        signer=actor,
        client_ip=client_ip,
        centre=ua.registration.centre,
        signed_at=now,
    )
    audit_record(
        actor=actor,
        action=Action.UNIT_SIGNATURE_RECORDED,
        obj=ua,
        centre=ua.registration.centre,
        details={"unit": ua.unit.ref, "round": ua.round, "signature": signature.code},
    )
    return ua


@transaction.atomic
def unit_countersign(
    *, unit_assessment, actor, password: str, expected_version=None, client_ip: str | None = None
) -> UnitAssessment:
    ua = _lock_one(unit_assessment)
    _lock_registration(ua.registration_id)
    if ua.status != UnitAssessment.Status.AWAITING_COUNTERSIGNATURE:
        _raise(NOT_AWAITING_COUNTERSIGNATURE)
    if not permissions.may_countersign(actor, ua):
        _raise(COUNTERSIGNER_NOT_QUALIFIED)
    if not actor.check_password(password or ""):
        _raise(BAD_PASSWORD)
    _check_version(ua, expected_version)
    now = timezone.now()
    ua = unit_assessment_transition(
        ua=ua,
        actor=actor,
        to=UnitAssessment.Status.SIGNED,
        action=Action.UNIT_COUNTERSIGNED,
        countersigned_by=actor,
        countersigned_at=now,
        details={"signed_by": ua.signed_by.username, "round": ua.round},
    )
    UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).update(
        countersigned_by=actor, countersigned_at=now
    )
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(
        kind=SignatureKind.COUNTERSIGNATURE,
        obj=ua,
        content=content,
        signer=actor,
        client_ip=client_ip,
        centre=ua.registration.centre,
        signed_at=now,
    )
    audit_record(
        actor=actor,
        action=Action.UNIT_COUNTERSIGNATURE_RECORDED,
        obj=ua,
        centre=ua.registration.centre,
        details={"unit": ua.unit.ref, "statement": COUNTERSIGNATURE_STATEMENT, "signature": signature.code},
    )
    return ua


@transaction.atomic
def unit_reopen(*, unit_assessment, actor, reason: str, by_referral: bool = False) -> UnitAssessment:
    """Unlock a signed unit: an internal verifier's referral, or a centre admin with a written reason.

    The verification app calls this with by_referral=True when an IV refers a decision back.
    """
    ua = _lock_one(unit_assessment)
    registration = ua.registration
    _lock_registration(registration.pk)
    reason = (reason or "").strip()
    if not reason:
        _raise(REOPEN_REASON_REQUIRED)
    _refuse_if_transfer_pending(ua)
    if not permissions.may_reopen(actor, registration, by_referral=by_referral):
        _raise(REOPEN_NOT_ALLOWED)
    if not ua.is_locked:
        _raise(NOT_SIGNED, unit=ua.unit.ref)
    now = timezone.now()
    UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).update(
        reopened_at=now, reopened_by=actor, reopen_reason=reason
    )
    previous = {
        "status": ua.status,
        "signed_by": ua.signed_by.username if ua.signed_by else None,
        "round": ua.round,
    }
    if ua.is_transferred:  # a confirmed transferred unit reopened: from now on it is assessed here
        previous |= {
            "transferred_from": ua.transferred_from,
            "transferred_signer": ua.transferred_signer,
            "signed_at": ua.signed_at.isoformat(),
            "transfer_confirmed_by": ua.transfer_confirmed_by.username if ua.transfer_confirmed_by else None,
        }
    ua = unit_assessment_transition(
        ua=ua,
        actor=actor,
        to=UnitAssessment.Status.OPEN,
        action=Action.UNIT_REOPENED,
        signed_by=None,
        countersigned_by=None,
        signed_at=None,
        countersigned_at=None,
        transferred_from="",
        transferred_signer="",
        transfer_confirmed_by=None,
        transfer_confirmed_at=None,
        round=F("round") + 1,
        details={"reason": reason, "by_referral": by_referral, "previous": previous},
    )
    return ua

"""State transitions: the only writers of Registration.status and UnitAssessment.status (each model's TRANSITIONS table)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record, refusals_audited

from .. import hooks, permissions, signals
from ..models import Registration, UnitAssessment
from .common import _raise
from .messages import (
    NOT_CENTRE_ADMIN,
    REINSTATE_PERIOD_OVER,
    REINSTATE_REFUSED,
    STALE,
    TRANSITION_REFUSED,
    WITHDRAW_REASON_REQUIRED,
)


# --- state transitions ------------------------------------------------------------------------------
def check_transition(model, was: str, to: str, entity: str) -> None:
    """Refuse a move the model's TRANSITIONS table does not allow (TRANSITION_REFUSED, in the labels)."""
    if to not in model.TRANSITIONS.get(was, set()):
        labels = dict(model.Status.choices)
        _raise(TRANSITION_REFUSED, entity=entity, was=labels.get(was, was), to=labels.get(to, to))


@transaction.atomic
def registration_transition(
    *, registration, actor, to: str, reason: str = "", action: str = "", details=None
) -> Registration:
    """The only writer of Registration.status: checks Registration.TRANSITIONS on the locked row, saves the
    status with its reason, and writes the audit row (`registration_<to>` unless `action` names another)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    was = registration.status
    check_transition(Registration, was, to, "The registration")
    now = timezone.now()
    Registration.objects.filter(pk=registration.pk).update(
        status=to, status_reason=reason, status_changed_at=now, updated_at=now
    )
    signals.registrations_changed.send(sender=Registration, registration_ids=[registration.pk])
    registration.refresh_from_db()
    audit_record(
        actor=actor,
        action=action or Action(f"registration_{to}"),
        obj=registration,
        centre=registration.centre,
        details={"from": was, "to": to, "reason": reason, **(details or {})},
    )
    return registration


@refusals_audited(Action.REGISTRATION_WITHDRAW_REFUSED, "registration")
@transaction.atomic
def registration_withdraw(*, registration, actor, reason: str) -> Registration:
    """A centre admin withdraws a candidate (with a reason); nothing in the registration changes any more."""
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    reason = (reason or "").strip()
    if not reason:
        _raise(WITHDRAW_REASON_REQUIRED)
    return registration_transition(
        registration=registration, actor=actor, to=Registration.Status.WITHDRAWN, reason=reason
    )


@refusals_audited(Action.REGISTRATION_REINSTATE_REFUSED, "registration")
@transaction.atomic
def registration_reinstate(*, registration, actor, reason: str = "") -> Registration:
    """A centre admin reinstates a withdrawn candidate within the registration period (not after an exit
    claim closed the registration)."""
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    check_transition(Registration, registration.status, Registration.Status.ACTIVE, "The registration")
    if registration.expires_on and timezone.localdate() > registration.expires_on:
        _raise(REINSTATE_PERIOD_OVER, expires=registration.expires_on)
    problems = hooks.reinstate_problems(registration)
    if problems:
        _raise(REINSTATE_REFUSED, problems=" ".join(problems))
    return registration_transition(
        registration=registration,
        actor=actor,
        to=Registration.Status.ACTIVE,
        reason=(reason or "").strip() or "Reinstated.",
        action=Action.REGISTRATION_REINSTATED,
    )


def unit_assessment_transition(
    *, ua: UnitAssessment, actor, to: str, action: str, details=None, **fields
) -> UnitAssessment:
    """The only writer of UnitAssessment.status. `ua` is the row the caller locked; the move must be in
    UnitAssessment.TRANSITIONS and the row still at the status and version the caller saw (a conditional
    UPDATE: the guard that also holds where FOR UPDATE is a no-op, SQLite). Saves `fields` with it, bumps the
    version and writes the audit row. Run inside the caller's transaction."""
    was = ua.status
    check_transition(UnitAssessment, was, to, f"Unit {ua.unit.ref}")
    return unit_assessment_update(
        ua=ua,
        actor=actor,
        action=action,
        details={"unit": ua.unit.ref, "from": was, "to": to, **(details or {})},
        where=Q(status=was),
        status=to,
        **fields,
    )


def unit_assessment_update(*, ua: UnitAssessment, actor, action: str, details, where=None, **fields):
    """Save `fields` on the row the caller locked, only while it is still at the version the caller saw (and
    matches `where`): bumps the version, tells the summaries the registration changed and writes the audit
    row with `details`. Refused as stale otherwise. Run inside the caller's transaction."""
    now = timezone.now()
    updated = (
        UnitAssessment.objects.filter(pk=ua.pk, version=ua.version)
        .filter(where or Q())
        .update(version=F("version") + 1, updated_at=now, **fields)
    )
    if not updated:
        _raise(STALE, now="newer", seen=ua.version)
    signals.registrations_changed.send(sender=UnitAssessment, registration_ids=[ua.registration_id])
    ua.refresh_from_db()
    audit_record(actor=actor, action=action, obj=ua, centre=ua.registration.centre, details=details)
    return ua

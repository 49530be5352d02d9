"""What every assessment service shares: raising a message, the registration lock, the unit assessment locks.

Concurrency: every change to a unit (a mapping, the authenticity statement, a sign-off, a reopening) takes
the unit assessment row with SELECT ... FOR UPDATE, checks the version the person saw, and bumps it. A
sign-off also needs its row to still be OPEN at the version seen (a conditional UPDATE, which serialises on
SQLite too) and writes a UnitSignOff row that a unique constraint allows once per round. So two assessors or
two tabs never produce a double sign-off or a lost update: the second one is told what happened instead.

A certified or withdrawn registration is closed: every write refuses it (REGISTRATION_LOCKED). The check
reads the registration row FOR UPDATE *after* the unit assessment rows, so a certification claim (which locks
the registration row) and a sign-off cannot interleave, and the lock order is always unit assessments first,
then the registration (no deadlock).
"""

from __future__ import annotations

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from evidence.services import evidence_lock

from ..models import Registration, UnitAssessment
from ..permissions import registration_lock_message
from .messages import STALE, TRANSFERRED_UNIT, UNIT_LOCKED


def _raise(message: str, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _refuse_if_closed(registration):
    message = registration_lock_message(registration)
    if message:
        raise ValidationError(message)


def _lock_registration(registration_id) -> Registration:
    """The registration row FOR UPDATE, refused when closed (certified or withdrawn).

    Take it after any unit assessment rows: one lock order everywhere (see the module docstring).
    """
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    _refuse_if_closed(registration)
    return registration


def _resubmitted(model, registration, token):
    """The object an earlier submission of the same form (same token) created, marked `resubmitted`, or None:
    a form sent twice (a double click, or Back and Save again) makes one object."""
    if not token:
        return None
    existing = model.objects.filter(registration=registration, submission_token=token).first()
    if existing is not None:
        existing.resubmitted = True
    return existing


# --- unit locking helpers ---------------------------------------------------------------------------
def _lock_unit_assessments(registration, unit_ids) -> dict[int, UnitAssessment]:
    """Take the unit assessment rows FOR UPDATE (creating missing ones), in a fixed order (no deadlock)."""
    unit_ids = sorted(set(unit_ids))
    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit_id=u) for u in unit_ids], ignore_conflicts=True
    )
    rows = UnitAssessment.objects.select_for_update(of=("self",)).filter(
        registration=registration, unit_id__in=unit_ids
    )
    return {ua.unit_id: ua for ua in rows.select_related("unit").order_by("pk")}


def _lock_one(unit_assessment) -> UnitAssessment:
    return (
        UnitAssessment.objects.select_for_update(of=("self", "registration"))
        .select_related(
            "unit",
            "registration__centre",
            "registration__candidate",
            "registration__assessor",
            "registration__internal_verifier",
            "registration__qualification",
        )
        .get(pk=unit_assessment.pk)
    )


def _check_version(ua: UnitAssessment, expected_version):
    if expected_version is not None and int(expected_version) != ua.version:
        _raise(STALE, now=ua.version, seen=expected_version)


def _bump(unit_assessments):
    UnitAssessment.objects.filter(pk__in=[ua.pk for ua in unit_assessments]).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _refuse_if_transfer_pending(ua: UnitAssessment):
    """A transferred unit not yet confirmed changes only through its confirmation or rejection (transfers.py)."""
    if ua.transfer_pending:
        _raise(TRANSFERRED_UNIT, unit=ua.unit.ref, centre=ua.transferred_from)


def _refuse_if_locked(ua: UnitAssessment):
    _refuse_if_transfer_pending(ua)
    if ua.is_locked:
        _raise(UNIT_LOCKED, unit=ua.unit.ref)


def _lock_evidence(item, actor):
    evidence_lock(item=item, actor=actor)

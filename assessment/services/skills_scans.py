"""The skills scan at induction: the assessor's and the candidate's ratings, agreed by the candidate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record

from .. import permissions
from ..models import SkillsScan, SkillsScanRating
from .common import _lock_registration, _raise, _refuse_if_closed
from .messages import (
    NOT_ASSESSOR,
    NOT_CANDIDATE,
    SCAN_ALREADY_AGREED,
    SCAN_NEEDS_ACTIONS,
    SCAN_NEEDS_RATINGS,
    UNIT_NOT_IN_REGISTRATION,
)


# --- skills scan (induction) ---------------------------------------------------------------------
@transaction.atomic
def skills_scan_create(*, registration, actor, ratings, agreed_actions: str) -> SkillsScan:
    """ratings: [(unit, candidate_rating or None, assessor_rating or None, notes)], units of the registration."""
    from ..selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    _refuse_if_closed(registration)
    allowed = {u.pk for u in registration_units(registration)}
    lines = [(u, c, a, (n or "").strip()) for u, c, a, n in ratings if c or a]
    if not lines:
        _raise(SCAN_NEEDS_RATINGS)
    if not (agreed_actions or "").strip():
        _raise(SCAN_NEEDS_ACTIONS)
    for unit, _c, _a, _n in lines:
        if unit.pk not in allowed:
            _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    scan = SkillsScan(registration=registration, created_by=actor, agreed_actions=agreed_actions.strip())
    scan.full_clean()
    scan.save()
    for unit, candidate_rating, assessor_rating, notes in lines:
        rating = SkillsScanRating(
            scan=scan,
            unit=unit,
            candidate_rating=candidate_rating,
            assessor_rating=assessor_rating,
            notes=notes,
        )
        rating.full_clean()
        rating.save()
    audit_record(
        actor=actor,
        action=Action.SKILLS_SCAN_CREATED,
        obj=scan,
        centre=registration.centre,
        details={"ratings": [(u.ref, c, a) for u, c, a, _n in lines]},
    )
    return scan


@transaction.atomic
def skills_scan_agree(*, scan, actor) -> SkillsScan:
    scan = SkillsScan.objects.select_for_update().select_related("registration").get(pk=scan.pk)
    if not permissions.is_candidate_of(actor, scan.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(scan.registration_id)
    if scan.candidate_agreed_at:
        _raise(SCAN_ALREADY_AGREED)
    scan.candidate_agreed_at = timezone.now()
    scan.save(update_fields=["candidate_agreed_at"])
    audit_record(actor=actor, action=Action.SKILLS_SCAN_AGREED, obj=scan, centre=scan.registration.centre)
    return scan

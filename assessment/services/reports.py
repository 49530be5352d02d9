"""The assessment report (2006): the assessor's report on a unit, signed by the candidate."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.dates import not_in_future
from audit.services import audit_record

from .. import permissions
from ..models import AssessmentReport
from .common import _lock_registration, _raise, _refuse_if_closed
from .messages import (
    NOT_ASSESSOR,
    NOT_CANDIDATE,
    REPORT_ALREADY_SIGNED,
    REPORT_FUTURE_DATE,
    REPORT_NEEDS_OUTCOME,
    UNIT_NOT_IN_REGISTRATION,
)


# --- assessment report (2006) -----------------------------------------------------------------------
@transaction.atomic
def assessment_report_create(
    *,
    registration,
    actor,
    unit,
    date: date,
    answers: dict,
    outcome: str,
    comments: str = "",
    questions: str = "",
    candidate_answers: str = "",
) -> AssessmentReport:
    from ..selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    _refuse_if_closed(registration)
    if unit.pk not in {u.pk for u in registration_units(registration)}:
        _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    if not (outcome or "").strip():
        _raise(REPORT_NEEDS_OUTCOME)
    not_in_future(date, REPORT_FUTURE_DATE)
    keys = {k for k, _ in AssessmentReport.QUESTIONS}
    report = AssessmentReport(
        registration=registration,
        unit=unit,
        assessor=actor,
        date=date,
        outcome=outcome.strip(),
        answers={k: bool(v) for k, v in (answers or {}).items() if k in keys and v is not None},
        comments=(comments or "").strip(),
        questions=(questions or "").strip(),
        candidate_answers=(candidate_answers or "").strip(),
    )
    report.full_clean(exclude=["answers"])  # the seven questions may all be left unanswered: {} is no error
    report.save()
    audit_record(
        actor=actor,
        action=Action.ASSESSMENT_REPORT_CREATED,
        obj=report,
        centre=registration.centre,
        details={"unit": unit.ref, "answers": report.answers},
    )
    return report


@transaction.atomic
def assessment_report_sign(*, report, actor) -> AssessmentReport:
    report = AssessmentReport.objects.select_for_update().select_related("registration").get(pk=report.pk)
    if not permissions.is_candidate_of(actor, report.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(report.registration_id)
    if report.candidate_signed_at:
        _raise(REPORT_ALREADY_SIGNED)
    report.candidate_signed_at = timezone.now()
    report.save(update_fields=["candidate_signed_at"])
    audit_record(
        actor=actor,
        action=Action.ASSESSMENT_REPORT_SIGNED_BY_CANDIDATE,
        obj=report,
        centre=report.registration.centre,
    )
    return report

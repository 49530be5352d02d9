"""Assessment records (observation, questioning, professional discussion): evidence mapped as they are made."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import Action
from audit.dates import DATE, not_in_future
from audit.services import audit_record
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails, evidence_staff_create
from evidence.sniffing import AUDIO, VIDEO, FileRefused

from .. import permissions
from ..models import AssessmentRecord, EvidenceMapping, Registration, Setting
from .common import _lock_registration, _raise, _refuse_if_closed, _resubmitted
from .mappings import mapping_add
from .messages import (
    NOT_ASSESSOR,
    NOT_CANDIDATE,
    RECORD_ALREADY_SIGNED,
    RECORD_FUTURE_DATE,
    RECORD_NEEDS_CRITERIA,
    UNKNOWN_SETTING,
)

# --- assessment records -----------------------------------------------------------------------------
RECORD_EVIDENCE_KIND = {
    AssessmentRecord.Kind.OBSERVATION: EvidenceItem.Kind.OBSERVATION_RECORD,
    AssessmentRecord.Kind.QUESTIONING: EvidenceItem.Kind.OTHER,
    AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION: EvidenceItem.Kind.PROFESSIONAL_DISCUSSION,
}


RECORDING_CATEGORIES = (AUDIO, VIDEO)  # a recording is audio or video, whatever its name says


def record_create(
    *,
    registration,
    actor,
    kind: str,
    date: date,
    description: str,
    criteria,
    place: str = "",
    questions_and_answers: str = "",
    recording=None,
    setting: str = Setting.REAL_WORK,
    token: str = "",
) -> AssessmentRecord:
    """An observation, questioning or professional discussion record.

    It enters the portfolio as evidence (evidence.services.evidence_staff_create: locked at once) mapped with its
    method and accepted against the criteria it references, so it counts for coverage and for "at least two
    observed" requirements. A recording goes through the same checks as a candidate's upload and must be audio
    or video: anything else is refused and nothing is saved (no record, no evidence, no stored file).
    `setting` is where the assessor saw or heard the work (real work, a realistic working environment, simulation,
    a staged emergency drill); a unit that does not accept it refuses the record in the handbook's words.
    The evidence service owns the transaction, so that a failure also removes the stored file.
    """
    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    if (existing := _resubmitted(AssessmentRecord, registration, token)) is not None:
        return existing
    _refuse_if_closed(Registration.objects.get(pk=registration.pk))  # mapping_add checks again under lock
    criteria = list(criteria)
    if not criteria:
        _raise(RECORD_NEEDS_CRITERIA)
    not_in_future(date, RECORD_FUTURE_DATE)
    if setting not in Setting.values:
        _raise(UNKNOWN_SETTING)
    record = AssessmentRecord(
        registration=registration,
        kind=kind,
        assessor=actor,
        date=date,
        place=place,
        description=description,
        questions_and_answers=questions_and_answers,
        setting=setting,
        submission_token=token or "",
    )
    record.full_clean(exclude=["criteria", "evidence_item"])
    label = AssessmentRecord.Kind(kind).label
    details = EvidenceDetails(
        title=f"{label} {date:{DATE}}",
        description=place,
        activity_date=date,
        kind=RECORD_EVIDENCE_KIND[kind],
        context=setting,
        statement_text="\n\n".join(t for t in (description, questions_and_answers) if t),
    )

    def attach(item):
        record.evidence_item = item
        record.save()
        record.criteria.set(criteria)
        audit_record(
            actor=actor,
            action=Action.ASSESSMENT_RECORD_CREATED,
            obj=record,
            centre=registration.centre,
            details={
                "kind": kind,
                "date": date,
                "criteria": [str(c) for c in criteria],
                "setting": setting,
                "recording": item.original_name or None,
                "sha256": item.sha256 or None,
            },
        )
        mapping_add(
            registration=registration,
            evidence=item,
            actor=actor,
            criteria=criteria,
            method=record.method,
            location=label,
            decision=EvidenceMapping.Decision.ACCEPTED,
            setting=setting,
        )

    try:
        evidence_staff_create(
            actor=actor,
            candidate=registration.candidate,
            centre=registration.centre,
            details=details,
            upload=recording,
            categories=RECORDING_CATEGORIES if recording is not None else None,
            after_create=attach,
        )
    except FileRefused as exc:
        raise ValidationError(str(exc)) from None
    except IntegrityError:
        # A concurrent resubmission won the race on the token (its transaction holds the record): that is the answer.
        if (existing := _resubmitted(AssessmentRecord, registration, token)) is None:
            raise
        return existing
    return record


@transaction.atomic
def record_candidate_sign(*, record, actor) -> AssessmentRecord:
    record = AssessmentRecord.objects.select_for_update().select_related("registration").get(pk=record.pk)
    if not permissions.is_candidate_of(actor, record.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(record.registration_id)
    if record.candidate_signed_at:
        _raise(RECORD_ALREADY_SIGNED)
    record.candidate_signed_at = timezone.now()
    record.save(update_fields=["candidate_signed_at"])
    audit_record(
        actor=actor,
        action=Action.ASSESSMENT_RECORD_SIGNED_BY_CANDIDATE,
        obj=record,
        centre=record.registration.centre,
    )
    return record

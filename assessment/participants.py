"""Who took part in a unit's assessment: the reads behind "nobody verifies their own assessment".

Anybody who ever made, confirmed, signed or countersigned a decision in the unit assessment counts, in every
round: the registration's assessor, every signer and countersigner (UnitSignOff keeps each round), whoever
confirmed a transferred unit (signed at a sending centre, theirs once confirmed), everyone in the mapping
decision history (every decision, even one overwritten or removed since), whoever holds a current mapping,
and the assessor of any assessment record referencing the unit's criteria. The database trigger of
verification migration 0008 checks the same sources.
"""

from __future__ import annotations

from django.db.models import Q

from .models import (
    AssessmentRecord,
    EvidenceMapping,
    MappingDecision,
    Registration,
    UnitAssessment,
    UnitSignOff,
)


def unit_assessors(unit_assessment: UnitAssessment) -> set[int]:
    """The ids of everyone who took part in assessing this unit of this registration."""
    ua = unit_assessment
    reg_id, unit_id = ua.registration_id, ua.unit_id
    people = {
        ua.registration.assessor_id,
        ua.signed_by_id,
        ua.countersigned_by_id,
        ua.transfer_confirmed_by_id,
    }
    for assessor_id, countersigned_id in UnitSignOff.objects.filter(unit_assessment=ua).values_list(
        "assessor_id", "countersigned_by_id"
    ):
        people |= {assessor_id, countersigned_id}
    people |= set(
        MappingDecision.objects.filter(registration_id=reg_id, unit_id=unit_id).values_list(
            "decided_by_id", flat=True
        )
    )
    people |= set(
        EvidenceMapping.objects.filter(registration_id=reg_id, unit_id=unit_id).values_list(
            "assessed_by_id", flat=True
        )
    )
    people |= set(
        AssessmentRecord.objects.filter(registration_id=reg_id, criteria__unit_id=unit_id).values_list(
            "assessor_id", flat=True
        )
    )
    people.discard(None)
    return people


def unit_assessments_assessed_by(user, unit_assessments) -> set[int]:
    """The ids of those of `unit_assessments` (loaded rows) that `user` took part in assessing (five queries)."""
    uas = list(unit_assessments)
    if not uas or user is None or not user.is_authenticated:
        return set()
    reg_ids = {ua.registration_id for ua in uas}
    own_regs = set(Registration.objects.filter(pk__in=reg_ids, assessor=user).values_list("pk", flat=True))
    signed = set(
        UnitSignOff.objects.filter(unit_assessment__in=[ua.pk for ua in uas])
        .filter(Q(assessor=user) | Q(countersigned_by=user))
        .values_list("unit_assessment_id", flat=True)
    )
    # Distinct pairs without the models' default ordering (its joins and sort cost seconds at centre scale).
    keys = set(
        MappingDecision.objects.filter(registration_id__in=reg_ids, decided_by=user)
        .order_by()
        .values_list("registration_id", "unit_id")
        .distinct()
    )
    keys |= set(
        EvidenceMapping.objects.filter(registration_id__in=reg_ids, assessed_by=user)
        .order_by()
        .values_list("registration_id", "unit_id")
        .distinct()
    )
    keys |= set(
        AssessmentRecord.objects.filter(registration_id__in=reg_ids, assessor=user).values_list(
            "registration_id", "criteria__unit_id"
        )
    )
    return {
        ua.pk
        for ua in uas
        if ua.registration_id in own_regs
        or ua.pk in signed
        or (ua.registration_id, ua.unit_id) in keys
        or user.pk in (ua.signed_by_id, ua.countersigned_by_id, ua.transfer_confirmed_by_id)
    }

"""A registration on 4430-04 with a signed unit 401: evidence mapped, feedback, an observation, a plan."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from assessment.models import (
    ActionPlan,
    ActionPlanItem,
    AssessmentRecord,
    EvidenceMapping,
    Feedback,
    Method,
    Registration,
    UnitAssessment,
)
from evidence.models import EvidenceItem
from qualifications.models import AssessmentCriterion, Qualification, Unit

HOSTILE = (
    '<img src="http://198.51.100.7/track.png"> <img src="file:///etc/passwd"> Tom & Jerry\'s <b>shop</b>'
)


@pytest.fixture
def catalogue(db):
    call_command("loaddata", "fixtures/4430-04.json", verbosity=0)
    return Qualification.objects.get(code="4430-04")


@pytest.fixture
def people(centre, make_user):
    return {
        "candidate": make_user("cand", centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate"),
        "assessor": make_user("ass", centre, Role.ASSESSOR, first_name="Adam", last_name="Assessor"),
        "iv": make_user("ivy", centre, Role.INTERNAL_VERIFIER, first_name="Ivy", last_name="Verifier"),
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN, first_name="Alice", last_name="Admin"),
    }


@pytest.fixture
def registration(catalogue, centre, people):
    return Registration.objects.create(
        centre=centre,
        candidate=people["candidate"],
        qualification=catalogue,
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        candidate_number="CG123456",
        registered_on=dt.date(2026, 1, 5),
    )


@pytest.fixture
def completed(registration, people):
    """Unit 401 fully mapped and signed on 14/03/2026; one not-yet mapping; feedback, observation, plan."""
    unit = Unit.objects.get(ref="4430-401")
    candidate, assessor = people["candidate"], people["assessor"]
    signed_at = timezone.make_aware(dt.datetime(2026, 3, 14, 10, 0))
    evidence = EvidenceItem.objects.create(
        centre=registration.centre,
        candidate=candidate,
        title="Team meeting minutes",
        kind="work_product",
        description=HOSTILE,
        activity_date=dt.date(2026, 2, 2),
    )
    for criterion in AssessmentCriterion.objects.filter(unit=unit):
        EvidenceMapping.objects.create(
            registration=registration,
            evidence=evidence,
            criterion=criterion,
            unit=unit,
            method=Method.PRODUCT_EVIDENCE,
            location="p. 3",
            decision="accepted",
            assessed_by=assessor,
            assessed_at=timezone.make_aware(dt.datetime(2026, 2, 10, 9, 0)),
        )
    UnitAssessment.objects.update_or_create(
        registration=registration,
        unit=unit,
        defaults=dict(
            status=UnitAssessment.Status.SIGNED,
            signed_by=assessor,
            signed_at=signed_at,
            authenticity_signed_at=timezone.make_aware(dt.datetime(2026, 3, 13, 16, 0)),
        ),
    )
    Feedback.objects.create(
        registration=registration, unit=unit, author=assessor, text="Well done. " + HOSTILE
    )
    record = AssessmentRecord.objects.create(
        registration=registration,
        kind=AssessmentRecord.Kind.OBSERVATION,
        assessor=assessor,
        date=dt.date(2026, 2, 20),
        place="Head office",
        description="Led the morning briefing. " + HOSTILE,
    )
    record.criteria.set(AssessmentCriterion.objects.filter(unit=unit, ref__in=["2.1", "2.3"]))
    plan = ActionPlan.objects.create(
        registration=registration, created_by=assessor, review_date=dt.date(2026, 4, 1)
    )
    item = ActionPlanItem.objects.create(
        plan=plan, activity="Collect the complaints log", target_date=dt.date(2026, 3, 1)
    )
    item.criteria.set(AssessmentCriterion.objects.filter(unit=unit, ref="1.5"))
    return {"unit": unit, "evidence": evidence, "signed_at": signed_at}

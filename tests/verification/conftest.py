"""A small centre for verification tests: two candidates, two assessors, internal verifiers, a two-unit
qualification with rules of combination, and helpers to sign units and record assessment decisions."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role
from assessment.models import EvidenceMapping, UnitAssessment
from qualifications.models import AssessmentCriterion, Rule
from tests.assessment.factories import make_evidence, make_qualification, make_registration, make_unit


def sign(ua, assessor, *, password=None):
    """Sign a unit off through the assessment services, as the pages do: the candidate's authenticity statement
    (when not yet signed), then the assessor's sign-off with the password re-check and every check it makes.
    Evidence requirements the tests' evidence does not show are confirmed by the assessor with a note, as the
    sign-off form allows."""
    from assessment import services as assessment_services
    from qualifications.models import EvidenceRequirement
    from tests.conftest import PASSWORD

    ua.refresh_from_db()
    if not ua.authenticity_signed_at:
        assessment_services.authenticity_sign(unit_assessment=ua, actor=ua.registration.candidate)
    confirmations = {
        ref: "Seen in the workplace over three months (test)."
        for ref in EvidenceRequirement.objects.filter(unit=ua.unit).values_list("ref", flat=True)
    }
    assessment_services.unit_sign_off(
        unit_assessment=ua,
        actor=assessor,
        password=password or PASSWORD,
        confirmed_requirements=confirmations,
    )
    ua.refresh_from_db()  # the caller's object (the world's table of unit assessments) sees the signature
    return ua


def map_evidence(registration, unit, assessor, method="observation"):
    evidence = make_evidence(registration=registration)
    for criterion in AssessmentCriterion.objects.filter(unit=unit):
        EvidenceMapping.objects.create(
            registration=registration,
            evidence=evidence,
            criterion=criterion,
            unit=unit,
            method=method,
            decision="accepted",
            assessed_by=assessor,
            assessed_at=timezone.now(),
        )
    return evidence


def sample_item_for(plan, ua, *, stage="summative", sample=None):
    """A sampled unit straight in the database (for lists at two sizes; the services are tested elsewhere)."""
    from verification.models import Sample, SampleItem

    sample = (
        sample
        or Sample.objects.filter(plan=plan).first()
        or Sample.objects.create(plan=plan, accepted_by=plan.created_by)
    )
    return SampleItem.objects.create(
        sample=sample,
        plan=plan,
        unit_assessment=ua,
        stage=stage,
        assessor=ua.signed_by or ua.registration.assessor,
    )


@pytest.fixture
def world(centre, make_user):
    """reg1: cara assessed by ann, verified by pat. reg2: dan assessed by pat (who is also an internal
    verifier), verified by ivy. Units 101 (3 credits) and 102 (4 credits); the rules need both."""
    cara = make_user("cara", centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    dan = make_user("dan", centre, Role.CANDIDATE, first_name="Dan", last_name="Doe")
    ann = make_user(
        "ann", centre, Role.ASSESSOR, first_name="Ann", last_name="Assessor", email="ann@example.org"
    )
    pat = make_user(
        "pat",
        centre,
        Role.ASSESSOR,
        Role.INTERNAL_VERIFIER,
        first_name="Pat",
        last_name="Both",
        email="pat@example.org",
    )
    ivy = make_user("ivy", centre, Role.INTERNAL_VERIFIER, first_name="Ivy", last_name="Verifier")
    admin = make_user("adm", centre, Role.CENTRE_ADMIN, first_name="Alice", last_name="Admin")
    ev = make_user("evan", centre, Role.EXTERNAL_VERIFIER, first_name="Evan", last_name="External")
    u101 = make_unit(scheme="TV", number="101", criteria=2, credits=3)
    u102 = make_unit(scheme="TV", number="102", criteria=2, credits=4)
    qualification = make_qualification(code="TV-01", mandatory=[u101, u102])
    Rule.objects.create(
        qualification=qualification,
        order=1,
        kind="min_total_credits",
        params={"credits": 7},
        text="A minimum of 7 credits.",
    )
    Rule.objects.create(
        qualification=qualification,
        order=2,
        kind="mandatory_units",
        params={"units": ["101", "102"]},
        text="Units 101 and 102 are mandatory.",
    )
    reg1 = make_registration(
        centre=centre, candidate=cara, assessor=ann, internal_verifier=pat, qualification=qualification
    )
    reg2 = make_registration(
        centre=centre, candidate=dan, assessor=pat, internal_verifier=ivy, qualification=qualification
    )
    ua = {
        (r.pk, u.pk): UnitAssessment.objects.get(registration=r, unit=u)
        for r in (reg1, reg2)
        for u in (u101, u102)
    }
    return SimpleNamespace(
        centre=centre,
        cara=cara,
        dan=dan,
        ann=ann,
        pat=pat,
        ivy=ivy,
        admin=admin,
        ev=ev,
        u101=u101,
        u102=u102,
        qualification=qualification,
        reg1=reg1,
        reg2=reg2,
        ua=lambda reg, unit: ua[(reg.pk, unit.pk)],
        make_user=make_user,
    )


@pytest.fixture
def plan(world):
    from verification.services import plan_create

    today = timezone.localdate()
    return plan_create(
        actor=world.ivy,
        centre=world.centre,
        qualification=world.qualification,
        period_start=today - dt.timedelta(days=90),
        period_end=today + dt.timedelta(days=90),
        min_share_percent=100,
        cover_sites=True,
    )


@pytest.fixture
def signed_world(world):
    """Both units of both registrations mapped and signed by their assessors."""
    for reg, assessor in ((world.reg1, world.ann), (world.reg2, world.pat)):
        for unit in (world.u101, world.u102):
            map_evidence(reg, unit, assessor, method="observation" if unit is world.u101 else "questioning")
            sign(world.ua(reg, unit), assessor)
    return world

"""The test-data layer: factory-boy factories for the rows every test package needs, and scenario builders
that reach a state the way a centre does, through the services (so a signed unit has its sign-off row, its
signature and its audit trail, never fields written by hand).

    from tests import factories as f
    world = f.registration_with_signed_unit()            # world.registration, world.unit_assessment, ...
    world = f.sampled_and_referred_unit()                # world.sample_item, world.referral, ...

Factories make rows; scenarios make stories. A test that needs a state a scenario gives should use it rather
than build the state again.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import factory
from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from evidence.models import EvidenceItem
from qualifications.models import AssessmentCriterion, LearningOutcome, Qualification, QualificationUnit, Unit

PASSWORD = "correct-horse-battery"  # tests.conftest.PASSWORD: every factory user signs in with it


# --- rows -----------------------------------------------------------------------------------------------------
class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"Centre {n}")
    number = factory.Sequence(lambda n: f"F{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    """A person; `UserFactory(roles=[Role.ASSESSOR], roles__centre=centre)` (or `person(centre, Role.ASSESSOR)`)
    gives them roles there."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n:03d}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        centre = kwargs.get("centre")
        for role in extracted or ():
            Membership.objects.create(user=self, centre=centre, role=role)


def person(centre, *roles, **fields) -> User:
    """A person holding `roles` at `centre`."""
    return UserFactory(roles=list(roles), roles__centre=centre, **fields)


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit with learning outcomes and performance criteria (1.1, 1.2, ...):
    `UnitFactory(with_criteria__outcomes=2, with_criteria__criteria=3)`; one outcome of two by default."""

    class Meta:
        model = Unit
        skip_postgeneration_save = True

    scheme = "F"
    number = factory.Sequence(lambda n: str(200 + n))
    ref = factory.LazyAttribute(lambda u: f"{u.scheme}-{u.number}")
    title = factory.LazyAttribute(lambda u: f"Test unit {u.number}")
    level = "Level 1"
    credits = 2
    glh = 10
    has_criteria_text = True

    @factory.post_generation
    def with_criteria(self, create, extracted, **kwargs):
        if not self.has_criteria_text:
            return
        outcomes, criteria = kwargs.get("outcomes", 1), kwargs.get("criteria", 2)
        for o in range(1, outcomes + 1):
            outcome = LearningOutcome.objects.create(
                unit=self, number=o, title=f"Be able to do thing {o}", kind="performance"
            )
            for c in range(1, criteria + 1):
                AssessmentCriterion.objects.create(
                    unit=self,
                    outcome=outcome,
                    number=c,
                    ref=f"{o}.{c}",
                    text=f"do part {c} of thing {o}",
                    kind="performance",
                )


class QualificationFactory(factory.django.DjangoModelFactory):
    """A qualification; `QualificationFactory(mandatory=[u1, u2], optional=[u3])` places units in it."""

    class Meta:
        model = Qualification
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"F-{n:02d}")
    title = factory.LazyAttribute(lambda q: f"Test qualification {q.code}")
    level = "Level 1"
    registration_period_months = 36

    @factory.post_generation
    def mandatory(self, create, extracted, **kwargs):
        for order, unit in enumerate(extracted or ()):
            QualificationUnit.objects.create(qualification=self, unit=unit, status="mandatory", order=order)

    @factory.post_generation
    def optional(self, create, extracted, **kwargs):
        start = QualificationUnit.objects.filter(qualification=self).count()
        for order, unit in enumerate(extracted or (), start=start):
            QualificationUnit.objects.create(qualification=self, unit=unit, status="optional", order=order)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """A candidate's evidence item: `EvidenceFactory(registration=registration)` takes its centre and candidate."""

    class Meta:
        model = EvidenceItem
        exclude = ("registration",)

    registration = None
    centre = factory.LazyAttribute(lambda e: e.registration.centre)
    candidate = factory.LazyAttribute(lambda e: e.registration.candidate)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    kind = "work_product"
    context = EvidenceItem.Context.REAL_WORK
    statement_text = "What I did."


# --- stories, through the services ------------------------------------------------------------------------------
def registered_candidate(*, centre=None, units=2, criteria=2, registered_on=None) -> SimpleNamespace:
    """A centre with a candidate registered (by its centre admin, through registration_create) on a qualification
    of `units` mandatory units, with the candidate's assessor and internal verifier."""
    from assessment import services

    centre = centre or CentreFactory()
    people = {
        role: person(centre, role)
        for role in (Role.CANDIDATE, Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN)
    }
    unit_list = [UnitFactory(with_criteria__criteria=criteria) for _ in range(units)]
    qualification = QualificationFactory(mandatory=unit_list)
    registration = services.registration_create(
        actor=people[Role.CENTRE_ADMIN],
        centre=centre,
        candidate=people[Role.CANDIDATE],
        qualification=qualification,
        assessor=people[Role.ASSESSOR],
        internal_verifier=people[Role.INTERNAL_VERIFIER],
        registered_on=registered_on or timezone.localdate(),
    )
    return SimpleNamespace(
        centre=centre,
        candidate=people[Role.CANDIDATE],
        assessor=people[Role.ASSESSOR],
        iv=people[Role.INTERNAL_VERIFIER],
        admin=people[Role.CENTRE_ADMIN],
        qualification=qualification,
        units=unit_list,
        unit=unit_list[0],
        registration=registration,
    )


def map_unit(world, unit=None, *, method="product_evidence", evidence=None):
    """The assessor accepts one piece of evidence against every criterion of the unit (mapping_add)."""
    from assessment import services

    unit = unit or world.unit
    evidence = evidence or EvidenceFactory(registration=world.registration, title=f"Work for {unit.number}")
    services.mapping_add(
        registration=world.registration,
        evidence=evidence,
        actor=world.assessor,
        criteria=list(unit.criteria.all()),
        method=method,
        location="p. 1",
        decision="accepted",
    )
    return evidence


def sign_unit(world, unit=None, *, method="product_evidence"):
    """Map the unit, the candidate's authenticity statement, the assessor's sign-off: each through its service."""
    from assessment import services
    from assessment.models import UnitAssessment

    unit = unit or world.unit
    map_unit(world, unit, method=method)
    ua = UnitAssessment.objects.get(registration=world.registration, unit=unit)
    services.authenticity_sign(unit_assessment=ua, actor=world.candidate)
    return services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)


def registration_with_signed_unit(**kwargs) -> SimpleNamespace:
    """registered_candidate() with its first unit mapped, declared authentic and signed off
    (world.unit_assessment is that unit's row, SIGNED)."""
    world = registered_candidate(**kwargs)
    world.unit_assessment = sign_unit(world)
    return world


def sampled_and_referred_unit(**kwargs) -> SimpleNamespace:
    """registration_with_signed_unit() whose signed unit the internal verifier sampled (a sampling plan, then
    sample_accept) and referred back on its first mapping (decision_record): the unit is open again, the
    referral waits for the assessor's answer. Adds world.plan, world.sample_item, world.mapping, world.referral."""
    from assessment.models import EvidenceMapping
    from verification import selectors, services
    from verification.models import SampleItem

    world = registration_with_signed_unit(**kwargs)
    today = timezone.localdate()
    world.plan = services.plan_create(
        actor=world.iv,
        centre=world.centre,
        qualification=world.qualification,
        period_start=today - dt.timedelta(days=90),
        period_end=today + dt.timedelta(days=90),
        min_share_percent=100,
    )
    services.sample_accept(
        plan=world.plan,
        actor=world.iv,
        decision_keys=[selectors.decision_key(world.unit_assessment.pk, "summative")],
    )
    world.sample_item = SampleItem.objects.get(unit_assessment=world.unit_assessment)
    world.mapping = (
        EvidenceMapping.objects.filter(registration=world.registration, unit=world.unit)
        .order_by("id")
        .first()
    )
    world.referral = services.decision_record(
        item=world.sample_item,
        actor=world.iv,
        outcome="referred",
        mapping=world.mapping,
        action_points="Say where 1.1 is shown.",
    )
    world.unit_assessment.refresh_from_db()
    return world

"""Small catalogue objects and registrations for assessment tests (no fixtures needed), over tests.factories
(factory-boy): new tests can use those factories and scenarios directly."""

import datetime as dt
import itertools

from assessment.models import Registration, UnitAssessment
from evidence.models import EvidenceItem
from qualifications.models import (
    EvidenceRequirement,
)
from tests import factories as f

_seq = itertools.count(1)


def make_unit(
    *,
    scheme="T",
    number=None,
    criteria=3,
    outcomes=1,
    rwe_allowed=True,
    simulation_allowed=True,
    has_criteria_text=True,
    level="Level 1",
    credits=2,
    title=None,
):
    """A unit with criteria (tests.factories.UnitFactory, with this package's defaults)."""
    number = number or str(100 + next(_seq))
    return f.UnitFactory(
        scheme=scheme,
        number=number,
        title=title or f"Test unit {number}",
        level=level,
        credits=credits,
        has_criteria_text=has_criteria_text,
        rwe_allowed=rwe_allowed,
        simulation_allowed=simulation_allowed,
        with_criteria__outcomes=outcomes,
        with_criteria__criteria=criteria,
    )


def add_requirement(
    unit, *, ref, text="at least two observed", min_count=2, method="observation", criteria=()
):
    return EvidenceRequirement.objects.create(
        unit=unit,
        ref=ref,
        text=text,
        min_count=min_count,
        method=method,
        criteria=list(criteria),
        order=int(next(_seq)),
    )


def make_qualification(*, code=None, mandatory=(), optional=(), months=36):
    code = code or f"T-{next(_seq):02d}"
    return f.QualificationFactory(
        code=code, registration_period_months=months, mandatory=list(mandatory), optional=list(optional)
    )


def make_registration(*, centre, candidate, assessor, internal_verifier, qualification, optional_units=()):
    """A registration straight in the database (the engine check is tested separately)."""
    registration = Registration.objects.create(
        centre=centre,
        candidate=candidate,
        qualification=qualification,
        assessor=assessor,
        internal_verifier=internal_verifier,
        registered_on=dt.date(2026, 1, 5),
        expires_on=dt.date(2029, 1, 5),
    )
    registration.optional_units.set(optional_units)
    from assessment.selectors import registration_units

    for unit in registration_units(registration):
        UnitAssessment.objects.get_or_create(registration=registration, unit=unit)
    return registration


def make_evidence(*, registration, title=None, context=EvidenceItem.Context.REAL_WORK, kind="work_product"):
    return f.EvidenceFactory(
        registration=registration, title=title or f"Evidence {next(_seq)}", kind=kind, context=context
    )


def make_candidates(*, centre, count, qualification, assessor, internal_verifier, start=0, prefix="crowd"):
    """`count` candidates of `centre`, each registered on `qualification` (for lists at two sizes)."""
    from accounts.models import Membership, Role, User

    registrations = []
    for n in range(start, start + count):
        candidate = User.objects.create(
            username=f"{prefix}{n:03d}", first_name="Crowd", last_name=f"Member {n:03d}"
        )
        Membership.objects.create(user=candidate, centre=centre, role=Role.CANDIDATE)
        registrations.append(
            make_registration(
                centre=centre,
                candidate=candidate,
                assessor=assessor,
                internal_verifier=internal_verifier,
                qualification=qualification,
            )
        )
    return registrations

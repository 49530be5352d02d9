from types import SimpleNamespace

import pytest

from accounts.models import Role

from .factories import make_evidence, make_qualification, make_registration, make_unit


@pytest.fixture
def world(centre, make_user):
    """A centre with a candidate on a two-unit qualification, their assessor, IV and a centre admin."""
    candidate = make_user("cand", centre, Role.CANDIDATE, email="cand@example.org", first_name="Cara")
    assessor = make_user("ass", centre, Role.ASSESSOR, first_name="Adam", last_name="Assessor")
    iv = make_user("iv1", centre, Role.INTERNAL_VERIFIER)
    admin = make_user("adm", centre, Role.CENTRE_ADMIN)
    unit = make_unit(number="101", criteria=2)
    other_unit = make_unit(number="102", criteria=2)
    qualification = make_qualification(mandatory=[unit, other_unit])
    registration = make_registration(
        centre=centre,
        candidate=candidate,
        assessor=assessor,
        internal_verifier=iv,
        qualification=qualification,
    )
    evidence = make_evidence(registration=registration, title="Customer email")
    return SimpleNamespace(
        centre=centre,
        candidate=candidate,
        assessor=assessor,
        iv=iv,
        admin=admin,
        unit=unit,
        other_unit=other_unit,
        qualification=qualification,
        registration=registration,
        evidence=evidence,
        make_user=make_user,
    )

"""The test-data layer's scenarios reach their states through the services, with the trail a centre leaves."""

import pytest

from accounts.models import Role
from assessment.models import UnitAssessment, UnitSignOff
from audit.actions import Action
from audit.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_factory_user_holds_the_roles_asked_for_and_has_the_test_password():
    centre = f.CentreFactory()
    user = f.person(centre, Role.ASSESSOR, Role.INTERNAL_VERIFIER)
    assert user.roles_in(centre) == {Role.ASSESSOR, Role.INTERNAL_VERIFIER}
    assert user.check_password(f.PASSWORD)


def test_a_unit_factory_makes_its_criteria():
    unit = f.UnitFactory(with_criteria__outcomes=2, with_criteria__criteria=3)
    assert sorted(unit.criteria.values_list("ref", flat=True)) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]


def test_a_registration_with_a_signed_unit_went_through_the_services():
    world = f.registration_with_signed_unit()
    ua = world.unit_assessment
    assert ua.status == UnitAssessment.Status.SIGNED and ua.signed_by == world.assessor
    assert UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        Action.REGISTRATION_CREATED,
        Action.EVIDENCE_MAPPED,
        Action.AUTHENTICITY_SIGNED,
        Action.UNIT_SIGNED_OFF,
    } <= actions


def test_a_sampled_and_referred_unit_is_open_again_with_the_referral_waiting():
    world = f.sampled_and_referred_unit()
    assert world.unit_assessment.status == UnitAssessment.Status.OPEN
    assert world.referral.referral_status == "open" and world.referral.mapping == world.mapping
    assert world.sample_item.unit_assessment_id == world.unit_assessment.pk

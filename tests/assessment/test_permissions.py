"""The permission predicates: who may do what to a registration, tables of people against states."""

import pytest
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from assessment import permissions
from assessment.models import ActionPlan, AssessmentRecord, Registration, UnitAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    """The world's people plus a second assessor of the centre, a trainee, another centre's admin, and an IV
    who is also an assessor of the centre."""
    world.other_assessor = world.make_user("ass2", world.centre, Role.ASSESSOR)
    world.trainee = world.make_user("trainee", world.centre, Role.ASSESSOR, is_trainee_assessor=True)
    world.other_admin = world.make_user(
        "adm2", Centre.objects.create(name="Elsewhere", number="E1"), Role.CENTRE_ADMIN
    )
    Membership.objects.create(user=world.iv, centre=world.centre, role=Role.ASSESSOR)
    return world


def person(cast, name):
    return getattr(cast, name)


PEOPLE = ["assessor", "iv", "admin", "candidate", "other_assessor", "trainee", "other_admin"]


def ua_in_state(cast, status, *, signer=None, registration_status="active"):
    registration = cast.registration
    registration.status = registration_status
    ua = UnitAssessment.objects.get(registration=registration, unit=cast.unit)
    ua.registration = registration
    ua.status = status
    if status != "open":
        ua.signed_by, ua.signed_at = signer or cast.assessor, timezone.now()
    return ua


def test_who_is_who(cast):
    r = cast.registration
    table = {
        name: (
            permissions.is_assessor_of(person(cast, name), r),
            permissions.is_internal_verifier_of(person(cast, name), r),
            permissions.is_candidate_of(person(cast, name), r),
            permissions.is_centre_admin(person(cast, name), r.centre_id),
        )
        for name in PEOPLE
    }
    assert table == {
        "assessor": (True, False, False, False),
        "iv": (False, True, False, False),
        "admin": (False, False, False, True),
        "candidate": (False, False, True, False),
        "other_assessor": (False, False, False, False),
        "trainee": (False, False, False, False),
        "other_admin": (False, False, False, False),
    }


def test_the_assessor_of_record_must_still_hold_the_assessor_role(cast):
    Membership.objects.filter(user=cast.assessor, role=Role.ASSESSOR).delete()
    assert not permissions.is_assessor_of(User.objects.get(pk=cast.assessor.pk), cast.registration)


@pytest.mark.parametrize(
    "status,expected", [("active", {"assessor"}), ("certified", set()), ("withdrawn", set())]
)
def test_only_the_assessor_maps_and_only_while_the_registration_is_open(cast, status, expected):
    cast.registration.status = status
    assert {n for n in PEOPLE if permissions.can_map(person(cast, n), cast.registration)} == expected
    assert {n for n in PEOPLE if permissions.can_edit_registration(person(cast, n), cast.registration)} == (
        {"admin"} if status == "active" else set()
    )


@pytest.mark.parametrize(
    "status,registration_status,expected",
    [
        ("open", "active", {"assessor"}),
        ("signed", "active", set()),
        ("awaiting_countersignature", "active", set()),
        ("open", "certified", set()),
    ],
)
def test_sign_unit(cast, status, registration_status, expected):
    ua = ua_in_state(cast, status, registration_status=registration_status)
    assert {n for n in PEOPLE if permissions.can_sign_unit(person(cast, n), ua)} == expected


def test_countersignature_needs_a_qualified_assessor_who_neither_signed_nor_verifies(cast):
    ua = ua_in_state(cast, "awaiting_countersignature", signer=cast.trainee)
    cast.registration.assessor = cast.trainee
    # The IV holds the assessor role too, but must never verify a decision they countersigned.
    assert {n for n in PEOPLE if permissions.can_countersign(person(cast, n), ua)} == {
        "assessor",
        "other_assessor",
    }
    ua.status = "signed"
    assert not any(permissions.can_countersign(person(cast, n), ua) for n in PEOPLE)
    ua.status = "awaiting_countersignature"
    cast.registration.status = Registration.Status.CERTIFIED
    assert not any(permissions.can_countersign(person(cast, n), ua) for n in PEOPLE)


@pytest.mark.parametrize(
    "status,registration_status,by_referral,expected",
    [
        ("signed", "active", False, {"admin"}),
        ("awaiting_countersignature", "active", False, {"admin"}),
        ("signed", "active", True, {"iv"}),
        ("open", "active", False, set()),
        ("signed", "certified", False, set()),
        ("signed", "withdrawn", True, set()),
    ],
)
def test_reopen(cast, status, registration_status, by_referral, expected):
    ua = ua_in_state(cast, status, registration_status=registration_status)
    assert {
        n for n in PEOPLE if permissions.can_reopen(person(cast, n), ua, by_referral=by_referral)
    } == expected


def test_the_candidate_signs_and_agrees_only_what_is_open_and_unsigned(cast):
    ua = ua_in_state(cast, "open")
    record = AssessmentRecord(registration=cast.registration, kind="observation", assessor=cast.assessor)
    plan = ActionPlan(registration=cast.registration, created_by=cast.assessor)
    checks = {
        "authenticity": lambda p: permissions.can_sign_authenticity(p, ua),
        "record": lambda p: permissions.can_sign_record(p, record),
        "plan": lambda p: permissions.can_agree_plan(p, plan),
    }
    for name, check in checks.items():
        assert {n for n in PEOPLE if check(person(cast, n))} == {"candidate"}, name
    ua.authenticity_signed_at = record.candidate_signed_at = plan.agreed_at = timezone.now()
    assert not any(check(cast.candidate) for check in checks.values())
    ua.authenticity_signed_at = record.candidate_signed_at = plan.agreed_at = None
    cast.registration.status = Registration.Status.WITHDRAWN
    assert not any(check(cast.candidate) for check in checks.values())


def test_anonymous_and_missing_users_may_do_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    for nobody in (AnonymousUser(), None):
        assert not permissions.is_centre_admin(nobody, cast.centre.pk)
        assert not permissions.is_assessor_of(nobody, cast.registration)
        assert not permissions.can_map(nobody, cast.registration)


def test_predicates_query_only_the_memberships_and_not_at_all_when_prefetched(
    cast, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert permissions.can_map(cast.assessor, cast.registration)
    assessor = User.objects.prefetch_related(Prefetch("memberships")).get(pk=cast.assessor.pk)
    ua = ua_in_state(cast, "open")
    with django_assert_num_queries(0):
        assert permissions.can_map(assessor, cast.registration)
        assert permissions.can_sign_unit(assessor, ua)
        assert not permissions.can_reopen(assessor, ua)


def test_each_predicate_is_one_definition_reached_by_name_from_templates_and_has_perm(cast):
    """Services and views call the predicate; a template asks `test_rule` by name; `user.has_perm` goes through
    rules' backend: the same function each time."""
    import rules
    from django.template import Context, Template

    ua = ua_in_state(cast, "open")
    ua.registration = cast.registration
    template = Template('{% load rules %}{% test_rule "assessment.sign_unit" user ua as may %}{{ may }}')
    for name, predicate in permissions.RULES.items():
        assert rules.rule_exists(name) and rules.perm_exists(name), name
    for who in PEOPLE:
        user = person(cast, who)
        expected = permissions.can_sign_unit(user, ua)
        assert rules.test_rule("assessment.sign_unit", user, ua) is expected
        assert user.has_perm("assessment.sign_unit", ua) is expected
        assert template.render(Context({"user": user, "ua": ua})) == str(expected)
    assert permissions.can_sign_unit(cast.assessor, ua) and not permissions.can_sign_unit(cast.candidate, ua)

"""A certified or withdrawn registration is closed: every assessment decision on it is refused, and the pages
offer no actions and say why."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from assessment import services
from assessment.models import (
    ActionPlan,
    AssessmentRecord,
    EvidenceMapping,
    Feedback,
    Registration,
    UnitAssessment,
)
from audit.models import AuditEntry
from evidence.models import EvidenceItem
from tests import factories
from tests.conftest import PASSWORD

from .factories import make_evidence

pytestmark = pytest.mark.django_db


def _ua(w, unit=None):
    return UnitAssessment.objects.get(registration=w.registration, unit=unit or w.unit)


def _ready_to_sign(w, unit=None):
    unit = unit or w.unit
    factories.map_unit(w, unit, method="observation", evidence=w.evidence)
    services.authenticity_sign(unit_assessment=_ua(w, unit), actor=w.candidate)
    return _ua(w, unit)


def _mapping(w):
    return services.mapping_add(
        registration=w.registration,
        evidence=w.evidence,
        actor=w.assessor,
        criteria=[w.unit.criteria.first()],
        method="observation",
        decision="accepted",
    )[0]


def _trainee_signed(w):
    w.assessor.is_trainee_assessor = True
    w.assessor.save()
    return services.unit_sign_off(unit_assessment=_ready_to_sign(w), actor=w.assessor, password=PASSWORD)


def _record(w):
    return services.record_create(
        registration=w.registration,
        actor=w.assessor,
        kind="observation",
        date=dt.date(2026, 3, 1),
        description="Seen",
        criteria=[w.unit.criteria.first()],
    )


def _plan(w):
    return services.action_plan_create(
        registration=w.registration,
        actor=w.assessor,
        items=[("Collect a witness statement", dt.date(2026, 5, 1), [])],
    )


# Each case sets up what it needs while the registration is open and returns the refused action.
CASES = {
    "mapping_add": lambda w: (
        lambda item: (
            lambda: services.mapping_add(
                registration=w.registration,
                evidence=item,
                actor=w.assessor,
                criteria=[w.unit.criteria.first()],
                method="observation",
                decision="accepted",
            )
        )
    )(make_evidence(registration=w.registration)),
    "mapping_decide": lambda w: (
        lambda m: (
            lambda: services.mapping_decide(
                mapping=m, actor=w.assessor, decision="not_yet", reason="Too thin"
            )
        )
    )(_mapping(w)),
    "mapping_remove": lambda w: (lambda m: lambda: services.mapping_remove(mapping=m, actor=w.assessor))(
        _mapping(w)
    ),
    "authenticity_sign": lambda w: (
        lambda: services.authenticity_sign(unit_assessment=_ua(w), actor=w.candidate)
    ),
    "unit_sign_off": lambda w: (
        lambda ua: lambda: services.unit_sign_off(unit_assessment=ua, actor=w.assessor, password=PASSWORD)
    )(_ready_to_sign(w)),
    "unit_countersign": lambda w: (
        lambda ua, senior: (
            lambda: services.unit_countersign(unit_assessment=ua, actor=senior, password=PASSWORD)
        )
    )(_trainee_signed(w), w.make_user("senior", w.centre, Role.ASSESSOR)),
    "unit_reopen": lambda w: (
        lambda ua: lambda: services.unit_reopen(unit_assessment=ua, actor=w.admin, reason="Misdated evidence")
    )(_trainee_signed(w)),
    "unit_reopen_by_referral": lambda w: (
        lambda ua: (
            lambda: services.unit_reopen(unit_assessment=ua, actor=w.iv, reason="Referred", by_referral=True)
        )
    )(_trainee_signed(w)),
    "record_create": lambda w: lambda: _record(w),
    "record_candidate_sign": lambda w: (
        lambda r: lambda: services.record_candidate_sign(record=r, actor=w.candidate)
    )(_record(w)),
    "action_plan_create": lambda w: lambda: _plan(w),
    "action_plan_agree": lambda w: (lambda p: lambda: services.action_plan_agree(plan=p, actor=w.candidate))(
        _plan(w)
    ),
    "feedback_give": lambda w: (
        lambda: services.feedback_give(registration=w.registration, actor=w.assessor, text="Well done")
    ),
    "registration_update": lambda w: (
        lambda new: (
            lambda: services.registration_update(
                registration=w.registration,
                actor=w.admin,
                assessor=new,
                internal_verifier=w.iv,
                optional_units=[],
                expires_on=dt.date(2030, 1, 1),
            )
        )
    )(w.make_user("ass9", w.centre, Role.ASSESSOR)),
}


def _state(w):
    """Everything the refused actions could have changed."""
    registration = Registration.objects.get(pk=w.registration.pk)
    return {
        "audit": AuditEntry.objects.count(),
        "registration": (
            registration.assessor_id,
            registration.internal_verifier_id,
            registration.expires_on,
        ),
        "units": sorted(
            UnitAssessment.objects.filter(registration=w.registration).values_list(
                "pk", "status", "version", "round", "authenticity_signed_at", "countersigned_by"
            )
        ),
        "mappings": sorted(EvidenceMapping.objects.values_list("pk", "decision", "version")),
        "records": sorted(AssessmentRecord.objects.values_list("pk", "candidate_signed_at")),
        "plans": sorted(ActionPlan.objects.values_list("pk", "agreed_at")),
        "feedback": Feedback.objects.count(),
        "evidence": sorted(EvidenceItem.objects.values_list("pk", "locked_at")),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_decision_on_a_certified_registration_is_refused_and_changes_nothing(world, case):
    act = CASES[case](world)
    Registration.objects.filter(pk=world.registration.pk).update(status=Registration.Status.CERTIFIED)
    before = _state(world)
    with pytest.raises(ValidationError) as refused:
        act()  # the objects in hand still say "active": the services read the status afresh
    assert refused.value.messages == [services.REGISTRATION_LOCKED.format(status="certified")]
    assert _state(world) == before


def test_a_withdrawn_registration_is_closed_too(world):
    ua = _ready_to_sign(world)
    Registration.objects.filter(pk=world.registration.pk).update(status=Registration.Status.WITHDRAWN)
    with pytest.raises(ValidationError) as refused:
        services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    assert refused.value.messages == [services.REGISTRATION_LOCKED.format(status="withdrawn")]
    assert _ua(world).status == "open"


def _certify(world):
    Registration.objects.filter(pk=world.registration.pk).update(status=Registration.Status.CERTIFIED)
    return services.REGISTRATION_LOCKED.format(status="certified")


def test_a_post_to_a_closed_registration_changes_nothing_and_says_why(client, world):
    message = _certify(world)
    before = _state(world)
    client.force_login(world.assessor)
    url = reverse("assessment:evidence_map", args=[world.registration.pk, world.evidence.pk])
    response = client.post(
        url,
        {
            "criteria": [c.pk for c in world.unit.criteria.all()],
            "method": "observation",
            "decision": "accepted",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _state(world) == before


def test_closed_pages_hide_the_actions_and_say_why(client, world):
    services.authenticity_sign(unit_assessment=_ua(world, world.other_unit), actor=world.candidate)
    _plan(world)
    message = _certify(world)
    reg = world.registration.pk
    client.force_login(world.assessor)
    hub = client.get(reverse("assessment:registration_detail", args=[reg])).content.decode()
    assert message in hub
    assert reverse("assessment:record_new", args=[reg, "observation"]) not in hub
    assert reverse("assessment:evidence_map", args=[reg, world.evidence.pk]) not in hub
    matrix = client.get(reverse("assessment:unit_matrix", args=[reg, world.unit.pk])).content.decode()
    assert message in matrix and reverse("assessment:unit_sign", args=[reg, world.unit.pk]) not in matrix
    mapping_page = client.get(
        reverse("assessment:evidence_map", args=[reg, world.evidence.pk])
    ).content.decode()
    assert message in mapping_page and "Save mapping" not in mapping_page
    form_page = client.get(reverse("assessment:feedback_new", args=[reg]), follow=True)
    assert form_page.redirect_chain[-1][0] == reverse("assessment:registration_detail", args=[reg])
    assert message in form_page.content.decode()
    client.force_login(world.admin)
    hub = client.get(reverse("assessment:registration_detail", args=[reg])).content.decode()
    assert reverse("assessment:registration_edit", args=[reg]) not in hub
    client.force_login(world.candidate)
    progress = client.get(reverse("assessment:progress_detail", args=[reg])).content.decode()
    assert message in progress
    assert reverse("assessment:authenticity_sign", args=[reg, world.unit.pk]) not in progress
    assert "I agree this action plan" not in progress

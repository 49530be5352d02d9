"""Mapping, sign-off, locking, countersignature, reopening, records, feedback: the services' decisions."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Role
from assessment import services
from assessment.models import EvidenceMapping, UnitAssessment, UnitSignOff
from audit.actions import Action
from audit.models import AuditEntry
from evidence.models import EvidenceItem
from tests.conftest import PASSWORD

from .factories import add_requirement, make_evidence, make_qualification, make_registration, make_unit

pytestmark = pytest.mark.django_db


def ua_of(world, unit=None):
    return UnitAssessment.objects.get(registration=world.registration, unit=unit or world.unit)


def map_all(world, unit=None, evidence=None, method="product_evidence"):
    unit = unit or world.unit
    return services.mapping_add(
        registration=world.registration,
        evidence=evidence or world.evidence,
        actor=world.assessor,
        criteria=list(unit.criteria.all()),
        method=method,
        location="p. 1",
        decision="accepted",
    )


def ready_to_sign(world):
    map_all(world)
    services.authenticity_sign(unit_assessment=ua_of(world), actor=world.candidate)
    return ua_of(world)


def test_mapping_across_units_locks_the_evidence_and_is_audited(world):
    criteria = [world.unit.criteria.first(), world.other_unit.criteria.first()]
    created = services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=criteria,
        method="observation",
        location="00:02",
        decision="accepted",
    )
    assert {m.unit_id for m in created} == {world.unit.pk, world.other_unit.pk}
    world.evidence.refresh_from_db()
    assert world.evidence.locked_at is not None
    assert AuditEntry.objects.filter(action=Action.EVIDENCE_MAPPED, object_id=str(world.evidence.pk)).exists()


def test_not_yet_needs_a_reason_and_only_the_assessor_maps(world):
    criterion = world.unit.criteria.first()
    with pytest.raises(ValidationError, match="Say why"):
        services.mapping_add(
            registration=world.registration,
            evidence=world.evidence,
            actor=world.assessor,
            criteria=[criterion],
            method="observation",
            decision="not_yet",
            reason=" ",
        )
    with pytest.raises(ValidationError, match=re.escape(services.NOT_ASSESSOR)):
        services.mapping_add(
            registration=world.registration,
            evidence=world.evidence,
            actor=world.iv,
            criteria=[criterion],
            method="observation",
            decision="accepted",
        )
    assert not EvidenceMapping.objects.exists()


def test_simulation_evidence_is_refused_for_a_real_work_only_unit(world):
    strict = make_unit(number="401", rwe_allowed=False, simulation_allowed=False)
    world.registration.qualification.memberships.create(unit=strict, status="mandatory", order=9)
    drill = make_evidence(
        registration=world.registration, context=EvidenceItem.Context.SIMULATION, title="Role play"
    )
    with pytest.raises(ValidationError, match="does not accept simulation"):
        services.mapping_add(
            registration=world.registration,
            evidence=drill,
            actor=world.assessor,
            criteria=[strict.criteria.first()],
            method="observation",
            decision="accepted",
        )


def test_sign_off_refusal_names_what_is_missing(world):
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=[world.unit.criteria.get(ref="1.1")],
        method="observation",
        decision="accepted",
    )
    with pytest.raises(ValidationError) as refused:
        services.unit_sign_off(unit_assessment=ua_of(world), actor=world.assessor, password=PASSWORD)
    text = " ".join(refused.value.messages)
    assert "1.2" in text and "authenticity statement" in text
    assert ua_of(world).status == "open" and not UnitSignOff.objects.exists()


def test_at_least_two_observed_blocks_until_two_observations(world):
    add_requirement(world.unit, ref="1b", criteria=["1.1"])
    ua = ready_to_sign(world)
    with pytest.raises(ValidationError, match="at least 2 pieces of evidence by observation"):
        services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    records = [
        services.record_create(
            registration=world.registration,
            actor=world.assessor,
            kind="observation",
            date=dt.date(2026, 3, day),
            place="Shop floor",
            description="Greeted callers",
            criteria=[world.unit.criteria.get(ref="1.1")],
        )
        for day in (1, 2)
    ]
    # The unit now relies on the two observation records: the candidate signs them first.
    with pytest.raises(
        ValidationError,
        match="has not signed the records this unit relies on: Observation record "
        "01/03/2026, Observation record 02/03/2026",
    ):
        services.unit_sign_off(unit_assessment=ua_of(world), actor=world.assessor, password=PASSWORD)
    for record in records:
        services.record_candidate_sign(record=record, actor=world.candidate)
    ua = services.unit_sign_off(unit_assessment=ua_of(world), actor=world.assessor, password=PASSWORD)
    assert ua.status == "signed"


def test_sign_off_rechecks_the_password(world):
    ua = ready_to_sign(world)
    with pytest.raises(ValidationError, match=re.escape(services.BAD_PASSWORD)):
        services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password="wrong")
    assert ua_of(world).status == "open"


def test_signed_unit_locks_its_mappings_and_refuses_new_ones(world):
    ua = services.unit_sign_off(unit_assessment=ready_to_sign(world), actor=world.assessor, password=PASSWORD)
    assert ua.status == "signed" and ua.is_locked and UnitSignOff.objects.count() == 1
    mapping = EvidenceMapping.objects.first()
    with pytest.raises(ValidationError, match="signed off and locked"):
        services.mapping_decide(mapping=mapping, actor=world.assessor, decision="not_yet", reason="redo")
    with pytest.raises(ValidationError, match="signed off and locked"):
        services.mapping_remove(mapping=mapping, actor=world.assessor)
    other = make_evidence(registration=world.registration)
    with pytest.raises(ValidationError, match="signed off and locked"):
        map_all(world, evidence=other)
    with pytest.raises(ValidationError, match="already signed"):
        services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    assert AuditEntry.objects.filter(action=Action.UNIT_SIGNED_OFF).count() == 1


def test_stale_version_is_refused_not_overwritten(world):
    ua = ready_to_sign(world)
    seen = ua.version
    mapping = EvidenceMapping.objects.first()
    services.mapping_decide(
        mapping=mapping,
        actor=world.assessor,
        decision="not_yet",
        reason="unclear",
        expected_version=mapping.version,
    )
    with pytest.raises(ValidationError, match="Someone else changed this unit"):
        services.unit_sign_off(
            unit_assessment=ua, actor=world.assessor, password=PASSWORD, expected_version=seen
        )
    with pytest.raises(ValidationError, match="Someone else changed"):  # the other tab's decision, also stale
        services.mapping_decide(
            mapping=mapping, actor=world.assessor, decision="accepted", expected_version=mapping.version
        )


def test_trainee_sign_off_waits_for_a_qualified_countersignature(world):
    world.assessor.is_trainee_assessor = True
    world.assessor.save()
    ua = services.unit_sign_off(unit_assessment=ready_to_sign(world), actor=world.assessor, password=PASSWORD)
    assert ua.status == "awaiting_countersignature" and ua.is_locked
    other_trainee = world.make_user("trainee2", world.centre, Role.ASSESSOR, is_trainee_assessor=True)
    for person in (world.assessor, other_trainee):
        with pytest.raises(ValidationError, match="qualified assessor"):
            services.unit_countersign(unit_assessment=ua, actor=person, password=PASSWORD)
    world.iv.memberships.create(centre=world.centre, role=Role.ASSESSOR)
    with pytest.raises(
        ValidationError, match="qualified assessor"
    ):  # the IV must not verify their own decision
        services.unit_countersign(unit_assessment=ua, actor=world.iv, password=PASSWORD)
    qualified = world.make_user("senior", world.centre, Role.ASSESSOR)
    ua = services.unit_countersign(unit_assessment=ua, actor=qualified, password=PASSWORD)
    assert ua.status == "signed" and ua.countersigned_by == qualified
    assert UnitSignOff.objects.get().countersigned_by == qualified


def test_reopen_needs_a_reason_and_the_right_person(world):
    ua = services.unit_sign_off(unit_assessment=ready_to_sign(world), actor=world.assessor, password=PASSWORD)
    with pytest.raises(ValidationError, match="Write the reason"):
        services.unit_reopen(unit_assessment=ua, actor=world.admin, reason="  ")
    with pytest.raises(ValidationError, match=re.escape(services.REOPEN_NOT_ALLOWED)):
        services.unit_reopen(unit_assessment=ua, actor=world.assessor, reason="I want to")
    ua = services.unit_reopen(unit_assessment=ua, actor=world.admin, reason="Evidence 3 was misdated")
    assert ua.status == "open" and ua.round == 2
    entry = AuditEntry.objects.get(action=Action.UNIT_REOPENED)
    assert entry.details["reason"] == "Evidence 3 was misdated" and entry.details["by_referral"] is False
    # signed again in round 2, then an IV referral reopens it
    ua = services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    ua = services.unit_reopen(
        unit_assessment=ua, actor=world.iv, reason="Referred: 1.2 thin", by_referral=True
    )
    assert ua.round == 3 and UnitSignOff.objects.filter(reopened_at__isnull=False).count() == 2


def test_unit_without_criteria_text_cannot_be_signed(world):
    bare = make_unit(number="303", has_criteria_text=False)
    qualification = make_qualification(mandatory=[bare])
    registration = make_registration(
        centre=world.centre,
        candidate=world.candidate,
        assessor=world.assessor,
        internal_verifier=world.iv,
        qualification=qualification,
    )
    ua = UnitAssessment.objects.get(registration=registration)
    services.authenticity_sign(unit_assessment=ua, actor=world.candidate)
    with pytest.raises(ValidationError, match="only the structure-table row"):
        services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)


def test_feedback_email_goes_out_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback = services.feedback_give(
            registration=world.registration,
            actor=world.assessor,
            text="Good start; add a second observed call.",
            unit=world.unit,
        )
    # Two callbacks: the feedback email, and the in-app notice (which sends no second email).
    assert mail.outbox == [] and len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cand@example.org"]
    assert "unit T-101" in mail.outbox[0].subject
    feedback.refresh_from_db()
    assert feedback.emailed_at is not None


def test_action_plan_is_agreed_by_the_candidate_only(world):
    plan = services.action_plan_create(
        registration=world.registration,
        actor=world.assessor,
        items=[("Collect two witness statements", dt.date(2026, 4, 1), list(world.unit.criteria.all()))],
    )
    with pytest.raises(ValidationError, match=re.escape(services.NOT_CANDIDATE)):
        services.action_plan_agree(plan=plan, actor=world.assessor)
    assert services.action_plan_agree(plan=plan, actor=world.candidate).agreed_at is not None


def test_records_become_locked_accepted_evidence(world):
    record = services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="questioning",
        date=dt.date(2026, 3, 3),
        description="After the call",
        questions_and_answers="Q: why? A: because.",
        criteria=list(world.unit.criteria.all()),
    )
    item = record.evidence_item
    assert item.locked_at is not None and item.candidate == world.candidate
    assert set(EvidenceMapping.objects.filter(evidence=item).values_list("method", "decision")) == {
        ("questioning", "accepted")
    }
    services.record_candidate_sign(record=record, actor=world.candidate)
    with pytest.raises(ValidationError, match=re.escape(services.RECORD_ALREADY_SIGNED)):
        services.record_candidate_sign(record=record, actor=world.candidate)


def test_nobody_verifies_their_own_assessments_at_registration(world):
    world.iv.memberships.create(centre=world.centre, role=Role.ASSESSOR)
    with pytest.raises(ValidationError, match="cannot be the candidate's assessor"):
        services.registration_create(
            actor=world.admin,
            centre=world.centre,
            candidate=world.candidate,
            qualification=world.qualification,
            assessor=world.iv,
            internal_verifier=world.iv,
            registered_on=dt.date(2026, 1, 1),
        )


def test_changing_the_assessor_or_iv_is_audited_by_name(world):
    new_assessor = world.make_user("ass2", world.centre, Role.ASSESSOR)
    services.registration_update(
        registration=world.registration,
        actor=world.admin,
        assessor=new_assessor,
        internal_verifier=world.iv,
        optional_units=[],
        expires_on=dt.date(2029, 1, 5),
    )
    entry = AuditEntry.objects.get(action=Action.REGISTRATION_ASSESSOR_CHANGED)
    assert entry.details == {"from": "ass", "to": "ass2"} and entry.actor == world.admin
    with pytest.raises(ValidationError, match=re.escape(services.NOT_CENTRE_ADMIN)):
        services.registration_update(
            registration=world.registration,
            actor=world.assessor,
            assessor=world.assessor,
            internal_verifier=world.iv,
            optional_units=[],
            expires_on=None,
        )

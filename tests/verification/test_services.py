"""Sampling, decisions, referrals and the own-assessment guard through the services and the database."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from assessment.models import UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from verification import selectors, services
from verification.models import SampleItem, VerificationDecision

from .conftest import sign


def item_for(plan, ua, stage="summative"):
    services.sample_accept(
        plan=plan, actor=plan.created_by, decision_keys=[selectors.decision_key(ua.pk, stage)]
    )
    return SampleItem.objects.get(plan=plan, unit_assessment=ua, stage=stage)


def test_plan_is_set_by_an_iv_or_admin_only(world, plan):
    assert plan.min_share_percent == 100
    with pytest.raises(ValidationError, match=services.NOT_IV_OR_ADMIN):
        services.plan_create(
            actor=world.ann,
            centre=world.centre,
            qualification=world.qualification,
            period_start=plan.period_start,
            period_end=plan.period_end,
            min_share_percent=20,
        )


def test_proposal_covers_every_unit_method_and_assessor(signed_world, plan):
    overview = selectors.plan_overview(plan)
    assert overview.proposal.unmet == []
    sample = services.sample_accept(plan=plan, actor=signed_world.ivy)
    items = list(sample.items.all())
    # 100% share: both candidates (one per assessor); both units and both methods.
    assert {i.unit_assessment.registration_id for i in items} == {signed_world.reg1.pk, signed_world.reg2.pk}
    assert {i.unit_assessment.unit_id for i in items} == {signed_world.u101.pk, signed_world.u102.pk}
    after = selectors.plan_overview(plan)
    assert after.coverage.unsampled_units == [] and after.coverage.unsampled_methods == []
    with pytest.raises(ValidationError, match=services.NOTHING_TO_SAMPLE):
        services.sample_accept(plan=plan, actor=signed_world.ivy)


def test_flagged_assessor_has_every_candidate_sampled(signed_world, world, plan):
    plan.min_share_percent = 1
    plan.save()
    third = world.make_user("eve", world.centre, "candidate")
    from tests.assessment.factories import make_registration

    from .conftest import map_evidence

    reg3 = make_registration(
        centre=world.centre,
        candidate=third,
        assessor=world.ann,
        internal_verifier=world.pat,
        qualification=world.qualification,
    )
    map_evidence(reg3, world.u101, world.ann)
    sign(
        world.ua(world.reg1, world.u101).__class__.objects.get(registration=reg3, unit=world.u101), world.ann
    )
    services.assessor_flag_set(actor=world.ivy, centre=world.centre, assessor=world.ann, flag="new")
    proposal = selectors.plan_overview(plan).proposal
    ann_candidates = {d.candidate for d in proposal.items if d.assessor == "ann"}
    assert ann_candidates == {f"r{world.reg1.pk}", f"r{reg3.pk}"}


def test_sites_are_covered(signed_world, plan):
    services.candidate_site_set(actor=signed_world.admin, registration=signed_world.reg1, site="Leeds")
    services.candidate_site_set(actor=signed_world.admin, registration=signed_world.reg2, site="York")
    overview = selectors.plan_overview(plan)
    assert overview.coverage.unsampled_sites == ["Leeds", "York"]
    services.sample_accept(plan=plan, actor=signed_world.ivy)
    assert selectors.plan_overview(plan).coverage.unsampled_sites == []


def test_interim_decisions_are_sampleable(world, plan):
    from .conftest import map_evidence

    map_evidence(world.reg1, world.u101, world.ann)  # mapped, not signed: interim
    keys = [d.id for d in selectors.plan_pool(plan).decisions]
    assert keys == [selectors.decision_key(world.ua(world.reg1, world.u101).pk, "interim")]


def test_agree_records_a_decision_and_an_audit_row(signed_world, plan):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    decision = services.decision_record(item=item, actor=w.pat, outcome="agreed", comments="Sound.")
    assert decision.assessor == w.ann and decision.verifier == w.pat
    assert AuditEntry.objects.filter(action=Action.VERIFICATION_AGREED, object_id=str(decision.pk)).exists()
    assert selectors.iv_signatures_for(w.reg1)[w.u101.pk].verifier == str(w.pat)


# --- the own-assessment guard --------------------------------------------------------------------------
def test_assessor_on_one_registration_cannot_verify_it_as_iv(signed_world, plan):
    """pat assesses reg2 and is an internal verifier (of reg1): pat may not verify reg2's units."""
    w = signed_world
    item = item_for(plan, w.ua(w.reg2, w.u101))
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    assert not VerificationDecision.objects.exists()


def test_iv_who_signed_the_unit_before_a_reassignment_cannot_verify_it(signed_world, plan):
    """pat signed reg2's unit as its assessor; later reg2 is given to ann with pat as its IV."""
    w = signed_world
    from assessment.models import Registration

    Registration.objects.filter(pk=w.reg2.pk).update(assessor=w.ann, internal_verifier=w.pat)
    item = item_for(plan, w.ua(w.reg2, w.u102))
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="x")


def test_only_the_registrations_iv_decides(signed_world, plan):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    with pytest.raises(ValidationError, match=services.NOT_REGISTRATION_IV):
        services.decision_record(item=item, actor=w.ivy, outcome="agreed")
    with pytest.raises(ValidationError, match=services.NOT_IV):
        services.decision_record(item=item, actor=w.ann, outcome="agreed")


def test_database_check_constraint_refuses_verifier_equal_to_assessor(signed_world, plan):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationDecision.objects.create(
            item=item,
            unit_assessment=item.unit_assessment,
            verifier=w.ivy,
            assessor=w.ivy,
            outcome="agreed",
            unit_round=1,
        )


def test_database_trigger_refuses_a_verifier_who_assessed_the_unit(signed_world, plan):
    """Even when the row lies about the assessor, the trigger finds who signed and mapped the unit."""
    w = signed_world
    item = item_for(plan, w.ua(w.reg2, w.u101))  # signed and mapped by pat
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.create(
            item=item,
            unit_assessment=item.unit_assessment,
            verifier=w.pat,
            assessor=w.ann,
            outcome="agreed",
            unit_round=1,
        )
    ok = VerificationDecision.objects.create(
        item=item,
        unit_assessment=item.unit_assessment,
        verifier=w.ivy,
        assessor=w.pat,
        outcome="agreed",
        unit_round=1,
    )
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.filter(pk=ok.pk).update(verifier=w.pat)


# --- referrals --------------------------------------------------------------------------------------
def test_referral_reopens_the_unit_and_emails_the_assessor(
    signed_world, plan, django_capture_on_commit_callbacks
):
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    item = item_for(plan, ua)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decision_record(
            item=item, actor=w.pat, outcome="referred", action_points="Add a second observation."
        )
    ua.refresh_from_db()
    assert ua.status == UnitAssessment.Status.OPEN and ua.round == 2
    assert decision.is_open_referral
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.org"]
    assert "Add a second observation." in mail.outbox[0].body
    assert list(selectors.referrals_for_assessor(w.ann)) == [decision]


def test_referral_needs_action_points(signed_world, plan):
    w = signed_world
    item = item_for(plan, w.ua(w.reg1, w.u101))
    with pytest.raises(ValidationError, match=services.ACTION_POINTS_REQUIRED):
        services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="  ")


def test_agreeing_waits_for_the_answer_the_new_sign_off_and_the_closed_referral(signed_world, plan):
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    item = item_for(plan, ua)
    referral = services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="Fix it.")
    with pytest.raises(ValidationError, match="cannot be agreed while a referral on it is open"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    with pytest.raises(ValidationError, match=services.REFERRAL_UNANSWERED):
        services.referral_close(decision=referral, actor=w.pat, note="Done.")
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="Observed again.")
    sign(ua, w.ann)
    with pytest.raises(ValidationError, match="cannot be agreed while a referral on it is open"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    services.referral_close(decision=referral, actor=w.pat, note="Second observation seen.")
    services.decision_record(item=item, actor=w.pat, outcome="agreed")
    referral.refresh_from_db()
    assert referral.referral_closed_at is not None and referral.referral_status == "closed"
    assert selectors.item_states([item])[0].status == "agreed"


def test_iv_closes_a_referral_only_with_a_note_once_answered(signed_world, plan):
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    item = item_for(plan, ua)
    referral = services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="Fix it.")
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="Done it.")
    with pytest.raises(ValidationError, match=services.CLOSE_NOTE_REQUIRED):
        services.referral_close(decision=referral, actor=w.pat, note="  ")
    services.referral_close(decision=referral, actor=w.pat, note="Done.")
    assert not selectors.open_referrals_for(w.pat).exists()
    assert selectors.item_states([item])[0].status == "waiting"
    with pytest.raises(ValidationError, match=services.REFERRAL_CLOSED):
        services.referral_close(decision=referral, actor=w.pat, note="again")


def test_assessors_signing_after_a_referral_counts_as_an_assessor_of_the_unit(signed_world, plan):
    w = signed_world
    assert selectors.assessors_of(w.ua(w.reg1, w.u101)) == {w.ann.pk}

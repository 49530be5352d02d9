"""The internal verification sampling record prints what the internal verifier recorded: the stage of each
sampled unit, the decisions, comments and action points."""

import datetime as dt

import pytest
from django.utils import timezone

from assessment.models import EvidenceMapping, Method, UnitAssessment
from printing import registry
from qualifications.models import AssessmentCriterion, Unit
from tests.printing.pdftext import pdf_text
from tests.verification.conftest import sign
from verification import selectors, services


@pytest.fixture
def sampled(completed, registration, people):
    """401 signed and sampled summatively: referred back, re-signed, agreed. 402 in progress, sampled at the
    interim stage and agreed. 403 not sampled."""
    iv, assessor = people["iv"], people["assessor"]
    u401, u402 = completed["unit"], Unit.objects.get(ref="4430-402")
    today = timezone.localdate()
    UnitAssessment.objects.filter(registration=registration, unit=u401).update(signed_at=timezone.now())
    criterion = AssessmentCriterion.objects.filter(unit=u402).first()
    EvidenceMapping.objects.create(
        registration=registration,
        evidence=completed["evidence"],
        criterion=criterion,
        unit=u402,
        method=Method.OBSERVATION,
        decision="accepted",
        assessed_by=assessor,
        assessed_at=timezone.now() - dt.timedelta(hours=1),
    )
    plan = services.plan_create(
        actor=iv,
        centre=registration.centre,
        qualification=registration.qualification,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
        min_share_percent=100,
    )
    ua401 = UnitAssessment.objects.get(registration=registration, unit=u401)
    ua402, _ = UnitAssessment.objects.get_or_create(registration=registration, unit=u402)
    sample = services.sample_accept(
        plan=plan,
        actor=iv,
        decision_keys=[
            selectors.decision_key(ua401.pk, "summative"),
            selectors.decision_key(ua402.pk, "interim"),
        ],
    )
    item401 = sample.items.get(unit_assessment=ua401)
    item402 = sample.items.get(unit_assessment=ua402)
    referral = services.decision_record(
        item=item401,
        actor=iv,
        outcome="referred",
        comments="Minutes alone are thin.",
        action_points="Add a witness testimony for 1.3 & 1.4.",
    )
    services.referral_answer(
        decision=referral, actor=assessor, kind="explanation", text="Witness testimony added."
    )
    sign(ua401, assessor)
    services.referral_close(decision=referral, actor=iv, note="Witness testimony seen.")
    services.decision_record(
        item=item401, actor=iv, outcome="agreed", comments="Witness testimony now covers 1.3."
    )
    services.decision_record(
        item=item402, actor=iv, outcome="agreed", comments="Good start on 402 <b>so far</b>."
    )
    return {"u401": u401, "u402": u402}


def test_sampling_record_prints_stages_decisions_comments_and_action_points(sampled, registration):
    text = pdf_text(registry.render_completed(registry.get_form("iv-sampling-record"), registration))
    assert "Internal verification sampling record" in text
    row401 = text[text.index("401 Demonstrate") : text.index("402 ")]
    assert "Summative" in row401 and "Referred back" in row401 and "Agreed" in row401
    assert "Comments: Minutes alone are thin." in row401
    assert "Action points: Add a witness testimony for 1.3 & 1.4." in row401
    assert "Actions done, referral closed" in row401
    assert "Comments: Witness testimony now covers 1.3." in row401
    assert "Signed electronically by Ivy Verifier" in row401
    assert "Adam Assessor" in row401
    row402 = text[text.index("402 ") :]
    assert "Interim" in row402 and "Comments: Good start on 402 <b>so far</b>." in row402
    # Unit 403 is not sampled: its row carries no decision.
    assert "Decision waiting" not in text


def test_sampling_record_data(sampled, registration):
    record = selectors.sampling_record_for(registration)
    (entry,) = record[sampled["u401"].pk]
    assert entry.stage == "Summative" and [d.outcome for d in entry.decisions] == ["Referred back", "Agreed"]
    assert entry.decisions[0].closed_at is not None
    (interim,) = record[sampled["u402"].pk]
    assert (
        interim.stage == "Interim" and interim.assessor == "Adam Assessor" and interim.assessed_on is not None
    )


def test_blank_sampling_record_lists_every_unit_with_the_choices(catalogue):
    text = pdf_text(registry.render_blank(registry.get_form("iv-sampling-record"), catalogue))
    assert "401 Demonstrate understanding of customer service management" in text
    assert "Interim / Summative" in text and "Agree / Refer back" in text


def test_only_a_summative_agreement_signs_the_units_achievement(sampled, registration):
    """402 was agreed at the interim stage, in progress: sampled (yes), but no IV signature on its
    achievement; 401, agreed once signed off, carries the IV's signature."""
    signatures = selectors.iv_signatures_for(registration)
    assert signatures[sampled["u401"].pk].verifier == "Ivy Verifier"
    assert signatures[sampled["u401"].pk].outcome == "Agreed"
    assert signatures[sampled["u402"].pk].sampled and not signatures[sampled["u402"].pk].verifier
    text = pdf_text(registry.render_completed(registry.get_form("unit-summary"), registration))
    assert text.count("Signed electronically by Ivy Verifier") == 1

"""The internal verifier agrees or refers back single assessment decisions (evidence mappings) from the
sampled unit's page, under the same own-assessment guard as decisions on whole units."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from assessment.models import EvidenceMapping, UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from verification import selectors, services
from verification.models import SampleItem, VerificationDecision

from .conftest import map_evidence, sign


def sampled(w, plan, reg, unit):
    services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(reg, unit).pk, "summative")]
    )
    return SampleItem.objects.get(unit_assessment=w.ua(reg, unit))


def decide_url(item, mapping):
    return reverse("verification:mapping_decide", args=[item.pk, mapping.pk])


@pytest.fixture
def item(signed_world, plan):
    """reg1's unit 101: assessed and signed by ann, internally verified by pat."""
    return sampled(signed_world, plan, signed_world.reg1, signed_world.u101)


def mappings_of(w, reg, unit):
    return list(EvidenceMapping.objects.filter(registration=reg, unit=unit).order_by("criterion__number"))


def test_page_lists_each_assessment_decision_with_agree_and_refer_back(client, signed_world, item):
    w = signed_world
    client.force_login(w.pat)
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    for m in mappings_of(w, w.reg1, w.u101):
        assert decide_url(item, m) in page
    assert page.count(">Agree<") == 2 and page.count(">Refer back<") == 2


def test_iv_agrees_one_assessment_decision_without_settling_the_unit(client, signed_world, item):
    w = signed_world
    m1, _m2 = mappings_of(w, w.reg1, w.u101)
    client.force_login(w.pat)
    response = client.post(decide_url(item, m1), {"outcome": "agreed", "note": "Clear minutes."}, follow=True)
    assert f"Assessment decision {selectors.mapping_label(m1)} agreed." in response.content.decode()
    decision = VerificationDecision.objects.get()
    assert (decision.mapping, decision.outcome, decision.comments) == (m1, "agreed", "Clear minutes.")
    assert decision.assessor == w.ann and decision.verifier == w.pat
    entry = AuditEntry.objects.get(action=Action.VERIFICATION_AGREED)
    assert entry.details["mapping"] == m1.pk and entry.details["mapping_label"] == selectors.mapping_label(m1)
    # The unit itself still waits for the IV's decision; the recording form carries no IV signature yet.
    assert selectors.item_states([item])[0].status == "waiting"
    assert w.u101.pk not in {k for k, v in selectors.iv_signatures_for(w.reg1).items() if v.verifier}
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert "Agreed by Pat Both" in page


def test_referring_one_decision_back_reopens_the_unit_and_tells_the_assessor(
    client, signed_world, item, django_capture_on_commit_callbacks
):
    w = signed_world
    m1, m2 = mappings_of(w, w.reg1, w.u101)
    client.force_login(w.pat)
    response = client.post(decide_url(item, m1), {"outcome": "referred", "note": ""}, follow=True)
    assert services.ACTION_POINTS_REQUIRED in response.content.decode()
    assert not VerificationDecision.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(item, m1), {"outcome": "referred", "note": "Say where in the minutes."})
    referral = VerificationDecision.objects.get()
    assert (
        referral.is_open_referral
        and referral.mapping == m1
        and referral.action_points == "Say where in the minutes."
    )
    assert (
        w.ua(w.reg1, w.u101).__class__.objects.get(pk=item.unit_assessment_id).status
        == UnitAssessment.Status.OPEN
    )
    assert len(mail.outbox) == 1 and selectors.mapping_label(m1) in mail.outbox[0].body
    assert selectors.item_states([item])[0].status == "referred"
    # The same decision cannot be referred twice; another decision of the unit can.
    with pytest.raises(ValidationError, match="already referred back"):
        services.decision_record(
            item=item, actor=w.pat, outcome="referred", action_points="again", mapping=m1
        )
    services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="Date it.", mapping=m2)
    assert selectors.open_referrals_for(w.pat).count() == 2


def test_a_referred_decision_is_agreed_once_the_assessor_answered_it_then_the_unit(signed_world, item):
    w = signed_world
    m1, _m2 = mappings_of(w, w.reg1, w.u101)
    referral = services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Check 1.1.", mapping=m1
    )
    with pytest.raises(ValidationError, match="actions are not done yet"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=m1, comments="ok")
    with pytest.raises(ValidationError, match=services.REFERRAL_UNANSWERED):
        services.referral_close(decision=referral, actor=w.pat, note="ok")
    services.referral_answer(
        decision=referral,
        actor=w.ann,
        kind="corrected_decision",
        text="Re-read: it is met.",
        corrected_decision="accepted",
    )
    with pytest.raises(ValidationError, match=services.CLOSE_NOTE_REQUIRED):
        services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=m1)
    services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=m1, comments="Now clear.")
    referral.refresh_from_db()
    assert referral.referral_closed_at is not None and referral.closure_note == "Now clear."
    assert selectors.item_states([item])[0].status == "waiting"  # the unit is still to be agreed
    with pytest.raises(ValidationError, match="not signed off"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    sign(w.ua(w.reg1, w.u101), w.ann)
    services.decision_record(item=item, actor=w.pat, outcome="agreed")
    assert selectors.item_states([item])[0].status == "agreed"
    assert selectors.claim_checks([w.reg1])[0].pending == []


def test_the_unit_is_not_agreed_while_a_decisions_referral_is_open(signed_world, item):
    w = signed_world
    m1, _m2 = mappings_of(w, w.reg1, w.u101)
    referral = services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Check 1.1.", mapping=m1
    )
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="Checked.")
    sign(w.ua(w.reg1, w.u101), w.ann)
    before = AuditEntry.objects.filter(action=Action.VERIFICATION_DECISION_REFUSED).count()
    with pytest.raises(ValidationError, match="cannot be agreed while a referral on it is open"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    assert AuditEntry.objects.filter(action=Action.VERIFICATION_DECISION_REFUSED).count() == before + 1
    assert selectors.item_states([item])[0].status == "referred"


def test_an_agreed_unit_referred_through_one_decision_needs_agreeing_again(signed_world, item):
    w = signed_world
    m1, _m2 = mappings_of(w, w.reg1, w.u101)
    services.decision_record(item=item, actor=w.pat, outcome="agreed")
    referral = services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Check.", mapping=m1
    )
    assert selectors.item_states([item])[0].status == "referred"
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="Checked.")
    sign(w.ua(w.reg1, w.u101), w.ann)
    services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=m1, comments="Fine.")
    assert selectors.item_states([item])[0].status == "waiting"
    services.decision_record(item=item, actor=w.pat, outcome="agreed")
    assert selectors.item_states([item])[0].status == "agreed"


def test_the_assessor_may_remove_a_referred_decision(signed_world, item):
    from assessment.services import mapping_remove

    w = signed_world
    m1, _m2 = mappings_of(w, w.reg1, w.u101)
    referral = services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Wrong evidence.", mapping=m1
    )
    mapping_remove(mapping=m1, actor=w.ann)
    referral.refresh_from_db()
    assert referral.mapping is None and referral.is_open_referral


# --- the own-assessment guard --------------------------------------------------------------------------
def test_page_and_service_refuse_the_verifiers_own_assessment(client, signed_world, plan):
    """pat assessed reg2's unit and is an internal verifier: no buttons, the POST is refused, nothing saved."""
    w = signed_world
    item = sampled(w, plan, w.reg2, w.u101)
    m1 = mappings_of(w, w.reg2, w.u101)[0]
    client.force_login(w.pat)
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert decide_url(item, m1) not in page and "nobody verifies their own assessment" in page
    response = client.post(decide_url(item, m1), {"outcome": "agreed", "note": ""}, follow=True)
    assert "nobody verifies their own assessment" in response.content.decode()
    assert not VerificationDecision.objects.exists()


def test_a_decision_the_verifier_mapped_is_refused(signed_world, item):
    """An assessment decision made by the IV (e.g. as the assessor before a reassignment)."""
    w = signed_world
    other_unit = EvidenceMapping.objects.filter(registration=w.reg1, unit=w.u102).first()
    with pytest.raises(ValidationError, match=services.MAPPING_NOT_IN_UNIT):
        services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=other_unit)
    mine = EvidenceMapping.objects.filter(registration=w.reg1, unit=w.u101).first()
    EvidenceMapping.objects.filter(pk=mine.pk).update(assessed_by=w.pat)
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=mine)
    assert not VerificationDecision.objects.exists()


# --- access matrix ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who, status",
    [
        ("cara", 404),
        ("ann", 404),
        ("admin", 404),
        ("ev", 404),  # not internal verifiers: the access table
        ("ivy", 302),  # an IV here, not this candidate's: refused
        ("pat", 302),  # the candidate's IV: recorded
    ],
)
def test_access_matrix(client, signed_world, item, who, status):
    w = signed_world
    m1 = mappings_of(w, w.reg1, w.u101)[0]
    client.force_login(getattr(w, who))
    response = client.post(decide_url(item, m1), {"outcome": "agreed", "note": ""})
    assert response.status_code == status
    assert VerificationDecision.objects.exists() == (who == "pat")
    if who == "ivy":
        page = client.get(response["Location"]).content.decode()
        assert escape(services.NOT_REGISTRATION_IV) in page


def test_other_centre_unknown_or_foreign_mapping_is_404_and_get_is_refused(
    client, signed_world, item, other_centre, make_user
):
    w = signed_world
    m1 = mappings_of(w, w.reg1, w.u101)[0]
    foreign = mappings_of(w, w.reg2, w.u101)[0]
    client.force_login(w.pat)
    assert client.get(decide_url(item, m1)).status_code == 405
    assert client.post(decide_url(item, foreign), {"outcome": "agreed"}).status_code == 404
    assert (
        client.post(
            reverse("verification:mapping_decide", args=[item.pk, 999999]), {"outcome": "agreed"}
        ).status_code
        == 404
    )
    stranger = make_user("stranger", other_centre, Role.INTERNAL_VERIFIER)
    client.force_login(stranger)
    assert client.post(decide_url(item, m1), {"outcome": "agreed"}).status_code == 404
    assert not VerificationDecision.objects.exists()


def test_sampled_unit_page_does_a_constant_number_of_queries(client, signed_world, item):
    w = signed_world
    client.force_login(w.pat)
    url = reverse("verification:item_detail", args=[item.pk])
    services.decision_record(
        item=item, actor=w.pat, outcome="agreed", mapping=mappings_of(w, w.reg1, w.u101)[0]
    )
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(4):
        map_evidence(w.reg1, w.u101, w.ann)
    for m in mappings_of(w, w.reg1, w.u101)[1:]:
        services.decision_record(item=item, actor=w.pat, outcome="agreed", mapping=m)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert page.count(">Agree<") == 10
    assert len(after.captured_queries) == len(before.captured_queries)


def test_sampling_record_names_the_assessment_decision(signed_world, item):
    w = signed_world
    m1 = mappings_of(w, w.reg1, w.u101)[0]
    services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Check 1.1.", mapping=m1
    )
    (entry,) = selectors.sampling_record_for(w.reg1)[w.u101.pk]
    assert entry.decisions[0].mapping == selectors.mapping_label(m1) and entry.decisions[0].action_points

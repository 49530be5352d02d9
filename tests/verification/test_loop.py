"""The verification loop: state changes through the transition tables, referrals as the assessor's work, the
IV's review page with the evidence, claims as the awarding body takes them, and plan form errors in words."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Notification
from assessment import selectors as assessment_selectors
from assessment import services as assessment_services
from assessment.models import EvidenceMapping, Registration, UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from tests.assessment.factories import make_evidence
from verification import selectors, services
from verification.models import CertificationClaim, SampleItem, VerificationDecision

from .conftest import map_evidence, sign


def sample(w, plan, reg, unit):
    services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[selectors.decision_key(w.ua(reg, unit).pk, "summative")]
    )
    return SampleItem.objects.get(unit_assessment=w.ua(reg, unit))


def refer_one(w, item, reg=None, unit=None):
    mapping = (
        EvidenceMapping.objects.filter(registration=reg or w.reg1, unit=unit or w.u101).order_by("id").first()
    )
    referral = services.decision_record(
        item=item,
        actor=w.pat,
        outcome="referred",
        mapping=mapping,
        action_points="Say where in the minutes 1.1 is shown.",
    )
    return mapping, referral


# --- 1. transitions -----------------------------------------------------------------------------------
def test_every_table_lists_each_state_and_only_known_targets():
    for model in (Registration, UnitAssessment, SampleItem, CertificationClaim):
        assert set(model.TRANSITIONS) == set(model.Status.values)
        assert all(t <= set(model.Status.values) for t in model.TRANSITIONS.values())
    states = {"open", "answered", "closed"}
    assert set(VerificationDecision.TRANSITIONS) == states
    assert all(t <= states for t in VerificationDecision.TRANSITIONS.values())


def test_admin_withdraws_with_a_reason_and_reinstates_within_the_period(client, world):
    w = world
    client.force_login(w.admin)
    url = reverse("assessment:registration_status", args=[w.reg1.pk])
    assert "Withdraw the candidate" in client.get(url).content.decode()
    refused = client.post(url, {"action": "withdraw", "reason": " "}, follow=True)
    assert escape(assessment_services.WITHDRAW_REASON_REQUIRED) in refused.content.decode()
    w.reg1.refresh_from_db()
    assert w.reg1.status == "active"
    assert AuditEntry.objects.filter(action=Action.REGISTRATION_WITHDRAW_REFUSED).count() == 1
    client.post(url, {"action": "withdraw", "reason": "Left the employer."})
    w.reg1.refresh_from_db()
    assert w.reg1.status == "withdrawn" and w.reg1.status_reason == "Left the employer."
    page = client.get(url).content.decode()
    assert "Reinstate the candidate" in page and "Left the employer." in page
    client.post(url, {"action": "reinstate", "reason": "Back at work."})
    w.reg1.refresh_from_db()
    assert w.reg1.status == "active"
    assert list(
        AuditEntry.objects.filter(action__in=["registration_withdrawn", "registration_reinstated"])
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["registration_withdrawn", "registration_reinstated"]


def test_reinstating_after_the_registration_period_is_refused(world):
    w = world
    assessment_services.registration_withdraw(registration=w.reg1, actor=w.admin, reason="Moved away.")
    Registration.objects.filter(pk=w.reg1.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="registration period ended"):
        assessment_services.registration_reinstate(registration=w.reg1, actor=w.admin)
    w.reg1.refresh_from_db()
    assert w.reg1.status == "withdrawn"


def test_forged_post_along_a_forbidden_transition_is_refused_and_audited(client, signed_world, plan):
    """A certified registration cannot be reinstated nor withdrawn: the table has no such move."""
    w = signed_world
    for unit in (w.u101, w.u102):
        item = sample(w, plan, w.reg1, unit)
        services.decision_record(item=item, actor=w.pat, outcome="agreed")
    services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    client.force_login(w.admin)
    url = reverse("assessment:registration_status", args=[w.reg1.pk])
    for action in ("reinstate", "withdraw"):
        before = AuditEntry.objects.count()
        response = client.post(url, {"action": action, "reason": "forged"})
        assert response.status_code == 400
        assert "cannot go from “Certified”" in response.content.decode()
        assert AuditEntry.objects.count() == before + 1
        assert AuditEntry.objects.order_by("-id").first().action.endswith("_refused")
    w.reg1.refresh_from_db()
    assert w.reg1.status == "certified"


def test_a_unit_moves_only_along_its_table(signed_world):
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    ua.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot go from “Signed off” to “Awaiting countersignature”"):
        assessment_services.unit_assessment_transition(
            ua=ua, actor=w.ann, to="awaiting_countersignature", action="x"
        )
    ua.refresh_from_db()
    assert ua.status == "signed"


# --- 2. referrals as work ------------------------------------------------------------------------------
def test_the_assessor_sees_answers_and_the_iv_closes_with_a_note(
    client, signed_world, plan, django_capture_on_commit_callbacks
):
    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    with django_capture_on_commit_callbacks(execute=True):
        mapping, referral = refer_one(w, item)
    notice = Notification.objects.get(user=w.ann)
    assert notice.kind == "referral_new" and notice.url == reverse(
        "verification:referral_answer", args=[referral.pk]
    )
    client.force_login(w.ann)
    dashboard = client.get(reverse("dashboards:assessor")).content.decode()
    assert "1</span> referral to answer" in dashboard
    listing = client.get(reverse("verification:assessor_referrals")).content.decode()
    assert "Say where in the minutes" in listing and referral.due_on.strftime("%d/%m/%Y") in listing
    assert "Referred back by IV" in client.get(reverse("assessment:caseload")).content.decode()
    unit_page = client.get(reverse("assessment:unit_matrix", args=[w.reg1.pk, w.u101.pk])).content.decode()
    assert unit_page.count("Referred back by IV") >= 3  # the banner, the criterion, the decision
    criterion_page = client.get(
        reverse("assessment:criterion_detail", args=[w.reg1.pk, mapping.criterion_id])
    ).content.decode()
    assert "Referred back by IV" in criterion_page
    # The unit cannot be re-signed while the referral is unanswered.
    ua = w.ua(w.reg1, w.u101)
    ua.refresh_from_db()
    assert ua.status == "open"
    problems = assessment_services.sign_off_problems(ua)
    assert any("answer the referral first" in p for p in problems)
    # ... and the referral alone holds it back, so the caseload does not call it ready to sign
    assert [p for p in problems if "answer the referral first" not in p] == []
    [row] = [r for r in assessment_selectors.caseload_for(w.ann) if r.registration.pk == w.reg1.pk]
    assert w.u101 not in row.ready_to_sign
    # Answer with new evidence: mapped to the referred criterion, accepted.
    new = make_evidence(registration=w.reg1, title="Minutes, page 2")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("verification:referral_answer", args=[referral.pk]),
            {
                "kind": "new_evidence",
                "text": "Added the second page of the minutes.",
                "evidence": new.pk,
                "location": "page 2",
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.referral_status == "answered" and referral.answer_evidence == new
    assert EvidenceMapping.objects.filter(
        evidence=new, criterion=mapping.criterion, decision="accepted"
    ).exists()
    assert Notification.objects.filter(user=w.pat, kind="referral_answered").exists()
    assert not any("answer the referral first" in p for p in assessment_services.sign_off_problems(ua))
    # The IV sees the answer and the new evidence on the review page; closing needs a note.
    client.force_login(w.pat)
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert "Added the second page of the minutes." in page and "Minutes, page 2" in page
    refused = client.post(
        reverse("verification:referral_close", args=[referral.pk]), {"note": ""}, follow=True
    )
    assert services.CLOSE_NOTE_REQUIRED in refused.content.decode()
    client.post(reverse("verification:referral_close", args=[referral.pk]), {"note": "Page 2 shows it."})
    referral.refresh_from_db()
    assert referral.referral_status == "closed" and referral.closure_note == "Page 2 shows it."


def test_agreeing_a_unit_with_an_open_referral_is_refused_with_an_audit_row(client, signed_world, plan):
    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    refer_one(w, item)
    client.force_login(w.pat)
    before = AuditEntry.objects.filter(action=Action.VERIFICATION_DECISION_REFUSED).count()
    response = client.post(
        reverse("verification:item_decide", args=[item.pk]), {"outcome": "agreed"}, follow=True
    )
    assert "cannot be agreed while a referral on it is open" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.VERIFICATION_DECISION_REFUSED).count() == before + 1
    item.refresh_from_db()
    assert item.status == "referred"
    assert not VerificationDecision.objects.filter(outcome="agreed").exists()


def test_send_back_reopens_the_referral_for_the_assessor(signed_world, plan):
    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    _, referral = refer_one(w, item)
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="It is there.")
    services.referral_send_back(decision=referral, actor=w.pat, note="Still cannot find it.")
    referral.refresh_from_db()
    assert referral.referral_status == "open" and "Still cannot find it." in referral.action_points


# --- 3. the IV's review page -----------------------------------------------------------------------------
def test_review_page_shows_criterion_wording_evidence_declaration_and_feedback(client, signed_world, plan):
    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    mapping = (
        EvidenceMapping.objects.filter(registration=w.reg1, unit=w.u101)
        .select_related("criterion", "evidence")
        .first()
    )
    EvidenceMapping.objects.filter(pk=mapping.pk).update(location="page 3")
    from assessment.models import Feedback

    Feedback.objects.create(registration=w.reg1, unit=w.u101, author=w.ann, text="Well done on 1.1.")
    client.force_login(w.pat)
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert mapping.criterion.text in page
    assert reverse("evidence:detail", args=[mapping.evidence_id]) in page
    assert "What I did." in page  # the statement text
    assert "page 3" in page and "Observation" in page
    assert "Well done on 1.1." in page
    assert "Candidate&#x27;s declaration" in page or "Candidate's declaration" in page


# --- 4. claims -----------------------------------------------------------------------------------------
def test_unit_claims_keep_the_candidate_active_then_the_full_claim_closes(client, world, plan):
    """Reproduces the report: a unit claim used to close the registration as certified."""
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    claim = services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    w.reg1.refresh_from_db()
    assert claim.units == ["TV-101"] and w.reg1.status == "active"
    # Still assessed on another unit.
    map_evidence(w.reg1, w.u102, w.ann)
    with pytest.raises(ValidationError, match=services.UNIT_ALREADY_CLAIMED.format(unit="TV-101")):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="units", units=["TV-101"])
    assert AuditEntry.objects.filter(action=Action.CERTIFICATION_CLAIM_REFUSED).count() == 1
    sign(w.ua(w.reg1, w.u102), w.ann)
    second = services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    assert second.units == ["TV-102"]
    # Full claim: the plan samples every unit and method at 100%: refused with the plan's reason first.
    with pytest.raises(ValidationError, match="sampling plan needs"):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="full")
    for unit in (w.u101, w.u102):
        services.decision_record(item=sample(w, plan, w.reg1, unit), actor=w.pat, outcome="agreed")
    client.force_login(w.admin)
    url = reverse("verification:claim_submit", args=[w.reg1.pk])
    page = client.get(url + "?kind=full").content.decode()
    assert "I confirm: this claim closes the registration" in page
    unconfirmed = client.post(url, {"kind": "full"})
    assert unconfirmed.status_code == 400 and not CertificationClaim.objects.filter(kind="full").exists()
    client.post(url, {"kind": "full", "confirmed": "on"})
    w.reg1.refresh_from_db()
    assert w.reg1.status == "certified"
    assert CertificationClaim.objects.filter(registration=w.reg1).count() == 3


def test_exit_claim_withdraws_and_blocks_reinstatement(client, world):
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    client.force_login(w.admin)
    url = reverse("verification:claim_submit", args=[w.reg1.pk])
    assert "the candidate is withdrawn" in client.get(url + "?kind=exit").content.decode()
    refused = client.post(url, {"kind": "exit", "confirmed": "on", "reason": ""})
    assert services.EXIT_REASON_REQUIRED in refused.content.decode()
    client.post(url, {"kind": "exit", "confirmed": "on", "reason": "Left the company.", "unit": ["TV-101"]})
    w.reg1.refresh_from_db()
    assert w.reg1.status == "withdrawn" and w.reg1.status_reason == "Left the company."
    assert CertificationClaim.objects.get(registration=w.reg1).kind == "exit"
    with pytest.raises(ValidationError, match="exit claim closed it"):
        assessment_services.registration_reinstate(registration=w.reg1, actor=w.admin)
    with pytest.raises(ValidationError, match=services.CLAIM_EXISTS):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")


def test_a_withdrawn_candidate_gets_no_unit_claim(world):
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    assessment_services.registration_withdraw(registration=w.reg1, actor=w.admin, reason="Left.")
    with pytest.raises(ValidationError, match="not active"):
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    assert AuditEntry.objects.filter(action=Action.CERTIFICATION_CLAIM_REFUSED).exists()
    assert services.claim_submit(registration=w.reg1, actor=w.admin, kind="exit").kind == "exit"


def test_a_cancelled_unit_claim_frees_its_units(world):
    w = world
    map_evidence(w.reg1, w.u101, w.ann)
    sign(w.ua(w.reg1, w.u101), w.ann)
    claim = services.claim_submit(registration=w.reg1, actor=w.admin, kind="units")
    with pytest.raises(ValidationError, match=services.CANCEL_REASON_REQUIRED):
        services.claim_cancel(claim=claim, actor=w.admin, reason="")
    services.claim_cancel(claim=claim, actor=w.admin, reason="Wrong candidate number.")
    assert services.claim_submit(registration=w.reg1, actor=w.admin, kind="units").units == ["TV-101"]


def test_csv_one_row_per_claim_with_accreditation_numbers(client, world):
    import csv
    import io

    w = world
    type(w.u101).objects.filter(pk=w.u101.pk).update(accreditation_number="R/601/6071")
    Registration.objects.filter(pk=w.reg1.pk).update(candidate_number="C123")
    for unit in (w.u101, w.u102):
        map_evidence(w.reg1, unit, w.ann)
        sign(w.ua(w.reg1, unit), w.ann)
        services.claim_submit(registration=w.reg1, actor=w.admin, kind="units", units=[unit.ref])
    client.force_login(w.admin)
    rows = list(csv.reader(io.StringIO(client.get(reverse("verification:claim_export")).content.decode())))
    assert rows[0][:8] == [
        "centre_number",
        "candidate",
        "candidate_number",
        "qualification",
        "units",
        "credits",
        "claimed_on",
        "kind",
    ]
    assert [r[4] for r in rows[1:]] == ["TV-101 (R/601/6071)", "TV-102"]
    assert [r[2] for r in rows[1:]] == ["C123", "C123"] and [r[7] for r in rows[1:]] == ["units", "units"]


# --- query counts at two sizes -------------------------------------------------------------------------
def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow_claims(w, n):
    from tests.assessment.factories import make_registration

    for i in range(n):
        cand = w.make_user(f"c{n}_{i}", w.centre, "candidate", first_name="C", last_name=str(i))
        reg = make_registration(
            centre=w.centre,
            candidate=cand,
            assessor=w.ann,
            internal_verifier=w.pat,
            qualification=w.qualification,
        )
        map_evidence(reg, w.u101, w.ann)
        sign(UnitAssessment.objects.get(registration=reg, unit=w.u101), w.ann)
        services.claim_submit(registration=reg, actor=w.admin, kind="units")


def test_claim_pages_do_constant_queries_as_claims_grow(client, world):
    w = world
    client.force_login(w.admin)
    _grow_claims(w, 1)
    small = [_queries(client, reverse(n)) for n in ("verification:claim_list", "verification:claim_export")]
    _grow_claims(w, 4)
    large = [_queries(client, reverse(n)) for n in ("verification:claim_list", "verification:claim_export")]
    assert small == large


def test_referral_pages_do_constant_queries_as_referrals_grow(client, signed_world, plan):
    w = signed_world
    services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[selectors.decision_key(w.ua(w.reg1, u).pk, "summative") for u in (w.u101, w.u102)],
    )
    mappings = list(EvidenceMapping.objects.filter(registration=w.reg1).order_by("id"))
    item_of = {i.unit_assessment.unit_id: i for i in SampleItem.objects.select_related("unit_assessment")}

    def refer(m):
        services.decision_record(
            item=item_of[m.unit_id],
            actor=w.pat,
            outcome="referred",
            mapping=m,
            action_points=f"Check {m.pk}.",
        )

    refer(mappings[0])
    client.force_login(w.ann)
    urls = [
        reverse("verification:assessor_referrals"),
        reverse("assessment:caseload"),
        reverse("dashboards:assessor"),
        reverse("accounts:notifications"),
        reverse("assessment:unit_matrix", args=[w.reg1.pk, w.u101.pk]),
    ]
    small = [_queries(client, u) for u in urls]
    for m in mappings[1:]:
        refer(m)
    large = [_queries(client, u) for u in urls]
    assert small == large
    client.force_login(w.pat)
    item = item_of[w.u101.pk]
    assert _queries(client, reverse("verification:item_detail", args=[item.pk])) == _queries(
        client, reverse("verification:item_detail", args=[item_of[w.u102.pk].pk])
    )


# --- 5. form errors in words ---------------------------------------------------------------------------
def test_plan_form_says_constraints_in_words(client, world):
    w = world
    client.force_login(w.ivy)
    response = client.post(
        reverse("verification:plan_create"),
        {
            "centre": w.centre.pk,
            "qualification": w.qualification.pk,
            "period_start": "10/05/2026",
            "period_end": "01/05/2026",
            "min_share_percent": 25,
            "cover_units": "on",
        },
    )
    page = response.content.decode()
    assert "Constraint" not in page and "plan_period_ordered" not in page and "plan_has_a_stage" not in page
    from verification.forms import NO_STAGE, PERIOD_ORDER

    assert PERIOD_ORDER in page and NO_STAGE in page


def test_plan_page_names_people_methods_and_stages(client, signed_world, plan):
    w = signed_world
    client.force_login(w.ivy)
    page = client.get(reverse("verification:plan_detail", args=[plan.pk])).content.decode()
    assert "Assessor Ann Assessor" in page
    assert "method observation" not in page and "Method observation" in page
    assert "assessor ann" not in page


def test_plan_list_and_grid_name_stages_by_their_labels(client, signed_world, plan):
    w = signed_world
    client.force_login(w.ivy)
    page = client.get(reverse("verification:plan_list")).content.decode()
    row = page[page.index(w.qualification.code) :]
    assert "Interim, Summative" in row
    assert "interim, summative" not in page and "summative" not in row.replace("Summative", "")
    grid = client.get(reverse("verification:plan_detail", args=[plan.pk])).content.decode()
    assert "(summative)" not in grid and 'title="summative"' not in grid
    assert "(Summative stage)" in grid


def test_feedback_and_sign_off_awaited_reach_the_in_app_list(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    ua = w.ua(w.reg1, w.u101)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.feedback_give(
            registration=w.reg1, actor=w.ann, text="Good greeting.", unit=w.u101
        )
        assessment_services.authenticity_sign(unit_assessment=ua, actor=w.cara)
    feedback = Notification.objects.get(user=w.cara)
    assert feedback.kind == "feedback" and feedback.url == reverse(
        "assessment:progress_detail", args=[w.reg1.pk]
    )
    awaited = Notification.objects.get(user=w.ann)
    assert awaited.kind == "sign_off_awaited"
    assert awaited.url == reverse("assessment:unit_matrix", args=[w.reg1.pk, w.u101.pk])
    client.force_login(w.ann)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "awaits your sign-off" in page and awaited.url in page
    client.post(reverse("accounts:notifications"))
    assert not Notification.objects.filter(user=w.ann, read_at__isnull=True).exists()


def test_recording_form_pdf_prints_referred_back_by_iv(signed_world, plan):
    from printing import registry
    from tests.printing.pdftext import pdf_text

    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    refer_one(w, item)
    text = pdf_text(registry.render_completed(registry.get_form("recording-form"), w.reg1, w.u101))
    assert "Referred back by IV" in text


def test_evidence_map_and_ev_unit_page_show_referred_back_by_iv(client, signed_world, plan):
    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    mapping, _ = refer_one(w, item)
    client.force_login(w.ann)
    page = client.get(
        reverse("assessment:evidence_map", args=[w.reg1.pk, mapping.evidence_id])
    ).content.decode()
    assert "Referred back by IV" in page
    services.grant_create(
        actor=w.admin,
        centre=w.centre,
        external_verifier=w.ev,
        scope="candidates",
        expires_on=timezone.localdate(),
        registrations=[w.reg1],
    )
    client.force_login(w.ev)
    page = client.get(reverse("verification:ev_unit", args=[w.reg1.pk, w.u101.pk])).content.decode()
    assert "Referred back by IV" in page


# --- the candidate sees a referral on their progress page ----------------------------------------------
def test_candidate_progress_shows_referred_back_by_iv_while_the_referral_is_open(client, signed_world, plan):
    from assessment.selectors import REFERRAL_NEXT_ANSWERED, REFERRAL_NEXT_OPEN

    w = signed_world
    item = sample(w, plan, w.reg1, w.u101)
    mapping = (
        EvidenceMapping.objects.filter(registration=w.reg1, unit=w.u101)
        .select_related("criterion", "evidence")
        .order_by("id")
        .first()
    )
    referral = services.decision_record(
        item=item,
        actor=w.pat,
        outcome="referred",
        mapping=mapping,
        comments="Ann keeps accepting thin evidence; talk at standardisation.",
        action_points="Say where in the minutes 1.1 is shown.",
    )
    url = reverse("assessment:progress_detail", args=[w.reg1.pk])
    client.force_login(w.cara)
    page = client.get(url).content.decode()
    card = page[page.index('id="unit-101"') : page.index('id="unit-102"')]
    assert "Referred back by IV" in card
    assert "Say where in the minutes 1.1 is shown." in card
    assert mapping.criterion.ref in card and mapping.evidence.title in card
    assert escape(REFERRAL_NEXT_OPEN) in card and referral.due_on.strftime("%d/%m/%Y") in card
    # the IV's comments on the assessor's judgement are for the assessor, not the candidate
    assert "thin evidence" not in page
    assert "Referred back by IV" not in page[page.index('id="unit-102"') :]
    services.referral_answer(decision=referral, actor=w.ann, kind="explanation", text="It is on page 1.")
    card = client.get(url).content.decode()
    assert "Referred back by IV" in card and escape(REFERRAL_NEXT_ANSWERED) in card
    services.referral_close(decision=referral, actor=w.pat, note="Found it.")
    page = client.get(url).content.decode()
    assert "Referred back by IV" not in page and "Found it." not in page


def test_candidate_progress_does_constant_queries_as_referrals_grow(client, signed_world, plan):
    w = signed_world
    services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[selectors.decision_key(w.ua(w.reg1, u).pk, "summative") for u in (w.u101, w.u102)],
    )
    mappings = list(EvidenceMapping.objects.filter(registration=w.reg1).order_by("id"))
    item_of = {i.unit_assessment.unit_id: i for i in SampleItem.objects.select_related("unit_assessment")}

    def refer(m):
        services.decision_record(
            item=item_of[m.unit_id],
            actor=w.pat,
            outcome="referred",
            mapping=m,
            action_points=f"Check {m.pk}.",
        )

    refer(mappings[0])
    client.force_login(w.cara)
    url = reverse("assessment:progress_detail", args=[w.reg1.pk])
    small = _queries(client, url)
    for m in mappings[1:]:
        refer(m)
    assert _queries(client, url) == small
    page = client.get(url).content.decode()
    assert all(f"Check {m.pk}." in page for m in mappings)

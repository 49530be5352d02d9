"""Units signed at the sending centre stay signed: a unit whose sending-centre sign-off stands and all of whose
accepted decisions were imported arrives SIGNED, transferred (signed_by empty, the sending centre and signer kept
on the unit assessment), shown with its original signature, counted at once for progress and the rules of
combination, and confirmed or rejected by the receiving assessor on the prior-learning page. Until it is
confirmed no claim covers it and the internal verifier does not sample it; nothing else changes it."""

import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, Membership, Role
from assessment import selectors as assessment_selectors
from assessment import services as assessment_services
from assessment.models import EvidenceMapping, UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from portability import passport
from portability.importing import passport_import, prior_unit_decide
from portability.models import PassportImport
from printing import registry
from qualifications.models import AssessmentCriterion
from tests.assessment.factories import make_evidence
from tests.conftest import PASSWORD
from tests.printing.pdftext import flat, pdf_text
from tests.verification.conftest import map_evidence, sign
from tests.verification.test_pool_summary import _agree
from verification import selectors as verification_selectors
from verification import services as verification_services
from verification.models import PoolEntry, VerificationDecision


def export(w, tmp_path):
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    return path


def imported(w, tmp_path, other_centre, *, path=None):
    """reg1's passport (both units signed and claimed at Test Centre) imported at Other Centre."""
    path = path or export(w, tmp_path)
    people = SimpleNamespace(
        candidate=w.make_user(
            "cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate"
        ),
        assessor=w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving"),
        iv=w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER, first_name="Ian", last_name="Verifier"),
        admin=w.make_user("radmin", other_centre, Role.CENTRE_ADMIN, first_name="Rita", last_name="Admin"),
    )
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "cara2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
        stdout=io.StringIO(),
    )
    people.record = PassportImport.objects.get()
    people.registration = people.record.registration
    people.prior = {p.unit.ref: p for p in people.record.units.all()}
    return people


def ua_of(r, unit):
    return UnitAssessment.objects.get(registration=r.registration, unit=unit)


def imported_with_a_dropped_decision(w, tmp_path, other_centre):
    """As imported(), but this catalogue's text of unit 101 renumbered its first criterion since the export: the
    decisions on it are dropped as catalogue mismatches."""
    path = export(w, tmp_path)
    criterion = AssessmentCriterion.objects.filter(unit=w.u101).order_by("number").first()
    old_ref = criterion.ref
    AssessmentCriterion.objects.filter(pk=criterion.pk).update(ref="9.9")
    return imported(w, tmp_path, other_centre, path=path), old_ref


# --- 8. the decision-level mismatches are saved ----------------------------------------------------------------
@pytest.mark.django_db
def test_decision_level_mismatches_are_saved_on_the_import_record(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r, old_ref = imported_with_a_dropped_decision(w, tmp_path, other_centre)
    r.record.refresh_from_db()
    assert any(
        m.startswith(f"Unit TV-101: criterion {old_ref} is not in this catalogue")
        for m in r.record.mismatches
    ), r.record.mismatches


# --- 1. arrives signed ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_unit_signed_at_the_sending_centre_arrives_signed_with_its_original_signature(
    claimed_world, tmp_path, other_centre
):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    for unit in (w.u101, w.u102):
        ua, there = ua_of(r, unit), w.ua(w.reg1, unit)
        there.refresh_from_db()
        assert ua.status == UnitAssessment.Status.SIGNED and ua.is_transferred and ua.transfer_pending
        assert ua.signed_by is None and ua.signed_at == there.signed_at
        assert ua.transferred_from == "Test Centre (T001)" and ua.transferred_signer == "Ann Assessor"
        assert ua.transfer_confirmed_by is None and ua.transfer_confirmed_at is None
        assert ua.authenticity_signed_at == there.authenticity_signed_at
        assert r.prior[unit.ref].arrived_signed
    row = AuditEntry.objects.get(action=Action.UNIT_TRANSFERRED_IN, object_id=str(ua_of(r, w.u101).pk))
    assert row.details["transferred_from"] == "Test Centre (T001)" and row.details["to"] == "signed"
    assert r.record.mismatches == []


@pytest.mark.django_db
def test_the_database_refuses_a_signed_unit_with_neither_signer_nor_transfer(claimed_world):
    w = claimed_world
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitAssessment.objects.filter(pk=w.ua(w.reg1, w.u101).pk).update(signed_by=None)
    UnitAssessment.objects.filter(pk=w.ua(w.reg1, w.u101).pk).update(
        signed_by=None, transferred_from="Elsewhere (E1)"
    )  # signed at a sending centre: allowed


@pytest.mark.django_db
def test_a_unit_with_a_dropped_decision_arrives_open_and_the_mismatches_say_why(
    claimed_world, tmp_path, other_centre
):
    w = claimed_world
    r, _ = imported_with_a_dropped_decision(w, tmp_path, other_centre)
    assert ua_of(r, w.u101).status == UnitAssessment.Status.OPEN and not r.prior["TV-101"].arrived_signed
    assert ua_of(r, w.u102).status == UnitAssessment.Status.SIGNED and r.prior["TV-102"].arrived_signed
    r.record.refresh_from_db()
    assert any(
        m.startswith("Unit TV-101 was signed at the sending centre but ")
        and "not imported, so it arrives open" in m
        for m in r.record.mismatches
    ), r.record.mismatches


# --- 5. confirm / reject ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_confirming_keeps_the_unit_signed_and_maps_its_prior_evidence(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    before = ua_of(r, w.u101)
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    ua = ua_of(r, w.u101)
    assert ua.status == UnitAssessment.Status.SIGNED and ua.signed_at == before.signed_at
    assert ua.transfer_confirmed_by == r.assessor and ua.transfer_confirmed_at is not None
    assert not ua.transfer_pending and ua.transferred_signer == "Ann Assessor"
    mapped = EvidenceMapping.objects.filter(registration=r.registration, unit=w.u101)
    assert mapped.count() == 2 and {m.method for m in mapped} == {"rpl"}
    assert {m.assessed_by for m in mapped} == {r.assessor}
    assert AuditEntry.objects.filter(action=Action.UNIT_TRANSFER_CONFIRMED, object_id=str(ua.pk)).exists()
    r.prior["TV-101"].refresh_from_db()
    assert r.prior["TV-101"].status == "confirmed"


@pytest.mark.django_db
def test_rejecting_withdraws_the_unit_to_open_with_the_note_audited(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    original = dict(r.prior["TV-102"].source_sign_off)
    with pytest.raises(ValidationError):
        prior_unit_decide(prior_unit=r.prior["TV-102"], actor=r.assessor, confirm=False, note=" ")
    prior_unit_decide(prior_unit=r.prior["TV-102"], actor=r.assessor, confirm=False, note="Evidence too old")
    ua = ua_of(r, w.u102)
    assert ua.status == UnitAssessment.Status.OPEN and not ua.is_transferred and ua.round == 2
    assert ua.signed_at is None and ua.transferred_from == "" and ua.authenticity_signed_at is None
    row = AuditEntry.objects.get(action=Action.UNIT_TRANSFER_WITHDRAWN, object_id=str(ua.pk))
    assert row.details["note"] == "Evidence too old"
    assert row.details["previous"]["transferred_from"] == "Test Centre (T001)"
    r.prior["TV-102"].refresh_from_db()
    assert r.prior["TV-102"].status == "rejected" and r.prior["TV-102"].source_sign_off == original
    # from now on an open unit like any other: evidence is mapped and the unit signed here
    map_evidence(r.registration, w.u102, r.assessor)
    sign(ua, r.assessor)
    ua.refresh_from_db()
    assert ua.status == UnitAssessment.Status.SIGNED and ua.signed_by == r.assessor


@pytest.mark.django_db
def test_only_the_registrations_assessor_confirms_or_rejects(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    for person in (r.admin, r.iv, w.ann):
        with pytest.raises(PermissionDenied):
            prior_unit_decide(prior_unit=r.prior["TV-101"], actor=person, confirm=True)
        with pytest.raises(ValidationError, match="Only the candidate's assessor"):
            assessment_services.unit_transfer_confirm(unit_assessment=ua_of(r, w.u101), actor=person)
    assert ua_of(r, w.u101).transfer_pending


# --- 6. read-only -----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_transferred_unit_is_changed_by_no_other_path(client, claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    ua = ua_of(r, w.u101)
    message = "Unit TV-101 is a transferred unit, signed at Test Centre (T001)"
    refused = re.escape(message)
    with pytest.raises(ValidationError, match=refused):
        assessment_services.unit_sign_off(unit_assessment=ua, actor=r.assessor, password=PASSWORD)
    with pytest.raises(ValidationError, match=refused):
        assessment_services.unit_reopen(unit_assessment=ua, actor=r.admin, reason="Mistake")
    with pytest.raises(ValidationError, match=refused):
        assessment_services.unit_reopen(unit_assessment=ua, actor=r.iv, reason="Referred", by_referral=True)
    with pytest.raises(ValidationError, match=refused):
        assessment_services.authenticity_sign(unit_assessment=ua, actor=r.candidate)
    evidence = make_evidence(registration=r.registration)
    criterion = AssessmentCriterion.objects.filter(unit=w.u101).first()
    with pytest.raises(ValidationError, match=refused):
        assessment_services.mapping_add(
            registration=r.registration,
            evidence=evidence,
            actor=r.assessor,
            criteria=[criterion],
            method="observation",
            decision="accepted",
        )
    assert assessment_services.TRANSFERRED_UNIT.split("{")[0] in message
    assert "reopen it first" not in assessment_services.TRANSFERRED_UNIT
    # the pages: no sign-off or reopen form on the unit page; a forged POST is refused with the message
    client.force_login(r.admin)
    page = client.get(reverse("assessment:unit_matrix", args=[r.registration.pk, w.u101.pk])).content.decode()
    assert "reopen-heading" not in page
    response = client.post(
        reverse("assessment:unit_reopen", args=[r.registration.pk, w.u101.pk]), {"reason": "x"}, follow=True
    )
    assert message in response.content.decode()
    client.force_login(r.assessor)
    page = client.get(reverse("assessment:unit_matrix", args=[r.registration.pk, w.u101.pk])).content.decode()
    assert "sign-heading" not in page
    response = client.post(
        reverse("assessment:unit_sign", args=[r.registration.pk, w.u101.pk]),
        {"password": PASSWORD, "version": ua.version},
        follow=True,
    )
    assert message in response.content.decode()
    # the Django admin shows it and changes nothing
    superuser = w.make_user("root", None, is_superuser=True, is_staff=True)
    client.force_login(superuser)
    change = reverse("admin:assessment_unitassessment_change", args=[ua.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"status": "open", "transferred_from": ""}).status_code == 403
    after = ua_of(r, w.u101)
    assert (after.status, after.version, after.transferred_from) == (
        ua.status,
        ua.version,
        ua.transferred_from,
    )


# --- 2. shown with its original signature -----------------------------------------------------------------------
def original_text(w, unit):
    there = UnitAssessment.objects.get(pk=w.ua(w.reg1, unit).pk)
    return f"Signed at Test Centre (T001) on {timezone.localtime(there.signed_at):%d/%m/%Y} by Ann Assessor"


@pytest.mark.django_db
def test_the_unit_page_and_the_hub_show_the_original_signature(client, claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    expected = original_text(w, w.u101)
    client.force_login(r.assessor)
    unit_page = client.get(
        reverse("assessment:unit_matrix", args=[r.registration.pk, w.u101.pk])
    ).content.decode()
    assert expected in unit_page and "A transferred unit" in unit_page
    assert reverse("portability:provenance", args=[r.registration.pk]) in unit_page
    assert "Signed by None" not in unit_page
    hub = client.get(reverse("assessment:registration_detail", args=[r.registration.pk])).content.decode()
    assert hub.count("Signed at the sending centre (transferred)") == 2
    assert f"{expected}; waiting for the assessor here to confirm or reject it" in hub
    assert "Signed off<" not in hub and "to be re-signed" not in hub
    provenance = client.get(reverse("portability:provenance", args=[r.registration.pk])).content.decode()
    assert provenance.count("Signed at Test Centre (T001) on ") == 2
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    today = timezone.localdate().strftime("%d/%m/%Y")
    hub = client.get(reverse("assessment:registration_detail", args=[r.registration.pk])).content.decode()
    assert f"{expected}; confirmed here by Rosa Receiving on {today}" in hub
    # the sending centre's own pages are unchanged
    client.force_login(w.ann)
    own = client.get(reverse("assessment:unit_matrix", args=[w.reg1.pk, w.u101.pk])).content.decode()
    assert "transferred" not in own and "Signed by Ann Assessor" in own


@pytest.mark.django_db
def test_the_iv_item_page_and_the_ev_pages_show_the_original_signature(
    client, claimed_world, tmp_path, other_centre
):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    plan = receiving_plan(w, r, other_centre)
    key = verification_selectors.decision_key(ua_of(r, w.u101).pk, "summative")
    sample = verification_services.sample_accept(plan=plan, actor=r.iv, decision_keys=[key])
    item = sample.items.get()
    expected = original_text(w, w.u101)
    client.force_login(r.iv)
    page = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert expected in page and "Rosa Receiving (confirmed the transferred unit)" in page
    eve = w.make_user("eve", other_centre, Role.EXTERNAL_VERIFIER, first_name="Eve", last_name="External")
    verification_services.grant_create(
        actor=r.admin,
        centre=other_centre,
        external_verifier=eve,
        scope="candidates",
        expires_on=timezone.localdate() + dt.timedelta(days=1),
        registrations=[r.registration],
    )
    client.force_login(eve)
    listing = client.get(reverse("verification:ev_registration", args=[r.registration.pk])).content.decode()
    assert expected in listing and original_text(w, w.u102) in listing
    unit = client.get(reverse("verification:ev_unit", args=[r.registration.pk, w.u101.pk])).content.decode()
    assert expected in unit and "confirmed here by Rosa Receiving" in unit


@pytest.mark.django_db
def test_the_printed_forms_show_the_original_signature(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    expected = original_text(w, w.u101)
    for slug, unit in (("unit-summary", None), ("recording-form", w.u101), ("certification-claim", None)):
        text = pdf_text(registry.render_completed(registry.get_form(slug), r.registration, unit))
        assert flat(expected) in text, slug


@pytest.mark.django_db
def test_the_onward_passport_keeps_the_original_signature(claimed_world, tmp_path, other_centre, make_user):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    onward = tmp_path / "onward.zip"
    manifest = passport.write_passport(r.registration, str(onward))
    original = r.prior["TV-101"].source_sign_off
    signed = [s for s in manifest["signatures"] if s["kind"] == "assessor_sign_off" and s["unit"] == "TV-101"]
    assert len(signed) == 1
    assert signed[0]["signer"] == "Ann Assessor" and signed[0]["centre"] == "Test Centre (T001)"
    assert signed[0]["signed_at"] == original["signed_at"] and signed[0]["transferred"]
    assert signed[0]["content_sha256"] == original["content_sha256"]
    assert signed[0]["transfer_confirmed_by"] == "Rosa Receiving"
    row = next(u for u in manifest["unit_assessments"] if u["unit"] == "TV-101")
    assert row["signed_by"] is None and row["transferred_from"] == "Test Centre (T001)"
    assert row["transferred_signer"] == "Ann Assessor"
    assert not any(s.get("signer") == "Rosa Receiving" for s in manifest["signatures"])
    # at a third centre the unit arrives signed by the first centre, not by the one that passed it on
    third = Centre.objects.create(name="Third Centre", number="T003")
    people = [
        make_user(name, third, role)
        for name, role in (
            ("cara3", Role.CANDIDATE),
            ("tom", Role.ASSESSOR),
            ("tina", Role.INTERNAL_VERIFIER),
            ("tadmin", Role.CENTRE_ADMIN),
        )
    ]
    with onward.open("rb") as source:
        record = passport_import(
            source=source,
            centre=third,
            candidate=people[0],
            assessor=people[1],
            internal_verifier=people[2],
            actor=people[3],
        )
    ua = UnitAssessment.objects.get(registration=record.registration, unit=w.u101)
    assert ua.is_transferred and ua.transferred_from == "Test Centre (T001)"
    assert ua.transferred_signer == "Ann Assessor" and ua.signed_at == ua_of(r, w.u101).signed_at


# --- 3. counts at once ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_transferred_unit_counts_at_once_for_progress_and_the_rules(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    progress = {p.unit.ref: p for p in assessment_selectors.registration_progress(r.registration)}
    assert progress["TV-101"].criteria_met == progress["TV-101"].criteria_total == 2
    assert progress["TV-101"].missing == [] and progress["TV-101"].percent == 100
    row = assessment_selectors.caseload_for(r.assessor)[0]
    assert (row.units_signed, row.criteria_met, row.criteria_total) == (2, 4, 4)
    check = verification_selectors.claim_checks([r.registration])[0]
    assert check.signed_refs == ["TV-101", "TV-102"] and check.verdict.achieved


# --- 4. the claim gate ------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_no_claim_covers_a_transferred_unit_until_it_is_confirmed(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    check = verification_selectors.claim_checks([r.registration])[0]
    assert check.transfers_pending == ["TV-101", "TV-102"] and check.claimable_refs == []
    assert not check.full_ready
    assert (
        "Unit TV-101: signed at the sending centre, not yet confirmed by the assessor here."
        in check.explanation
    )
    for kind in ("units", "full"):
        with pytest.raises(ValidationError, match=r"Units TV-101, TV-102 are signed at the sending centre"):
            verification_services.claim_submit(registration=r.registration, actor=r.admin, kind=kind)
    with pytest.raises(ValidationError, match=r"Unit TV-102 is signed at the sending centre"):
        verification_services.claim_submit(
            registration=r.registration, actor=r.admin, kind="units", units=["TV-102"]
        )
    refused = AuditEntry.objects.filter(action=Action.CERTIFICATION_CLAIM_REFUSED).last()
    assert "Unit TV-102 is signed at the sending centre" in refused.details["messages"][0]
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    check = verification_selectors.claim_checks([r.registration])[0]
    assert check.transfers_pending == ["TV-102"] and check.claimable_refs == ["TV-101"]
    claim = verification_services.claim_submit(
        registration=r.registration, actor=r.admin, kind="units", units=["TV-101"]
    )
    assert claim.units == ["TV-101"]
    with pytest.raises(ValidationError, match=r"Unit TV-102 is signed at the sending centre"):
        verification_services.claim_submit(registration=r.registration, actor=r.admin, kind="full")
    prior_unit_decide(prior_unit=r.prior["TV-102"], actor=r.assessor, confirm=True)
    full = verification_services.claim_submit(registration=r.registration, actor=r.admin, kind="full")
    assert full.units == ["TV-101", "TV-102"] and full.verdict["status"] == "achieved"


# --- 7. sampling ------------------------------------------------------------------------------------------------
def receiving_plan(w, r, centre):
    today = timezone.localdate()
    return verification_services.plan_create(
        actor=r.iv,
        centre=centre,
        qualification=w.qualification,
        period_start=today - dt.timedelta(days=90),
        period_end=today + dt.timedelta(days=90),
        min_share_percent=100,
    )


@pytest.mark.django_db
def test_a_transferred_unit_is_sampled_only_once_confirmed_and_as_the_confirmers(
    claimed_world, tmp_path, other_centre
):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    plan = receiving_plan(w, r, other_centre)
    assert verification_selectors.plan_pool(plan).all_decisions == []
    _agree(plan)
    assert not PoolEntry.objects.filter(plan=plan).exists()
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    decisions = verification_selectors.plan_pool(plan).all_decisions
    ua = ua_of(r, w.u101)
    assert [(d.id, d.assessor) for d in decisions] == [
        (verification_selectors.decision_key(ua.pk, "summative"), "rosa")
    ]
    _agree(plan)
    assert list(PoolEntry.objects.filter(plan=plan).values_list("unit_assessment_id", "assessor_id")) == [
        (ua.pk, r.assessor.pk)
    ]
    # the confirmer is the unit's assessor: never offered it, never verifies it
    Membership.objects.create(user=r.assessor, centre=other_centre, role=Role.INTERNAL_VERIFIER)
    key = verification_selectors.decision_key(ua.pk, "summative")
    assert verification_selectors.plan_pool(plan, verifier=r.assessor).decisions == []
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        verification_services.sample_accept(plan=plan, actor=r.assessor, decision_keys=[key])
    sample = verification_services.sample_accept(plan=plan, actor=r.iv, decision_keys=[key])
    item = sample.items.get()
    assert item.assessor == r.assessor
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        verification_services.decision_record(item=item, actor=r.assessor, outcome="agreed")
    decision = verification_services.decision_record(item=item, actor=r.iv, outcome="agreed")
    assert decision.assessor == r.assessor


@pytest.mark.django_db
def test_the_own_assessment_guard_counts_the_confirmer(claimed_world, tmp_path, other_centre):
    """Python and the database trigger alike, with the confirmer as the only tie to the unit."""
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    plan = receiving_plan(w, r, other_centre)
    key = verification_selectors.decision_key(ua_of(r, w.u101).pk, "summative")
    item = verification_services.sample_accept(plan=plan, actor=r.iv, decision_keys=[key]).items.get()
    UnitAssessment.objects.filter(pk=item.unit_assessment_id).update(transfer_confirmed_by=r.iv)
    ua = ua_of(r, w.u101)
    with pytest.raises(ValidationError, match="nobody verifies their own"):
        verification_services.check_not_own_assessment(verifier=r.iv, unit_assessment=ua)
    with pytest.raises((IntegrityError, DatabaseError), match="own assessment"), transaction.atomic():
        VerificationDecision.objects.create(
            item=item, unit_assessment=ua, verifier=r.iv, assessor=r.assessor, outcome="agreed", unit_round=1
        )


@pytest.mark.django_db
def test_a_confirmed_transferred_unit_referred_back_opens_and_is_assessed_here(
    claimed_world, tmp_path, other_centre
):
    """Once confirmed it is the receiving assessor's decision: an IV referral reopens it like any signed unit."""
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    prior_unit_decide(prior_unit=r.prior["TV-101"], actor=r.assessor, confirm=True)
    plan = receiving_plan(w, r, other_centre)
    key = verification_selectors.decision_key(ua_of(r, w.u101).pk, "summative")
    item = verification_services.sample_accept(plan=plan, actor=r.iv, decision_keys=[key]).items.get()
    verification_services.decision_record(
        item=item, actor=r.iv, outcome="referred", action_points="Add a witness statement."
    )
    ua = ua_of(r, w.u101)
    assert ua.status == UnitAssessment.Status.OPEN and ua.round == 2
    assert (ua.transferred_from, ua.transferred_signer, ua.transfer_confirmed_by) == ("", "", None)
    reopened = AuditEntry.objects.get(action=Action.UNIT_REOPENED, object_id=str(ua.pk))
    assert reopened.details["previous"]["transferred_from"] == "Test Centre (T001)"
    r.prior["TV-101"].refresh_from_db()
    assert r.prior["TV-101"].source_sign_off["signer"] == "Ann Assessor"  # provenance kept

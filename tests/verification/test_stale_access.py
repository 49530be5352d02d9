"""Issue 11 item 2: a person whose role at a centre was revoked sees nothing of that centre any more.

Visibility follows the *current* membership at the registration's centre, not the names written on the
registration: a revoked assessor or internal verifier gets the same 404 as for evidence that does not exist,
on every path (evidence page, file, preview, witness list, registration pages, records, PDFs).
"""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, Membership, Role
from assessment import services as assessment_services
from assessment.models import AssessmentRecord
from evidence.demo import _pdf
from evidence.models import EvidenceItem, Witness, WitnessTestimony
from evidence.selectors import evidence_visible_to
from qualifications.models import AssessmentCriterion
from tests.assessment.factories import make_evidence
from tests.evidence.conftest import jpeg_bytes
from verification import selectors as verification_selectors
from verification import services
from verification.models import VerificationDecision

from .conftest import map_evidence, sign


def evidence_with_file(registration, title="Signed witness statement"):
    """A PDF item with its preview, and witness testimony attached (what the witness pages list)."""
    item = make_evidence(registration=registration, title=title, kind=EvidenceItem.Kind.WITNESS_TESTIMONY)
    item.file.save("statement.pdf", ContentFile(_pdf(["Witness statement"])), save=False)
    item.preview.save("preview.jpg", ContentFile(jpeg_bytes()), save=False)
    item.content_type, item.original_name = "application/pdf", "statement.pdf"
    item.save()
    witness = Witness.objects.create(
        candidate=registration.candidate,
        centre=registration.centre,
        name="Wendy Witness",
        status_category=3,
        relationship="Team leader",
    )
    WitnessTestimony.objects.create(evidence=item, witness=witness)
    return item


def evidence_urls(item):
    return [
        reverse("evidence:detail", args=[item.pk]),
        reverse("evidence:download", args=[item.pk]),
        reverse("evidence:preview", args=[item.pk]),
    ]


def registration_urls(registration, unit, record):
    criterion = AssessmentCriterion.objects.filter(unit=unit).first()
    return [
        reverse("assessment:registration_detail", args=[registration.pk]),
        reverse("assessment:unit_matrix", args=[registration.pk, unit.pk]),
        reverse("assessment:criterion_detail", args=[registration.pk, criterion.pk]),
        reverse("assessment:record_detail", args=[record.pk]),
        reverse("evidence:registration_witnesses", args=[registration.pk]),
        reverse("printing:registration", args=[registration.pk]),
        reverse("printing:completed", args=[registration.pk, "witness-status-list"]),
        reverse("printing:completed_unit", args=[registration.pk, unit.pk, "recording-form"]),
    ]


def record_for(registration, assessor):
    return AssessmentRecord.objects.create(
        registration=registration,
        kind=AssessmentRecord.Kind.OBSERVATION,
        assessor=assessor,
        date=timezone.localdate(),
        description="Greeted three callers.",
    )


def statuses(client, urls):
    return {url: client.get(url).status_code for url in urls}


@pytest.fixture
def cara_paths(world):
    item = evidence_with_file(world.reg1)
    record = record_for(world.reg1, world.ann)
    return item, evidence_urls(item) + registration_urls(world.reg1, world.u101, record)


def assessor_form_urls(registration, item):
    return [
        reverse("assessment:evidence_map", args=[registration.pk, item.pk]),
        reverse("assessment:record_new", args=[registration.pk, "observation"]),
        reverse("assessment:action_plan_new", args=[registration.pk]),
        reverse("assessment:feedback_new", args=[registration.pk]),
    ]


def test_revoked_assessor_gets_404_on_every_path(client, world, other_centre, cara_paths):
    """Ann assessed Cara at the centre; she keeps an assessor role at another centre (so she still signs in
    and reaches assessor pages), but her role at Cara's centre is revoked."""
    item, urls = cara_paths
    urls = urls + assessor_form_urls(world.reg1, item)
    Membership.objects.create(user=world.ann, centre=other_centre, role=Role.ASSESSOR)
    client.force_login(world.ann)
    assert set(statuses(client, urls).values()) == {200}  # before: every path opens

    Membership.objects.filter(user=world.ann, centre=world.centre, role=Role.ASSESSOR).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}
    assert not evidence_visible_to(world.ann).filter(pk=item.pk).exists()


def test_revoked_internal_verifier_gets_404_and_keeps_what_the_other_role_allows(client, world, cara_paths):
    """Pat is Cara's internal verifier and Dan's assessor. Revoking the internal verifier role closes Cara's
    portfolio to Pat; Dan's stays open (Pat still assesses him)."""
    item, urls = cara_paths
    dans = make_evidence(registration=world.reg2)
    client.force_login(world.pat)
    assert set(statuses(client, urls).values()) == {200}

    Membership.objects.filter(user=world.pat, centre=world.centre, role=Role.INTERNAL_VERIFIER).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}
    assert client.get(reverse("evidence:detail", args=[dans.pk])).status_code == 200
    assert set(evidence_visible_to(world.pat).values_list("pk", flat=True)) == {dans.pk}


def test_revoked_centre_admin_gets_404(client, world, other_centre, cara_paths):
    item, urls = cara_paths
    # The candidate pickers' suggestions of the centre follow the admin role too.
    urls = urls + [reverse("people:candidate_suggest", args=[world.centre.pk]) + "?q=cara"]
    Membership.objects.create(user=world.admin, centre=other_centre, role=Role.CENTRE_ADMIN)
    client.force_login(world.admin)
    assert client.get(urls[0]).status_code == 200
    assert client.get(urls[-1]).json()["results"][0]["username"] == "cara"
    Membership.objects.filter(user=world.admin, centre=world.centre).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}


def test_a_revoked_assessor_no_longer_sees_referrals_of_that_centre(signed_world, plan):
    """The assessor's list of open referrals follows the current role too."""
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    sample = services.sample_accept(
        plan=plan, actor=w.ivy, decision_keys=[verification_selectors.decision_key(ua.pk, "summative")]
    )
    item = sample.items.get()
    services.decision_record(
        item=item,
        actor=w.pat,
        outcome=VerificationDecision.Outcome.REFERRED,
        comments="Check 1.2",
        action_points="Observe again",
    )
    assert verification_selectors.referrals_for_assessor(w.ann).count() == 1
    Membership.objects.filter(user=w.ann, centre=w.centre, role=Role.ASSESSOR).delete()
    assert verification_selectors.referrals_for_assessor(w.ann).count() == 0


def test_a_revoked_internal_verifier_who_stays_centre_admin_has_no_decisions_waiting(signed_world, plan):
    w = signed_world
    services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[verification_selectors.decision_key(w.ua(w.reg2, w.u101).pk, "summative")],
    )
    Membership.objects.create(user=w.ivy, centre=w.centre, role=Role.CENTRE_ADMIN)
    assert len(verification_selectors.decisions_waiting_for(w.ivy)) == 1
    Membership.objects.filter(user=w.ivy, centre=w.centre, role=Role.INTERNAL_VERIFIER).delete()
    assert verification_selectors.decisions_waiting_for(w.ivy) == []


def test_revoked_staff_lose_evidence_in_the_selector_too(world):
    """The selector itself, for every staff role named on a registration."""
    item = make_evidence(registration=world.reg1)
    map_evidence(world.reg1, world.u101, world.ann)
    sign(world.ua(world.reg1, world.u101), world.ann)
    for person, role in ((world.ann, Role.ASSESSOR), (world.pat, Role.INTERNAL_VERIFIER)):
        assert evidence_visible_to(person).filter(pk=item.pk).exists()
        Membership.objects.filter(user=person, centre=world.centre, role=role).delete()
        assert not evidence_visible_to(person).filter(pk=item.pk).exists(), person


def test_revoked_internal_verifier_loses_the_sampling_pages(client, signed_world, plan):
    w = signed_world
    sample = services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[verification_selectors.decision_key(w.ua(w.reg1, w.u101).pk, "summative")],
    )
    urls = [
        reverse("verification:plan_detail", args=[plan.pk]),
        reverse("verification:item_detail", args=[sample.items.get().pk]),
    ]
    client.force_login(w.pat)
    assert set(statuses(client, urls).values()) == {200}
    Membership.objects.filter(user=w.pat, centre=w.centre, role=Role.INTERNAL_VERIFIER).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}


# Every URL with an object in it that centre staff or an external verifier reach, and where it is tested with a
# revoked role or an out-of-scope grant. A new URL fails test_every_object_url_is_in_the_matrix until it is here.
STALE_ACCESS_TESTED = {
    "evidence:detail",
    "evidence:download",
    "evidence:preview",
    "evidence:registration_witnesses",
    "assessment:registration_detail",
    "assessment:unit_matrix",
    "assessment:criterion_detail",
    "assessment:record_detail",
    "assessment:evidence_map",
    "assessment:record_new",
    "assessment:action_plan_new",
    "assessment:feedback_new",
    "printing:registration",
    "printing:completed",
    "printing:completed_unit",
    "verification:plan_detail",
    "verification:item_detail",
    "portability:provenance",  # tests/portability/test_passport.py
    "assessment:skills_scan_new",
    "assessment:skills_scan_detail",
    "assessment:action_plan_detail",
    "assessment:assessment_report_new",
    "assessment:assessment_report_detail",
    "verification:referral_answer",
    "competence:overview",
    "competence:staff",
}
EV_SCOPE_TESTED = {  # tests/verification/test_ev_scope.py
    "evidence:detail",
    "evidence:download",
    "evidence:preview",
    "verification:ev_registration",
    "ev_competence:staff",  # tests/accounts/test_competence.py (the EV reads only the staff behind a grant)
    "verification:ev_unit",
    "verification:ev_form",
    "verification:ev_unit_form",
}
# POST-only actions: the same selectors as the pages above (registrations_assessed_by, countersign_queue_for,
# sample_items_visible_to), so a revoked role gets 404 there too.
POST_ACTIONS = {
    "assessment:unit_sign",
    "assessment:mapping_decide",
    "assessment:mapping_remove",
    "assessment:unit_countersign",
    "verification:sample_accept",
    "verification:sample_generate",
    "verification:item_decide",
    "verification:mapping_decide",
    "verification:referral_close",
    "portability:prior_unit_decide",
    "verification:referral_send_back",
    # evidence_visible_to (_visible_item) and staff_registrations_visible_to, as evidence:detail and
    # evidence:registration_witnesses above
    "evidence:testimony_request",
    "evidence:witness_status_decide",
    "assessment:employer_confirmation_request",  # _staff_registration (registrations_visible_to)
}
CATALOGUE = {
    "qualifications:detail",
    "qualifications:unit",
    "printing:qualification",
    "printing:blank",
    "printing:blank_unit",
}  # the published catalogue and blank forms: nobody's portfolio


def test_every_object_url_is_in_the_matrix():
    from django.urls import get_resolver

    from portfolio_site import access
    from tests.test_access_table import walk

    readers = {access.ASSESSOR, access.IV, access.EV}
    names = set()
    for name, pattern in walk(get_resolver().url_patterns):
        rule = access.rule_for(name, name.rsplit(":", 1)[0] if ":" in name else None)
        if pattern.pattern.converters and rule and rule & readers and not name.startswith("admin:"):
            names.add(name)
    assert names - CATALOGUE - POST_ACTIONS == STALE_ACCESS_TESTED | EV_SCOPE_TESTED


def test_revoked_assessor_loses_the_induction_records_and_referral_answers(client, signed_world, plan):
    """The skills scan, assessment plan and report pages, and the referral answer page, follow the current
    role too: Ann keeps an assessor role elsewhere, loses it at Cara's centre, and every page answers 404."""
    w = signed_world
    scan = assessment_services.skills_scan_create(
        registration=w.reg1, actor=w.ann, ratings=[(w.u101, 2, 2, "")], agreed_actions="Start with 101."
    )
    plan_row = assessment_services.action_plan_create(
        registration=w.reg1, actor=w.ann, unit=w.u101, items=[("Bring examples", date.today(), [])]
    )
    report = assessment_services.assessment_report_create(
        registration=w.reg1,
        actor=w.ann,
        unit=w.u101,
        date=date.today(),
        answers={"evidence_valid": True},
        outcome="Competent.",
    )
    services.sample_accept(
        plan=plan,
        actor=w.ivy,
        decision_keys=[verification_selectors.decision_key(w.ua(w.reg1, w.u101).pk, "summative")],
    )
    item = verification_selectors.sample_items_visible_to(w.pat).get(unit_assessment=w.ua(w.reg1, w.u101))
    referral = services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Show more."
    )
    urls = [
        reverse("assessment:skills_scan_new", args=[w.reg1.pk]),
        reverse("assessment:skills_scan_detail", args=[scan.pk]),
        reverse("assessment:action_plan_detail", args=[plan_row.pk]),
        reverse("assessment:assessment_report_new", args=[w.reg1.pk]),
        reverse("assessment:assessment_report_detail", args=[report.pk]),
        reverse("verification:referral_answer", args=[referral.pk]),
    ]
    elsewhere = Centre.objects.create(name="Elsewhere", number="T099")
    Membership.objects.create(user=w.ann, centre=elsewhere, role=Role.ASSESSOR)
    client.force_login(w.ann)
    assert set(statuses(client, urls).values()) == {200}
    Membership.objects.filter(user=w.ann, centre=w.centre, role=Role.ASSESSOR).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}


def test_revoked_staff_lose_the_competence_records(client, world, other_centre):
    """The competence overview and a person's records (IV, centre admin) and the EV's page of them."""
    urls = [
        reverse("competence:overview", args=[world.centre.pk]),
        reverse("competence:staff", args=[world.centre.pk, world.ann.pk]),
    ]
    Membership.objects.create(user=world.ivy, centre=other_centre, role=Role.INTERNAL_VERIFIER)
    client.force_login(world.ivy)
    assert set(statuses(client, urls).values()) == {200}
    Membership.objects.filter(user=world.ivy, centre=world.centre, role=Role.INTERNAL_VERIFIER).delete()
    assert statuses(client, urls) == {url: 404 for url in urls}

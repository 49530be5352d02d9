"""Pages: the own-assessment guard at the page and in the admin, sampling through the page, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from verification import selectors, services
from verification.models import SampleItem, VerificationDecision

from .conftest import map_evidence, sign


def sampled(w, plan, reg, unit):
    key = selectors.decision_key(w.ua(reg, unit).pk, "summative")
    services.sample_accept(plan=plan, actor=w.ivy, decision_keys=[key])
    return SampleItem.objects.get(unit_assessment=w.ua(reg, unit))


def test_iv_samples_a_unit_from_the_coverage_grid_and_agrees(client, signed_world, plan):
    w = signed_world
    client.force_login(w.pat)
    page = client.get(reverse("verification:plan_detail", args=[plan.pk])).content.decode()
    assert "Generate a proposed sample" in page and "Cara Candidate" in page
    key = selectors.decision_key(w.ua(w.reg1, w.u101).pk, "summative")
    client.post(reverse("verification:sample_accept", args=[plan.pk]), {"key": key})
    item = SampleItem.objects.get()
    detail = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert "Record decision" in detail
    client.post(reverse("verification:item_decide", args=[item.pk]), {"outcome": "agreed", "comments": "ok"})
    assert VerificationDecision.objects.get().outcome == "agreed"


def test_page_refuses_own_assessment(client, signed_world, plan):
    w = signed_world
    item = sampled(w, plan, w.reg2, w.u101)  # assessed by pat
    client.force_login(w.pat)
    detail = client.get(reverse("verification:item_detail", args=[item.pk])).content.decode()
    assert "nobody verifies their own assessment" in detail and "Record decision" not in detail
    response = client.post(
        reverse("verification:item_decide", args=[item.pk]), {"outcome": "agreed"}, follow=True
    )
    assert "nobody verifies their own assessment" in response.content.decode()
    assert not VerificationDecision.objects.exists()


def test_admin_refuses_own_assessment(client, signed_world, plan):
    w = signed_world
    item = sampled(w, plan, w.reg2, w.u101)
    w.pat.is_staff = w.pat.is_superuser = True
    w.pat.save()
    client.force_login(w.pat)
    response = client.post(
        reverse("admin:verification_verificationdecision_add"),
        {
            "item": item.pk,
            "outcome": "agreed",
            "comments": "",
            "action_points": "",
            "mapping": "",
        },
    )
    assert response.status_code == 200
    assert "nobody verifies their own assessment" in response.content.decode()
    assert not VerificationDecision.objects.exists()


def test_admin_records_through_the_service(client, signed_world, plan):
    w = signed_world
    item = sampled(w, plan, w.reg1, w.u101)
    w.pat.is_staff = w.pat.is_superuser = True
    w.pat.save()
    client.force_login(w.pat)
    response = client.post(
        reverse("admin:verification_verificationdecision_add"),
        {
            "item": item.pk,
            "outcome": "agreed",
            "comments": "",
            "action_points": "",
            "mapping": "",
        },
    )
    assert response.status_code == 302
    decision = VerificationDecision.objects.get()
    assert decision.verifier == w.pat and decision.assessor == w.ann


def test_other_centres_plans_are_404(client, signed_world, plan, other_centre, make_user):
    from accounts.models import Role

    stranger = make_user("stranger", other_centre, Role.INTERNAL_VERIFIER)
    client.force_login(stranger)
    assert client.get(reverse("verification:plan_detail", args=[plan.pk])).status_code == 404
    item = sampled(signed_world, plan, signed_world.reg1, signed_world.u101)
    assert client.get(reverse("verification:item_detail", args=[item.pk])).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["verification:plan_detail", "verification:claim_list"])
def test_pages_do_a_constant_number_of_queries(client, signed_world, plan, name):
    w = signed_world
    client.force_login(w.ivy if name == "verification:plan_detail" else w.admin)
    url = reverse(name, args=[plan.pk]) if name == "verification:plan_detail" else reverse(name)
    before = _count(client, url)
    from tests.assessment.factories import make_registration

    for i in range(5):
        cand = w.make_user(f"extra{i}", w.centre, "candidate")
        reg = make_registration(
            centre=w.centre,
            candidate=cand,
            assessor=w.ann,
            internal_verifier=w.pat,
            qualification=w.qualification,
        )
        for unit in (w.u101, w.u102):
            map_evidence(reg, unit, w.ann)
            sign(w.ua(reg, unit) if False else reg.unit_assessments.get(unit=unit), w.ann)
    services.sample_accept(plan=plan, actor=w.ivy)
    after = _count(client, url)
    assert after <= before + 2, (before, after)


def test_dashboards_show_the_panels(client, signed_world, plan):
    w = signed_world
    item = sampled(w, plan, w.reg1, w.u101)
    services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="Redo 1.2")
    client.force_login(w.pat)
    iv = client.get(reverse("dashboards:internal_verifier")).content.decode()
    assert "Open referrals" in iv and "TV-101" in iv and "Sampling coverage" in iv
    client.force_login(w.admin)
    admin = client.get(reverse("dashboards:centre_admin")).content.decode()
    assert "Ann Assessor: 1 of 1 sampled decisions referred (100%)" in admin
    assert "Candidates by stage" in admin


def test_iv_generates_a_proposal_in_the_background_and_accepts_it(
    client, signed_world, plan, django_capture_on_commit_callbacks
):
    """The whole plan's proposal comes from the worker (a status row on the page while it runs); a second
    submit while it is under way starts nothing more; accepting takes the generated decisions."""
    from audit.models import AuditEntry
    from verification.models import SampleGeneration

    w = signed_world
    client.force_login(w.pat)
    url = reverse("verification:plan_detail", args=[plan.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("verification:sample_generate", args=[plan.pk]))
        client.post(reverse("verification:sample_generate", args=[plan.pk]))  # a double submit
    assert SampleGeneration.objects.count() == 1 and len(callbacks) == 1
    page = client.get(url).content.decode()
    assert "data-refresh-seconds" in page and "Refresh to see the progress" in page
    assert "Accept the proposed sample" not in page
    callbacks[0]()  # the worker runs the task
    generation = SampleGeneration.objects.get()
    assert generation.status == "done" and generation.keys
    assert (
        AuditEntry.objects.filter(action__in=["sample_generation_requested", "sample_generated"]).count() == 2
    )
    page = client.get(url).content.decode()
    assert "Accept the proposed sample" in page and "data-refresh-seconds" not in page
    client.post(reverse("verification:sample_accept", args=[plan.pk]), {"generation": generation.pk})
    assert {f"{i.unit_assessment_id}:{i.stage}" for i in SampleItem.objects.all()} == set(generation.keys)
    # never the generating verifier's own assessments (pat assessed reg2)
    assert not SampleItem.objects.filter(unit_assessment__registration=w.reg2).exists()


def test_accepting_without_a_ready_proposal_is_a_message_not_a_500(client, signed_world, plan):
    w = signed_world
    client.force_login(w.pat)
    for data in ({}, {"generation": "999"}, {"generation": "x"}, {"key": "nonsense"}):
        response = client.post(reverse("verification:sample_accept", args=[plan.pk]), data, follow=True)
        assert response.status_code == 200
        assert not SampleItem.objects.exists()

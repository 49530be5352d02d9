"""The verification list pages at two sizes: paged, searched and sorted by GET parameters, the same queries
whatever the number of rows, HTML bounded by the page, and no error for a bad page, sort or filter."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import UnitAssessment, UnitSignOff
from tests.assessment.factories import make_candidates
from verification import selectors
from verification.models import CandidateSite, CertificationClaim, ExternalAccessGrant, VerificationDecision

from .conftest import sample_item_for

SIZES = [3, 60]

SUMMARY_REFRESH = 11
# The first read after a change also rebuilds the plan's pool summary rows and counts its coverage again
# (selectors.summary.refresh): the same eleven queries more at every size; later reads only check that nothing
# changed (one query per plan).


def crowd(w, count, *, signed=False):
    registrations = make_candidates(
        centre=w.centre, count=count, qualification=w.qualification, assessor=w.ann, internal_verifier=w.pat
    )
    if signed:
        now = timezone.now()
        for reg in registrations:
            ua = UnitAssessment.objects.get(registration=reg, unit=w.u101)
            UnitAssessment.objects.filter(pk=ua.pk).update(
                status=UnitAssessment.Status.SIGNED, signed_by=w.ann, signed_at=now
            )
            UnitSignOff.objects.create(unit_assessment=ua, round=1, assessor=w.ann, signed_at=now)
    return registrations


@pytest.mark.parametrize("count", SIZES)
def test_claim_list_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    w = world
    for reg in crowd(w, count, signed=True):
        CertificationClaim.objects.create(
            registration=reg, centre=w.centre, kind="units", units=["TV-101"], credits=3, claimed_by=w.admin
        )
    client.force_login(w.admin)
    with django_assert_num_queries(25):
        response = client.get(reverse("verification:claim_list"))
    body = response.content.decode()
    assert body.count('id="ready-') - 1 == min(count, 50)  # less the heading's id="ready-h"
    assert body.count('id="claim-') == min(count, 50)
    assert len(response.content) < 150_000


def test_a_registration_with_two_signed_units_is_ready_to_claim_once(world):
    w = world
    (reg,) = crowd(w, 1, signed=True)
    now = timezone.now()
    ua = UnitAssessment.objects.get(registration=reg, unit=w.u102)
    UnitAssessment.objects.filter(pk=ua.pk).update(
        status=UnitAssessment.Status.SIGNED, signed_by=w.ann, signed_at=now
    )
    ready = selectors.claim_candidate_registrations(w.admin)
    assert list(ready.values_list("pk", flat=True)) == [reg.pk] and ready.count() == 1


def test_claim_list_pages_and_searches_each_list_on_its_own(client, world):
    w = world
    for reg in crowd(w, 60, signed=True):
        CertificationClaim.objects.create(
            registration=reg, centre=w.centre, kind="units", units=["TV-101"], credits=3, claimed_by=w.admin
        )
    client.force_login(w.admin)
    body = client.get(reverse("verification:claim_list"), {"ready_page": 2}).content.decode()
    assert body.count('id="ready-') - 1 == 10 and body.count('id="claim-') == 50
    assert "ready_page=2&amp;page=2" in body
    body = client.get(reverse("verification:claim_list"), {"ready-q": "member 007"}).content.decode()
    assert body.count('id="ready-') - 1 == 1 and body.count('id="claim-') == 50
    body = client.get(
        reverse("verification:claim_list"), {"q": "member 007", "status": "cancelled"}
    ).content.decode()
    assert body.count('id="claim-') == 0 and "No claim matches." in body
    for bad in ({"page": "99"}, {"ready_page": "-1"}, {"sort": "x"}, {"kind": "x"}, {"ready-sort": "x"}):
        assert client.get(reverse("verification:claim_list"), bad).status_code == 200


@pytest.mark.parametrize("count", SIZES)
def test_site_list_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    w = world
    for reg in crowd(w, count):
        CandidateSite.objects.create(registration=reg, site=f"Branch {reg.pk % 3}")
    client.force_login(w.ivy)
    with django_assert_num_queries(6):
        response = client.get(reverse("verification:site_list"))
    assert response.content.decode().count('name="site"') - 1 == min(count + 2, 50)  # less the filter's
    assert len(response.content) < 100_000


def test_site_list_searches_and_saving_goes_back_to_the_same_page(client, world):
    w = world
    regs = crowd(w, 60)
    client.force_login(w.ivy)
    body = client.get(reverse("verification:site_list"), {"q": "member 05"}).content.decode()
    assert "Member 050" in body and "Member 040" not in body
    response = client.post(
        reverse("verification:site_list"),
        {"registration": regs[55].pk, "site": "North", "back": "q=member+05&page=1"},
    )
    assert response.url == reverse("verification:site_list") + "?q=member+05&page=1"
    assert CandidateSite.objects.get(registration=regs[55]).site == "North"
    body = client.get(reverse("verification:site_list"), {"site": "North"}).content.decode()
    assert "Member 055" in body and "Member 050" not in body


def _refer_many(w, plan, count):
    regs = crowd(w, count, signed=True)
    for reg in regs:
        ua = UnitAssessment.objects.get(registration=reg, unit=w.u101)
        item = sample_item_for(plan, ua)
        VerificationDecision.objects.create(
            item=item,
            unit_assessment=ua,
            verifier=w.pat,
            assessor=w.ann,
            outcome="referred",
            action_points="Say more.",
            referral_status="open",
            unit_round=1,
        )
    return regs


@pytest.mark.parametrize("count", SIZES)
def test_referral_list_same_queries_at_two_sizes(client, world, plan, count, django_assert_num_queries):
    w = world
    _refer_many(w, plan, count)
    client.force_login(w.ivy)
    with django_assert_num_queries(5):
        response = client.get(reverse("verification:referral_list"))
    assert response.content.decode().count("/verification/sampled/") == min(count, 50)
    assert (
        client.get(reverse("verification:referral_list"), {"q": "member 001"})
        .content.decode()
        .count("/verification/sampled/")
        == 1
    )


@pytest.mark.parametrize("count", SIZES)
def test_grant_list_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    w = world
    regs = crowd(w, count)
    for n in range(count):
        grant = ExternalAccessGrant.objects.create(
            centre=w.centre,
            external_verifier=w.ev,
            scope="candidates",
            expires_on=timezone.localdate(),
            granted_by=w.admin,
        )
        grant.registrations.set(regs)
    client.force_login(w.admin)
    with django_assert_num_queries(6):
        response = client.get(reverse("verification:grant_list"))
    body = response.content.decode()
    assert body.count("Pages opened") == min(count, 50)
    assert len(response.content) < 120_000
    if count > 5:
        assert f"and {count} candidates in all" in body


@pytest.mark.parametrize("count", SIZES)
def test_claim_list_with_an_active_plan_same_queries_at_two_sizes(
    client, world, plan, count, django_assert_num_queries
):
    """The claim gate of each ready registration names what the active sampling plan still needs of them: the
    plan's coverage counted by the database, the summary rows read for the page's registrations only."""
    w = world
    crowd(w, count, signed=True)
    client.force_login(w.admin)
    with django_assert_num_queries(30 + SUMMARY_REFRESH):
        client.get(reverse("verification:claim_list"))
    with django_assert_num_queries(30):
        response = client.get(reverse("verification:claim_list"))
    body = response.content.decode()
    assert body.count('id="ready-') - 1 == min(count, 50)
    assert "The sampling plan needs unit TV-101 sampled and agreed." in body
    assert len(response.content) < 250_000

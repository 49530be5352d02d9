"""The IV dashboard and plan page at centre scale: coverage counted without a proposal thrown away, the plan's
grid paged by candidate, the sampled units paged; the same queries at two sizes and bounded HTML."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import EvidenceMapping, UnitAssessment, UnitSignOff
from qualifications.models import AssessmentCriterion
from tests.assessment.factories import make_candidates, make_evidence
from verification import sampling, selectors

from .conftest import map_evidence, sample_item_for, sign

SIZES = [3, 60]
SUMMARY_REFRESH = 11
# The first read after a change also rebuilds the plan's pool summary rows and counts its coverage again
# (selectors.summary.refresh): the same eleven queries more at every size; later reads only check that nothing
# changed (one query per plan).


def crowd(w, count, plan):
    """`count` candidates of ann, unit 101 mapped and signed, every one sampled at the summative stage."""
    now = timezone.now()
    regs = make_candidates(
        centre=w.centre, count=count, qualification=w.qualification, assessor=w.ann, internal_verifier=w.ivy
    )
    criterion = AssessmentCriterion.objects.filter(unit=w.u101).first()
    for reg in regs:
        EvidenceMapping.objects.create(
            registration=reg,
            evidence=make_evidence(registration=reg),
            criterion=criterion,
            unit=w.u101,
            method="observation",
            decision="accepted",
            assessed_by=w.ann,
            assessed_at=now,
        )
        ua = UnitAssessment.objects.get(registration=reg, unit=w.u101)
        UnitAssessment.objects.filter(pk=ua.pk).update(status="signed", signed_by=w.ann, signed_at=now)
        UnitSignOff.objects.create(unit_assessment=ua, round=1, assessor=w.ann, signed_at=now)
        sample_item_for(plan, UnitAssessment.objects.get(pk=ua.pk))
    return regs


@pytest.mark.parametrize("count", SIZES)
def test_plan_page_same_queries_at_two_sizes_and_paged_by_candidate(
    client, world, plan, count, django_assert_num_queries
):
    crowd(world, count, plan)
    client.force_login(world.pat)
    with django_assert_num_queries(25 + SUMMARY_REFRESH):
        client.get(reverse("verification:plan_detail", args=[plan.pk]))
    with django_assert_num_queries(25):
        response = client.get(reverse("verification:plan_detail", args=[plan.pk]))
    body = response.content.decode()
    assert body.count('<tr><th scope="row">') == min(count, 25)
    assert body.count("/verification/sampled/") == min(count, 50)
    assert len(response.content) < 150_000


def test_plan_page_pages_of_the_grid_and_of_the_sampled_units(client, world, plan):
    crowd(world, 60, plan)
    client.force_login(world.pat)
    url = reverse("verification:plan_detail", args=[plan.pk])
    body = client.get(url, {"candidates_page": 3}).content.decode()
    assert body.count('<tr><th scope="row">') == 10 and "Candidates 51–60 of 60" in body
    assert "Member 059" in body.split('id="grid-caption"')[1].split("</table>")[0]
    body = client.get(url, {"sampled_page": 2}).content.decode()
    assert body.count("/verification/sampled/") == 10
    assert client.get(url, {"candidates_page": "999", "sampled_page": "x"}).status_code == 200


@pytest.mark.parametrize("count", SIZES)
def test_iv_dashboard_same_queries_at_two_sizes(client, world, plan, count, django_assert_num_queries):
    crowd(world, count, plan)
    client.force_login(world.ivy)
    with django_assert_num_queries(14 + SUMMARY_REFRESH):
        client.get(reverse("dashboards:internal_verifier"))
    with django_assert_num_queries(14):
        response = client.get(reverse("dashboards:internal_verifier"))
    body = response.content.decode()
    assert body.count("/verification/sampled/") == min(count, 20)
    assert "requirements met" in body


def test_dashboard_coverage_is_the_plan_pages_coverage(world, plan):
    crowd(world, 4, plan)
    row = selectors.iv_dashboard(world.ivy)["coverage_rows"][0]
    needs = selectors.plan_overview(plan).coverage.needs
    assert (row["met"], row["total"]) == (sum(n.met for n in needs), len(needs))


def _python_needs(plan):
    pool = selectors.plan_pool(plan)
    return [
        (n.kind, n.key, n.needed, n.have)
        for n in sampling.coverage(pool.plain_plan, pool.all_decisions, pool.sampled_ids).needs
    ]


def _sql_needs(plan):
    return [(n.kind, n.key, n.needed, n.have) for n in selectors.plan_coverage(plan, exact=True).needs]


def test_database_coverage_is_the_python_pools_coverage(world, plan):
    """Interim and summative decisions, two methods, sites, a flagged assessor, a sampled unit referred back
    (open again), one out of the period and a withdrawn registration: the same requirements, met the same way."""
    from assessment.models import Registration
    from verification.models import AssessorFlag, CandidateSite

    assert _sql_needs(plan) == _python_needs(plan) == []
    map_evidence(world.reg1, world.u101, world.ann)
    map_evidence(world.reg1, world.u102, world.ann, method="questioning")
    map_evidence(world.reg2, world.u101, world.pat, method="witness_testimony")
    ua = sign(world.ua(world.reg1, world.u101), world.ann)
    CandidateSite.objects.create(registration=world.reg1, site="North")
    CandidateSite.objects.create(registration=world.reg2, site="South")
    assert _sql_needs(plan) == _python_needs(plan)
    sample_item_for(plan, ua)
    sample_item_for(plan, world.ua(world.reg2, world.u101), stage="interim")
    assert _sql_needs(plan) == _python_needs(plan)
    UnitAssessment.objects.filter(pk=ua.pk).update(status="open")  # referred back after sampling
    AssessorFlag.objects.create(centre=world.centre, assessor=world.pat, flag="new", set_by=world.ivy)
    assert _sql_needs(plan) == _python_needs(plan)
    EvidenceMapping.objects.filter(registration=world.reg1, unit=world.u102).update(
        assessed_at=timezone.now() - timezone.timedelta(days=3000)
    )
    Registration.objects.filter(pk=world.reg2.pk).update(status="withdrawn")
    assert _sql_needs(plan) == _python_needs(plan)
    plan.interim = False
    plan.cover_sites = False
    assert _sql_needs(plan) == _python_needs(plan)

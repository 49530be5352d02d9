"""The sampling pool's summary rows (verification/selectors/summary.py): kept up to date by what the services do,
so that the coverage the pages count from them is always the pool's coverage, and a read costs the same
whatever the number of changes since the last one."""

from dataclasses import astuple

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services as assessment_services
from verification import selectors, services
from verification.models import PoolEntry, PoolStale

from .conftest import map_evidence, sign
from .test_plan_scale import _python_needs


def _needs(coverage):
    return [(n.kind, n.key, n.needed, n.have) for n in coverage.needs]


def _agree(plan):
    """The summary's coverage, the pool definition's and the Python pool's, all the same; and the same grid rows."""
    summary = selectors.plan_coverage(plan)
    exact = selectors.plan_coverage(plan, exact=True)
    assert _needs(summary) == _needs(exact) == _python_needs(plan)
    assert (summary.candidates, summary.unsampled_candidates, summary.units) == (
        exact.candidates,
        exact.unsampled_candidates,
        exact.units,
    )
    pool = selectors.plan_pool(plan)
    in_pool = {d.candidate for d in pool.all_decisions}
    assert {f"r{r.pk}" for r in selectors.plan_candidates(plan)} == in_pool
    unsampled = {
        c
        for c in in_pool
        if not any(d.id in pool.sampled_ids for d in pool.all_decisions if d.candidate == c)
    }
    assert {f"r{r.pk}" for r in selectors.plan_unsampled_candidates(plan)} == unsampled
    # the decisions the claim gate reads for a page of registrations: the Python pool's, method and site too
    page = [int(c[1:]) for c in in_pool]
    assert sorted(map(astuple, selectors.summary_decisions(plan, page))) == sorted(
        map(astuple, pool.all_decisions)
    )
    return summary


def test_every_service_that_moves_a_decision_keeps_the_summary_right(world, plan):
    """Mapping (interim), sign-off (summative), a sample, a referral re-opening the unit, sites, a change of
    assessor, removing a mapping, withdrawal and reinstatement: after each, the pages' coverage is the pool's."""
    w = world
    assert _needs(_agree(plan)) == []
    map_evidence(w.reg1, w.u101, w.ann)
    map_evidence(w.reg2, w.u101, w.pat, method="questioning")
    assert _agree(plan).candidates == 2
    sign(w.ua(w.reg1, w.u101), w.ann)
    _agree(plan)
    services.candidate_site_set(actor=w.admin, registration=w.reg1, site="North")
    services.candidate_site_set(actor=w.admin, registration=w.reg2, site="South")
    assert ("site", "North", 1, 0) in _needs(_agree(plan))
    key = selectors.decision_key(w.ua(w.reg1, w.u101).pk, "summative")
    services.sample_accept(plan=plan, actor=w.ivy, decision_keys=[key])
    assert ("site", "North", 1, 1) in _needs(_agree(plan))
    item = plan.items.get()
    services.decision_record(
        item=item, actor=w.pat, outcome="referred", action_points="Show the customer's words."
    )
    _agree(plan)  # the unit is open again: still in the pool as sampled
    assessment_services.registration_update(
        registration=w.reg2,
        actor=w.admin,
        assessor=w.ann,
        internal_verifier=w.ivy,
        optional_units=[],
        expires_on=w.reg2.expires_on,
    )
    assert "pat" not in {n[1] for n in _needs(_agree(plan)) if n[0] == "assessor"}
    mapping = w.reg2.mappings.filter(unit=w.u101).first()
    assessment_services.mapping_remove(mapping=mapping, actor=w.ann)
    _agree(plan)
    assessment_services.registration_withdraw(registration=w.reg2, actor=w.admin, reason="Left the company.")
    assert _agree(plan).candidates == 1
    assessment_services.registration_reinstate(registration=w.reg2, actor=w.admin, reason="Came back.")
    assert _agree(plan).candidates == 2


def test_a_read_with_nothing_changed_is_one_query(world, plan):
    map_evidence(world.reg1, world.u101, world.ann)
    selectors.summary.refresh(plan)
    assert PoolStale.objects.count() == 0 and PoolEntry.objects.filter(plan=plan).count() == 1
    with CaptureQueriesContext(connection) as queries:
        selectors.summary.refresh(plan)
    assert len(queries) == 1


@pytest.mark.parametrize("changed", [1, 12])
def test_a_refresh_costs_the_same_queries_whatever_changed(world, plan, changed, django_assert_num_queries):
    from tests.assessment.factories import make_candidates

    regs = make_candidates(
        centre=world.centre,
        count=changed,
        qualification=world.qualification,
        assessor=world.ann,
        internal_verifier=world.ivy,
    )
    selectors.summary.refresh(plan)  # built in full once
    for reg in regs:
        map_evidence(reg, world.u101, world.ann)
    with django_assert_num_queries(10):
        selectors.summary.refresh(plan)
    assert PoolEntry.objects.filter(plan=plan).count() == changed
    assert not PoolStale.objects.exists()


def test_a_change_marked_while_the_rows_are_rebuilt_stays_marked(world, plan, monkeypatch):
    """Stale marks are deleted by the ids read, so a change committed while the rows were rebuilt (its mark not
    yet read) is rebuilt at the next read, never lost."""
    map_evidence(world.reg1, world.u101, world.ann)
    build = selectors.summary._build

    def build_then_someone_writes(plan, registration_ids):
        build(plan, registration_ids)
        map_evidence(world.reg2, world.u102, world.pat)  # marks reg2 stale: a row the refresh did not read

    monkeypatch.setattr(selectors.summary, "_build", build_then_someone_writes)
    selectors.summary.refresh(plan)
    monkeypatch.setattr(selectors.summary, "_build", build)
    assert PoolStale.objects.filter(registration_id=world.reg2.pk).exists()
    assert _agree(plan).candidates == 2


def test_the_coverage_is_counted_once_until_the_rows_change(world, plan):
    """The counts are kept on the plan: a read with nothing changed does not count the rows again; a change, an
    edit of the plan or a rebuild has them counted again."""
    map_evidence(world.reg1, world.u101, world.ann)
    services.candidate_site_set(actor=world.admin, registration=world.reg1, site="North")
    selectors.plan_coverage(plan)
    with CaptureQueriesContext(connection) as queries:
        selectors.plan_coverage(plan)
    assert not any("COUNT(DISTINCT" in q["sql"] for q in queries.captured_queries)
    map_evidence(world.reg2, world.u102, world.pat)
    assert _agree(plan).candidates == 2
    plan.cover_sites = False
    plan.save()
    assert "site" not in {n[0] for n in _needs(_agree(plan))}
    selectors.summary.rebuild_later()
    assert _agree(plan).candidates == 2


def test_a_renamed_assessor_is_named_afresh(world, plan):
    map_evidence(world.reg1, world.u101, world.ann)
    selectors.plan_coverage(plan)
    world.ann.first_name, world.ann.last_name = "Annabel", "Renamed"
    world.ann.save()
    assert selectors.plan_coverage(plan).people[world.ann.username] == "Annabel Renamed"


def test_counts_from_older_rows_never_hide_a_change_made_while_counting(world, plan, monkeypatch):
    """A change committed while the coverage is counted stays marked: the next read counts again."""
    from verification.selectors import coverage

    map_evidence(world.reg1, world.u101, world.ann)
    count = coverage._count

    def count_then_someone_writes(*args, **kwargs):
        counts = count(*args, **kwargs)
        map_evidence(world.reg2, world.u102, world.pat)
        return counts

    monkeypatch.setattr(coverage, "_count", count_then_someone_writes)
    assert selectors.plan_coverage(plan).candidates == 1
    monkeypatch.setattr(coverage, "_count", count)
    assert _agree(plan).candidates == 2


def test_a_bulk_load_is_rebuilt_by_the_command(world, plan):
    """Rows written around the models (a restore, the centre benchmark's bulk inserts) are not seen until the
    plans are rebuilt: `manage.py rebuild_sampling_pool` (or --now)."""
    from assessment.models import EvidenceMapping
    from qualifications.models import AssessmentCriterion
    from tests.assessment.factories import make_evidence

    selectors.summary.refresh(plan)
    EvidenceMapping.objects.bulk_create(
        [
            EvidenceMapping(
                registration=world.reg1,
                evidence=make_evidence(registration=world.reg1),
                criterion=c,
                unit=world.u101,
                method="observation",
                decision="accepted",
                assessed_by=world.ann,
                assessed_at=plan.created_at,
            )
            for c in AssessmentCriterion.objects.filter(unit=world.u101)
        ]
    )
    PoolStale.objects.all().delete()  # the evidence's own signals aside: a load that bypassed them all
    assert selectors.plan_coverage(plan).candidates == 0
    call_command("rebuild_sampling_pool", "--now", stdout=open("/dev/null", "w"))
    assert _agree(plan).candidates == 1

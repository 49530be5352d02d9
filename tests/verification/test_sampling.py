"""The sampling generator and coverage, on plain data."""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verification.sampling import Decision, SamplingPlan, coverage, propose_sample, quota


def d(id, assessor, candidate, unit, methods=("O",), site="Leeds", stage="summative"):
    return Decision(id, assessor, candidate, unit, frozenset(methods), site, stage)


def test_quota_rounds_up_and_flagged_assessors_get_everything():
    plan = SamplingPlan(min_share=0.25, full_sample_assessors=frozenset({"new"}))
    assert quota(plan, "old", 10) == 3
    assert quota(plan, "old", 4) == 1
    assert quota(plan, "new", 7) == 7
    assert quota(SamplingPlan(min_share=0.5), "a", 4) == 2


def test_proposal_meets_every_requirement():
    decisions = [
        d(1, "ann", "c1", "401", ["O"], "Leeds", "interim"),
        d(2, "ann", "c2", "402", ["Q"], "Leeds"),
        d(3, "ann", "c3", "401", ["PD"], "York"),
        d(4, "bob", "c4", "403", ["O", "WT"], "York"),
        d(5, "bob", "c5", "401", ["O"], "Leeds"),
    ]
    plan = SamplingPlan(min_share=0.5)
    proposal = propose_sample(plan, decisions)
    assert proposal.unmet == []
    picked = {p.id for p in proposal.items}
    # 3 units, 4 methods, 2 sites, 2 stages, ann needs 2 candidates and bob 1
    assert {1, 2, 3, 4} <= picked or len(picked) <= 4
    cov = coverage(plan, decisions, picked)
    assert cov.unsampled_units == [] and cov.unsampled_methods == [] and cov.unsampled_sites == []


def test_flagged_assessor_has_every_candidate_sampled():
    decisions = [d(i, "new", f"c{i}", "101") for i in range(1, 6)] + [d(9, "old", "c9", "101")]
    plan = SamplingPlan(min_share=0.1, full_sample_assessors=frozenset({"new"}))
    proposal = propose_sample(plan, decisions)
    assert {p.candidate for p in proposal.items if p.assessor == "new"} == {f"c{i}" for i in range(1, 6)}
    assert proposal.unmet == []


def test_already_sampled_decisions_count_towards_the_plan():
    decisions = [d(1, "ann", "c1", "401"), d(2, "ann", "c2", "402")]
    plan = SamplingPlan(min_share=0.5)
    proposal = propose_sample(plan, decisions, already_sampled=[1])
    assert [p.id for p in proposal.items] == [2]  # only unit 402 is still open


def test_coverage_horizontal_and_vertical():
    decisions = [d(1, "ann", "c1", "401"), d(2, "ann", "c1", "402"), d(3, "ann", "c2", "401")]
    cov = coverage(SamplingPlan(), decisions, [1])
    assert cov.by_unit == {"401": {"c1": True, "c2": False}, "402": {"c1": False}}
    assert cov.by_candidate == {"c1": {"401": True, "402": False}, "c2": {"401": False}}
    assert cov.unsampled_units == ["402"]
    assert cov.unsampled_candidates == ["c2"]


def test_empty_input_gives_an_empty_sample():
    proposal = propose_sample(SamplingPlan(), [])
    assert proposal.items == [] and proposal.unmet == []


def test_min_share_is_validated():
    with pytest.raises(ValueError):
        SamplingPlan(min_share=1.5)


decision_strategy = st.builds(
    lambda i, a, c, u, m, s, stg: Decision(i, a, c, u, frozenset(m), s, stg),
    st.integers(0, 10_000),
    st.sampled_from(["ann", "bob", "cat"]),
    st.sampled_from(["c1", "c2", "c3", "c4", "c5"]),
    st.sampled_from(["401", "402", "403", "404"]),
    st.sets(st.sampled_from(["O", "Q", "PD", "WT", "PE"]), min_size=1, max_size=2),
    st.sampled_from(["Leeds", "York", ""]),
    st.sampled_from(["interim", "summative"]),
)


def brute_force_minimum(plan, decisions):
    from verification.sampling import _needs_met_count, _State

    state = _State(plan, decisions)
    best = _needs_met_count(state, decisions)
    for size in range(len(decisions) + 1):
        for combo in combinations(decisions, size):
            if _needs_met_count(state, list(combo)) == best:
                return size
    return len(decisions)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(decision_strategy, min_size=1, max_size=9, unique_by=lambda x: x.id),
    st.sampled_from([0.1, 0.34, 0.5, 1.0]),
)
def test_proposal_is_complete_and_minimal_on_small_centres(decisions, share):
    plan = SamplingPlan(min_share=share)
    proposal = propose_sample(plan, decisions)
    assert proposal.unmet == []  # everything present in the decisions can be sampled
    assert len(proposal.items) == brute_force_minimum(plan, decisions)


def test_large_centre_sample_is_complete_and_has_no_redundant_item():
    import random

    from verification.sampling import _needs_met_count, _State

    rng = random.Random(7)
    decisions = [
        d(
            i,
            f"a{i % 6}",
            f"c{i % 60}",
            f"4{rng.randint(1, 17):02d}",
            rng.sample(["O", "Q", "PD", "WT", "PE"], 2),
            rng.choice(["Leeds", "York", "Hull"]),
            rng.choice(["interim", "summative"]),
        )
        for i in range(400)
    ]
    plan = SamplingPlan(min_share=0.2, full_sample_assessors=frozenset({"a0"}))
    proposal = propose_sample(plan, decisions)
    assert proposal.unmet == []
    state = _State(plan, decisions)
    full = _needs_met_count(state, proposal.items)
    for item in proposal.items:
        assert _needs_met_count(state, [x for x in proposal.items if x is not item]) < full
    assert len(proposal.items) < 60


@settings(max_examples=150, deadline=None)
@given(
    st.lists(decision_strategy, min_size=0, max_size=40, unique_by=lambda x: x.id),
    st.sampled_from([0.1, 0.34, 0.5, 1.0]),
    st.sets(st.sampled_from(["ann", "bob", "cat"])),
    st.integers(0, 5),
)
def test_lazy_greedy_gives_the_reference_generators_sample(decisions, share, flagged, sampled_every):
    """The heap-driven generator proposes exactly what the generator that re-scores every decision after each
    pick proposes, with and without decisions already sampled (pools above and below the exhaustive limit)."""
    from verification.sampling import _propose_sample_reference

    plan = SamplingPlan(min_share=share, full_sample_assessors=frozenset(flagged))
    done = [d.id for n, d in enumerate(decisions) if sampled_every and n % (sampled_every + 1) == 0]
    new = propose_sample(plan, decisions, already_sampled=done)
    old = _propose_sample_reference(plan, decisions, already_sampled=done)
    assert [d.id for d in new.items] == [d.id for d in old.items]
    assert new.needs == old.needs and new.unmeetable == old.unmeetable


def test_lazy_greedy_matches_the_reference_on_a_centre_sized_pool():
    import random

    from verification.sampling import _propose_sample_reference

    rng = random.Random(11)
    decisions = [
        d(
            i,
            f"a{rng.randint(0, 7)}",
            f"c{rng.randint(0, 150)}",
            f"4{rng.randint(1, 17):02d}",
            rng.sample(["O", "Q", "PD", "WT", "PE", "RPL"], rng.randint(1, 3)),
            rng.choice(["Leeds", "York", "Hull", ""]),
            rng.choice(["interim", "summative"]),
        )
        for i in range(600)
    ]
    plan = SamplingPlan(min_share=0.3, full_sample_assessors=frozenset({"a1"}))
    assert [x.id for x in propose_sample(plan, decisions, already_sampled=[3, 9, 27]).items] == [
        x.id for x in _propose_sample_reference(plan, decisions, already_sampled=[3, 9, 27]).items
    ]

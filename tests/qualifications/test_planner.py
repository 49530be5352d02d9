"""The completion planner: hand-worked answers, and exactness against brute force on every seed qualification."""

import random

import pytest

from qualifications.planner import brute_force_plan, make_plan, plan, plan_key, selection_problems
from qualifications.rules import CANNOT_DECIDE, RULES_NOT_STATED
from tests.qualifications.rules_data import RULES_4411, spec_4411, spec_4430_04, spec_unstated


def numbers(units):
    return [u.number for u in units]


def test_4411_01_from_nothing_is_not_the_greedy_answer():
    # 102 is mandatory (3 credits, 24 GLH); 2 more Level 1 credits and 2 more of any level are needed.
    # Greedy takes the first cheap Level 1 unit, 101 (18 GLH), and is then barred from 001 (15 GLH, the
    # cheapest unit) so pays 010 (16): 58 GLH. The exact answer keeps 001 and takes 104: 24 + 15 + 18 = 57.
    result = plan(spec_4411("4411-01"), [])
    assert result.feasible
    assert numbers(result.add) == ["001", "102", "104"]
    assert (result.added_credits, result.added_glh) == (7, 57)
    assert result.verdict.achieved


def test_4411_30_from_nothing():
    # 002 (2 credits, 20 GLH) + the two cheapest 2-credit units, both Entry 3: 001 (15) and 010 (16).
    result = plan(spec_4411("4411-30"), [])
    assert numbers(result.add) == ["001", "002", "010"]
    assert (result.added_credits, result.added_glh) == (6, 51)


def test_4430_04_from_nothing_needs_67_credits_at_the_fewest_hours():
    # 401 + 402 (130 GLH) and 47 optional credits; no unit costs less than 53 GLH per 8 credits, so 47
    # credits need at least 47 * 53 / 8 = 311.4, i.e. 312 GLH: 442 in all.
    result = plan(spec_4430_04(), [])
    assert (result.added_credits, result.added_glh) == (67, 442)
    assert result.verdict.achieved
    assert {"401", "402"} <= set(numbers(result.add))
    assert numbers(result.add) == sorted(numbers(result.add))  # number order


def test_4430_04_only_an_empty_group_left():
    # 401, 402, 403, 404, 405, 307, 313, 314: 70 credits, 49 at level 4, no Handling Problems unit. The
    # cheapest is 310 or 312 (6 credits, 40 GLH): 310 by number.
    held = ["401", "402", "403", "404", "405", "307", "313", "314"]
    result = plan(spec_4430_04(), held)
    assert numbers(result.add) == ["310"]
    assert result.claim == [f"4430-{n}" for n in sorted(held)]


def test_already_achieved_needs_nothing_and_claims_every_unit_held():
    # 4411-30: 002, 001, 003, 004, 005 = 11 credits, 5 more than needed: surplus is still claimed.
    held = ["002", "001", "003", "004", "005"]
    result = plan(spec_4411("4411-30"), held)
    assert result.add == [] and result.added_credits == 0
    assert result.claim == ["4411-001", "4411-002", "4411-003", "4411-004", "4411-005"]
    assert result.dropped == []


def test_barred_pair_held_drops_the_unit_barred_against_the_mandatory_one():
    result = plan(spec_4411("4411-30"), ["002", "102", "001", "004"])
    assert result.claim == ["4411-001", "4411-002", "4411-004"]
    assert result.dropped == ["4411-102"]
    assert result.dropped_reasons == ["102 is not claimed: it cannot be taken with 002, which is mandatory"]
    assert result.add == [] and result.verdict.achieved


def test_barred_pair_held_keeps_the_unit_that_saves_work():
    # 4411-11 needs 13 credits, 7 of them Level 1. Held: 102 (3), 105 (2), 001 or 101 (2), and Entry 3
    # units 003, 004, 006 (7). Keeping 101 makes 7 Level 1 credits and 14 in all: nothing to add. Keeping 001
    # would leave Level 1 two credits short.
    result = plan(spec_4411("4411-11"), ["102", "105", "001", "101", "003", "004", "006"])
    assert result.add == []
    assert "4411-101" in result.claim and "4411-001" in result.dropped
    assert result.dropped_reasons == ["001 is not claimed: it cannot be taken with 101, which the plan keeps"]
    assert result.verdict.achieved


def test_in_progress_unit_wins_over_an_achieved_unit_it_is_barred_with():
    result = plan(spec_4411("4411-30"), ["001"], in_progress=["101"])
    assert result.committed == ["4411-101"]
    assert result.dropped == ["4411-001"]
    assert "4411-101" not in [u.ref for u in result.add]
    assert result.verdict.achieved


def test_chosen_units_that_are_barred_together_have_no_plan():
    result = plan(spec_4411("4411-30"), [], chosen=["001", "101"])
    assert not result.feasible
    assert result.reason == (
        "No completion plan: 001 and 101 cannot both be claimed, but 001 is in progress or "
        "chosen and 101 is in progress or chosen"
    )


def test_selection_problems_for_registration():
    assert selection_problems(spec_4430_04(), ["4430-303", "4430-307"]) == []
    assert selection_problems(spec_4411("4411-30"), ["4411-102"]) == [
        "No completion plan: 002 and 102 cannot both be claimed, but 002 is mandatory and 102 is in progress "
        "or chosen"
    ]
    assert selection_problems(spec_4411("4411-30"), ["4411-001", "4430-401"]) == [
        "4430-401 is not a unit of 4411-30"
    ]


def test_offer_too_small_says_which_rule_cannot_be_met():
    result = make_plan(spec_4430_04(), ["401", "402"], offered=["303", "307", "310"])
    assert not result.feasible
    assert "no unit from optional group Development and Improvement" in result.reason


def test_incomplete_rule_plans_for_the_rest_and_says_it_cannot_decide():
    result = plan(spec_4430_04(level_credits=None, complete=False), [])
    assert result.feasible
    assert result.verdict.status == CANNOT_DECIDE
    assert "cannot be checked" in result.reason
    # Without the level rule, the cheapest 47 optional credits may be at level 3: still 67 credits.
    assert result.added_credits == 67


def test_rules_not_stated_has_no_plan():
    result = plan(spec_unstated(), ["301"])
    assert not result.feasible
    assert result.reason == "No completion plan: " + RULES_NOT_STATED.format(code="CS-L3-2006")
    assert result.to_dict()["feasible"] is False


def _random_cases(spec, rng, count, max_held, pool):
    units = [u.number for u in spec.units]
    for _ in range(count):
        shuffled = units[:]
        rng.shuffle(shuffled)
        held = shuffled[: rng.randint(0, max_held)]
        offered = shuffled[len(held) : len(held) + pool]
        yield held, offered


@pytest.mark.parametrize("code", [*RULES_4411, "4430-04"])
def test_planner_equals_brute_force(code):
    spec = spec_4430_04() if code == "4430-04" else spec_4411(code)
    rng = random.Random(code)
    feasible = 0
    for held, offered in _random_cases(spec, rng, count=20, max_held=4, pool=7):
        result = make_plan(spec, held, offered=offered)
        expected = brute_force_plan(spec, held, offered=offered)
        assert result.feasible == (expected is not None), (held, offered, result.reason)
        if expected is None:
            continue
        feasible += 1
        assert sorted(u.ref for u in result.add) == expected[0], (held, offered)
        assert result.claim == expected[1], (held, offered)
        assert plan_key(spec, result.add, [spec.unit_by_ref(r) for r in result.claim]) == expected[2]
        assert result.verdict.achieved
    assert feasible >= 5  # the comparison is not vacuous


def test_planner_equals_brute_force_with_four_barred_pairs_on_offer():
    # Nothing held; ten units offered, four barred pairs among them (001/101, 003/103, 004/104, 010/110).
    spec = spec_4411("4411-01")
    offered = ["001", "002", "003", "004", "010", "101", "103", "104", "105", "110"]
    result = make_plan(spec, [], offered=offered)
    expected = brute_force_plan(spec, [], offered=offered)
    assert sorted(u.ref for u in result.add) == expected[0]

"""The rules-of-combination engine on hand-worked cases from the handbooks (plain data, no database).

Credits and levels are the handbooks' (see rules_data.py). Each case's arithmetic is in its comment.
"""

from dataclasses import replace

import pytest

from qualifications.rules import (
    ACHIEVED,
    CANNOT_DECIDE,
    NOT_ACHIEVED,
    RULES_NOT_STATED,
    QualificationSpec,
    RuleSpec,
    UnitSpec,
    evaluate,
    verdict_text,
)
from tests.qualifications.rules_data import spec_4411, spec_4430_04, spec_unstated


def messages(verdict):
    return [r.message for r in verdict.unmet]


# ---- 4411-30: at least 6 credits, at least 4 from Entry 3 units 001-010, unit 002 mandatory ----------


def test_4411_30_exactly_at_both_minimums():
    # 002 (2) + 004 (2) + 106 (2) = 6 credits, 4 of them at Entry 3.
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-004", "4411-106"])
    assert verdict.status == ACHIEVED and verdict.achieved
    assert verdict.total_credits == 6
    assert verdict.credits_by_level == {"Entry 3": 4, "Level 1": 2}
    assert verdict.unmet == []


def test_4411_30_one_credit_short():
    # 002 (2) + 003 (3) = 5 credits, all Entry 3.
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-003"])
    assert verdict.status == NOT_ACHIEVED and not verdict.achieved
    assert messages(verdict) == ["needs at least 6 credits, has 5"]


def test_4411_30_entry_3_minimum_unmet_even_with_enough_credits():
    # 002 (2) + 103 (3) + 104 (2) = 7 credits, only 2 from Entry 3 units.
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-103", "4411-104"])
    assert verdict.total_credits == 7
    assert messages(verdict) == ["needs at least 4 credits from Entry 3 units 001-010, has 2"]


def test_4411_30_mandatory_unit_missing():
    # 001 (2) + 003 (3) + 004 (2) = 7 Entry 3 credits, but no 002.
    verdict = evaluate(spec_4411("4411-30"), ["4411-001", "4411-003", "4411-004"])
    assert messages(verdict) == ["mandatory unit 002 is missing"]


def test_4411_30_barred_pair_makes_the_claim_invalid_whatever_the_credits():
    # 002 + 001 + 101 + 004 = 8 credits, but 001 cannot be taken with 101.
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-001", "4411-101", "4411-004"])
    assert verdict.total_credits == 8
    assert verdict.status == NOT_ACHIEVED
    assert messages(verdict) == ["001 and 101 cannot both be claimed"]


def test_4411_30_optional_102_is_barred_against_mandatory_002():
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-102", "4411-001", "4411-004"])
    assert messages(verdict) == ["002 and 102 cannot both be claimed"]


def test_units_outside_the_qualification_count_for_nothing_and_are_reported():
    # The exact-minimum claim plus a 4430 unit: still 6 credits, the 4430 unit listed as outside.
    verdict = evaluate(spec_4411("4411-30"), ["4411-002", "4411-004", "4411-106", "4430-401"])
    assert verdict.achieved
    assert verdict.total_credits == 6
    assert verdict.outside_units == ["4430-401"]
    short = evaluate(spec_4411("4411-30"), ["4411-002", "4411-003", "4430-401"])
    assert messages(short) == ["needs at least 6 credits, has 5"]
    assert short.outside_units == ["4430-401"]


def test_units_are_found_by_number_as_well_as_reference():
    assert evaluate(spec_4411("4411-30"), ["002", "004", "106"]).achieved


# ---- 4411-33: at least 13 credits, at least 7 from Entry 3, 002 and 009 mandatory -----------------


def test_4411_33_exactly_13_credits():
    # 002, 009, 001, 004, 005 (2 each) + 003 (3) = 13, all Entry 3.
    verdict = evaluate(spec_4411("4411-33"), ["002", "009", "001", "003", "004", "005"])
    assert verdict.achieved and verdict.total_credits == 13


def test_4411_33_one_credit_short():
    # 002, 009, 001, 004, 005, 006: 6 units of 2 credits = 12.
    verdict = evaluate(spec_4411("4411-33"), ["002", "009", "001", "004", "005", "006"])
    assert messages(verdict) == ["needs at least 13 credits, has 12"]


def test_4411_33_entry_3_minimum_counts_the_mandatory_units_too():
    # 002 + 009 (4 Entry 3 credits) + 103 (3) + 104, 105, 106, 107 (2 each) = 15 credits, 4 at Entry 3.
    verdict = evaluate(spec_4411("4411-33"), ["002", "009", "103", "104", "105", "106", "107"])
    assert verdict.total_credits == 15
    assert messages(verdict) == ["needs at least 7 credits from Entry 3 units 001-010, has 4"]
    # Swap 107 for 007: 002 + 009 + 007 = 6 Entry 3 credits, still one short.
    verdict = evaluate(spec_4411("4411-33"), ["002", "009", "007", "103", "104", "105", "106"])
    assert messages(verdict) == ["needs at least 7 credits from Entry 3 units 001-010, has 6"]


def test_4411_33_both_mandatory_units_missing():
    verdict = evaluate(spec_4411("4411-33"), ["001", "003", "004", "005", "006", "007", "008"])
    assert "mandatory units 002 and 009 are missing" in messages(verdict)


# ---- 4411-01: at least 7 credits, at least 5 from Level 1 units 101-110, 102 mandatory --------------


def test_4411_01_exactly_at_both_minimums():
    # 102 (3) + 104 (2) = 5 Level 1 credits, + 001 (2) = 7.
    verdict = evaluate(spec_4411("4411-01"), ["102", "104", "001"])
    assert verdict.achieved
    assert verdict.credits_by_level == {"Entry 3": 2, "Level 1": 5}


def test_4411_01_one_credit_short():
    # 102 (3) + 103 (3) = 6.
    assert messages(evaluate(spec_4411("4411-01"), ["102", "103"])) == ["needs at least 7 credits, has 6"]


def test_4411_01_level_1_minimum_unmet():
    # 102 (3) + 001 (2) + 003 (3) = 8 credits, 3 of them Level 1.
    verdict = evaluate(spec_4411("4411-01"), ["102", "001", "003"])
    assert messages(verdict) == ["needs at least 5 credits from Level 1 units 101-110, has 3"]


def test_4411_01_barred_pair_with_its_mandatory_unit():
    verdict = evaluate(spec_4411("4411-01"), ["102", "104", "001", "002"])
    assert messages(verdict) == ["002 and 102 cannot both be claimed"]


# ---- 4411-11: at least 13 credits, at least 7 from Level 1, 102 and 105 mandatory -------------------


def test_4411_11_exactly_13_credits():
    # 102 (3) + 105, 104, 106, 107 (2 each) = 11 Level 1 credits, + 001 (2) = 13.
    verdict = evaluate(spec_4411("4411-11"), ["102", "105", "104", "106", "107", "001"])
    assert verdict.achieved and verdict.total_credits == 13


def test_4411_11_missing_105_and_level_1_short():
    # 102 (3) + 001, 004, 006 (2 each) + 003 (3) = 12 credits, 3 at Level 1, no 105.
    verdict = evaluate(spec_4411("4411-11"), ["102", "001", "003", "004", "006"])
    assert messages(verdict) == [
        "needs at least 13 credits, has 12",
        "needs at least 7 credits from Level 1 units 101-110, has 3",
        "mandatory unit 105 is missing",
    ]


# ---- 4430-04: 67 credits, 35 at level 4, 401 + 402 mandatory, 47 further, one unit from each group ---

# 401, 402 (10 each), 405 (8), 414 (7): 35 at level 4; 303, 307, 310, 312 (6 each) + 304 (8): 32 at level 3.
EXACT_4430_04 = ["401", "402", "405", "414", "303", "304", "307", "310", "312"]


def test_4430_04_exactly_67_with_exactly_35_at_level_4():
    verdict = evaluate(spec_4430_04(), EXACT_4430_04)
    assert verdict.achieved
    assert verdict.total_credits == 67
    assert verdict.credits_by_level == {"Level 3": 32, "Level 4": 35}


def test_4430_04_one_credit_short():
    # 305 (7) instead of 304 (8): 66 in all, 46 from optional units.
    claim = [n if n != "304" else "305" for n in EXACT_4430_04]
    verdict = evaluate(spec_4430_04(), claim)
    assert verdict.total_credits == 66
    assert messages(verdict) == [
        "needs at least 67 credits, has 66",
        "needs at least 47 credits from optional units, has 46",
    ]


def test_4430_04_level_4_minimum_counts_mandatory_units_and_can_fail_alone():
    # 401, 402 (20) + 414, 417 (7 each) = 34 at level 4; 304 (8), 309 (7), 311 (10), 313 (8) = 33 at level 3.
    verdict = evaluate(spec_4430_04(), ["401", "402", "414", "417", "304", "309", "311", "313"])
    assert verdict.total_credits == 67
    assert messages(verdict) == ["needs 35 credits at level 4, has 34"]


def test_4430_04_empty_optional_group_names_the_units_to_choose_from():
    # 401, 402, 403, 404, 405 (49 at level 4) + 307 (6), 313 (8), 314 (7) = 70, nothing in Handling Problems.
    verdict = evaluate(spec_4430_04(), ["401", "402", "403", "404", "405", "307", "313", "314"])
    assert verdict.total_credits == 70
    assert messages(verdict) == [
        "no unit from optional group Handling Problems: choose one of 310, 311, 312 or 410"
    ]


def test_4430_04_mandatory_unit_missing():
    claim = [n for n in EXACT_4430_04 if n != "402"] + ["406"]  # 406 (10) keeps the credits at 67
    verdict = evaluate(spec_4430_04(), claim)
    assert verdict.total_credits == 67
    assert messages(verdict) == ["mandatory unit 402 is missing"]


def test_4430_04_other_qualifications_units_are_outside_and_do_not_help():
    claim = [n if n != "304" else "305" for n in EXACT_4430_04] + ["4411-102", "4411-103"]
    verdict = evaluate(spec_4430_04(), claim)
    assert verdict.total_credits == 66
    assert verdict.outside_units == ["4411-102", "4411-103"]
    assert not verdict.achieved
    as_dict = verdict.to_dict()
    assert as_dict["outside_units"] == ["4411-102", "4411-103"]
    assert as_dict["unmet"][0] == {
        "rule": "min_total_credits",
        "message": "needs at least 67 credits, has 66",
    }


# ---- cannot decide: incomplete rules, unknown credits, rules not stated --------------------------


def test_incomplete_rule_gives_cannot_decide_never_a_false_yes():
    spec = spec_4430_04(level_credits=None, complete=False)  # as if the level figure had been lost
    verdict = evaluate(spec, EXACT_4430_04)
    assert verdict.status == CANNOT_DECIDE and not verdict.achieved
    assert verdict.reasons == [
        "this rule cannot be checked: the number of credits was lost from the handbook"
    ]
    assert [r.met for r in verdict.rules] == [True, None, True, True, True, True, True, True]


def test_incomplete_rule_still_gives_a_definite_no_when_another_rule_fails():
    spec = spec_4430_04(level_credits=None, complete=False)
    verdict = evaluate(spec, ["401", "402"])
    assert verdict.status == NOT_ACHIEVED
    assert "needs at least 67 credits, has 20" in messages(verdict)


def _with_unknown_credits(spec, number):
    units = tuple(replace(u, credits=None) if u.number == number else u for u in spec.units)
    return replace(spec, units=units)


def test_unknown_credit_value_that_matters_gives_cannot_decide_naming_the_unit():
    spec = _with_unknown_credits(spec_4430_04(), "414")
    verdict = evaluate(spec, EXACT_4430_04)  # 60 known credits + 414 unknown
    assert verdict.status == CANNOT_DECIDE
    assert verdict.total_credits == 60
    assert verdict.unknown_credit_units == ["414"]
    assert (
        "needs at least 67 credits, has 60 that are known: the credit value of 414 is not recorded, so this "
        "cannot be decided"
    ) in verdict.reasons


def test_unknown_credit_value_that_does_not_matter_still_allows_a_true_yes():
    spec = _with_unknown_credits(spec_4430_04(), "414")
    verdict = evaluate(spec, EXACT_4430_04 + ["417", "404"])  # 60 + 7 + 11 known = 78, 46 at level 4
    assert verdict.status == ACHIEVED


def test_rules_not_stated_gives_cannot_decide_with_the_reason():
    spec = spec_unstated()
    verdict = evaluate(spec, ["2006-301", "302"])
    assert verdict.status == CANNOT_DECIDE and not verdict.achieved
    assert verdict.reasons == [RULES_NOT_STATED.format(code="CS-L3-2006")]
    assert [(r.rule, r.met, r.message) for r in verdict.unmet] == [
        ("rules_not_stated", None, RULES_NOT_STATED.format(code="CS-L3-2006"))
    ]
    assert verdict.counted_units == ["2006-301", "2006-302"]


def test_unknown_rule_kind_cannot_decide():
    spec = QualificationSpec(
        code="X",
        title="x",
        level="Level 2",
        rules_stated=True,
        units=(UnitSpec("1", "X-1", "One", "Level 2", 5, 10, "optional"),),
        rules=(RuleSpec(1, "min_moon_phase", {}),),
    )
    verdict = evaluate(spec, ["X-1"])
    assert verdict.status == CANNOT_DECIDE
    assert "unknown" in verdict.reasons[0] or "does not know" in verdict.reasons[0]


# ---- group maximums and minimum credits (no seed handbook uses them; the model allows them) ------------


@pytest.fixture
def capped_spec():
    group = "Delivery"
    units = tuple(
        UnitSpec(n, f"T-{n}", f"Unit {n}", "Level 2", c, c * 7, "optional", group)
        for n, c in (("1", 3), ("2", 4), ("3", 5))
    )
    rules = (
        RuleSpec(1, "min_total_credits", {"credits": 7}),
        RuleSpec(
            2,
            "group_minimum",
            {"group": group, "min_units": 1, "min_credits": 7, "max_units": 2, "max_credits": 9},
        ),
    )
    return QualificationSpec("T", "Test", "Level 2", True, units, rules, (group,))


def test_group_maximums_and_minimum_credits(capped_spec):
    assert evaluate(capped_spec, ["T-1", "T-2"]).achieved  # 7 credits, 2 units
    too_many = evaluate(capped_spec, ["T-1", "T-2", "T-3"])
    assert messages(too_many) == [
        "at most 2 units from optional group Delivery may be claimed, has 3 (1, 2 and 3); at most 9 credits "
        "from optional group Delivery may be claimed, has 12"
    ]
    assert messages(evaluate(capped_spec, ["T-3"])) == [
        "needs at least 7 credits, has 5",
        "needs at least 7 credits from optional group Delivery, has 5",
    ]


def test_readable_text_names_the_verdict_rules_and_outside_units():
    verdict = evaluate(spec_4430_04(), [*EXACT_4430_04[:-1], "4411-102"])
    text = verdict_text(spec_4430_04(), verdict)
    assert "Result: NOT ACHIEVED" in text
    assert "NOT MET      needs at least 67 credits, has 61" in text
    assert "4411-102" in text

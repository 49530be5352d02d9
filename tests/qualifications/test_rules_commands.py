"""check_rules and plan_completion on the real catalogue fixtures (loaded once for the class)."""

import json
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from qualifications.rules import RULES_NOT_STATED

FIXTURES = ["fixtures/4411.json", "fixtures/4430-04.json", "fixtures/4430-02.json", "fixtures/2006-L3.json"]

# 401, 402, 405, 414: 35 credits at level 4; 303, 304, 307, 310, 312: 32 at level 3. 67 in all.
EXACT_4430_04 = ["401", "402", "405", "414", "303", "304", "307", "310", "312"]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def run_json(*args):
    text = run(*args, "--json")
    return json.loads(text)  # exactly one JSON object, nothing else


class RulesCommandsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for fixture in FIXTURES:
            call_command("loaddata", fixture, verbosity=0)

    def test_4430_04_one_credit_short_as_json(self):
        claim = [n if n != "304" else "305" for n in EXACT_4430_04]
        data = run_json("check_rules", "4430-04", *claim)
        assert data["qualification"] == "4430-04"
        assert data["achieved"] is False and data["status"] == "not_achieved"
        assert data["total_credits"] == 66
        assert data["credits_by_level"] == {"Level 3": 31, "Level 4": 35}
        assert data["unmet"] == [
            {"rule": "min_total_credits", "message": "needs at least 67 credits, has 66"},
            {
                "rule": "min_credits_from_units",
                "message": "needs at least 47 credits from optional units, has 46",
            },
        ]
        assert data["outside_units"] == []

    def test_4430_04_exact_minimum_by_number_or_reference(self):
        claim = [f"4430-{n}" if n.startswith("4") else n for n in EXACT_4430_04]
        data = run_json("check_rules", "4430-04", *claim)
        assert data["achieved"] is True and data["total_credits"] == 67

    def test_other_qualifications_units_are_outside_and_not_counted(self):
        claim = [n if n != "304" else "305" for n in EXACT_4430_04]
        data = run_json("check_rules", "4430-04", *claim, "4411-102")
        assert data["total_credits"] == 66
        assert data["outside_units"] == ["4411-102"]
        text = run("check_rules", "4430-04", *claim, "4411-102")
        assert (
            "4411-102 Apply legislation, regulation and organisational procedures for customer service"
            in text
        )

    def test_4430_04_level_minimum_and_empty_group_in_readable_text(self):
        text = run("check_rules", "4430-04", "401", "402", "414", "417", "304", "309", "311", "313")
        assert "Result: NOT ACHIEVED" in text
        assert "needs 35 credits at level 4, has 34" in text
        text = run("check_rules", "4430-04", "401", "402", "403", "404", "405", "307", "313", "314")
        assert "no unit from optional group Handling Problems: choose one of 310, 311, 312 or 410" in text

    def test_4411_barred_pair_and_missing_mandatory_unit(self):
        data = run_json("check_rules", "4411-30", "002", "102", "001", "004")
        assert [u["message"] for u in data["unmet"]] == ["002 and 102 cannot both be claimed"]
        data = run_json("check_rules", "4411-11", "102", "001", "003", "004", "006")
        assert "mandatory unit 105 is missing" in [u["message"] for u in data["unmet"]]
        data = run_json("check_rules", "4411-01", "102", "104", "001")
        assert data["achieved"] is True and data["credits_by_level"] == {"Entry 3": 2, "Level 1": 5}

    def test_4430_02_cannot_decide_because_of_the_lost_level_figure(self):
        # 101 + 201 (mandatory) and units 303, 307, 310, 313 (6+6+6+8 credits as in the 4430-04 table)
        data = run_json("check_rules", "4430-02", "101", "201", "303", "307", "310", "313")
        assert data["achieved"] is False
        assert data["status"] == "cannot_decide"
        assert data["total_credits"] >= 28
        assert [u["rule"] for u in data["unmet"]] == ["min_credits_at_level"]
        assert "lost in extraction" in data["reasons"][0]

    def test_4430_02_definite_no_when_credits_are_short(self):
        data = run_json("check_rules", "4430-02", "101", "201")
        assert data["status"] == "not_achieved"
        assert "needs at least 28 credits" in data["unmet"][0]["message"]

    def test_2006_rules_not_stated(self):
        data = run_json("check_rules", "CS-L3-2006", "301", "302")
        assert data["status"] == "cannot_decide" and data["achieved"] is False
        assert data["reasons"] == [RULES_NOT_STATED.format(code="CS-L3-2006")]
        assert data["unmet"] == [
            {"rule": "rules_not_stated", "message": RULES_NOT_STATED.format(code="CS-L3-2006")}
        ]

    def test_unknown_qualification_exits_2(self):
        with self.assertRaises(CommandError) as caught:
            run("check_rules", "4430-99", "401")
        assert caught.exception.returncode == 2
        assert "Unknown qualification '4430-99'" in str(caught.exception)

    def test_reference_found_nowhere_exits_2(self):
        with self.assertRaises(CommandError) as caught:
            run("check_rules", "4430-04", "401", "9999-001")
        assert caught.exception.returncode == 2
        assert "Unknown unit '9999-001'" in str(caught.exception)

    def test_plan_completion_json(self):
        data = run_json("plan_completion", "4430-04", "401", "402", "403", "404", "405", "307", "313", "314")
        assert data["feasible"] is True
        # 310 (6 credits) would be cheaper, but its content is not in the catalogue: 410 can be assessed.
        assert [(u["number"], u["assessable"]) for u in data["add"]] == [("410", True)]
        assert data["added_credits"] == 10 and data["added_glh"] == 67
        assert data["verdict"]["achieved"] is True

    def test_plan_completion_text_for_4411_with_a_barred_pair(self):
        text = run("plan_completion", "4411-01", "002", "102", "001", "101")
        assert "002 is not claimed: it cannot be taken with 102, which is mandatory" in text
        assert "010  Working in a customer focused way (Entry 3, optional): 2 credits, 16 GLH" in text
        assert "With this plan: ACHIEVED" in text

    def test_plan_completion_from_nothing_on_4430_04(self):
        data = run_json("plan_completion", "4430-04")
        assert (data["added_credits"], data["added_glh"]) == (67, 443)
        assert all(u["assessable"] is True for u in data["add"])

    def test_plan_completion_never_proposes_an_unassessable_unit_while_an_assessable_route_exists(self):
        for held in (
            [],
            ["401", "402"],
            ["401", "402", "303"],
            ["401", "402", "403", "404", "405", "307", "313"],
        ):
            data = run_json("plan_completion", "4430-04", *held)
            assert data["feasible"] is True, held
            assert data["add"] and all(u["assessable"] is True for u in data["add"]), (held, data["add"])
            assert not {u["number"] for u in data["add"]} & {str(n) for n in range(303, 319)}

    def test_plan_completion_4430_02_says_no_assessable_route_exists(self):
        data = run_json("plan_completion", "4430-02", "101")
        assert data["feasible"] is False and data["add"] == []
        assert data["reason"].startswith(
            "No route to 4430-02 is made only of units that can be assessed here"
        )
        assert "import_catalogue" in data["reason"]
        text = run("plan_completion", "4430-02")
        assert "A route through 102, 222 and 307 would meet the rules once their content is imported" in text
        assert "Units to add" not in text

    def test_plan_completion_2006_has_no_plan(self):
        data = run_json("plan_completion", "CS-L3-2006", "301")
        assert data["feasible"] is False
        assert "no rules of combination" in data["reason"]

    def test_plan_completion_unknown_unit_exits_2(self):
        with self.assertRaises(CommandError) as caught:
            run("plan_completion", "4411-30", "999")
        assert caught.exception.returncode == 2

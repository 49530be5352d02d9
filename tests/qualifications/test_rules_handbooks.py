"""The catalogue fixtures, seen through the engine, against the handbook data typed in rules_data.py."""

import random

from django.core.management import call_command
from django.test import TestCase

from qualifications.planner import brute_force_plan, make_plan
from qualifications.specs import qualification_spec, resolve_unit
from tests.qualifications.rules_data import RULES_4411, spec_4411, spec_4430_04

FIXTURES = ["fixtures/4411.json", "fixtures/4430-04.json", "fixtures/4430-02.json"]
FIELDS = ("number", "ref", "level", "credits", "glh", "status", "group")


class HandbookSpecTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for fixture in FIXTURES:
            call_command("loaddata", fixture, verbosity=0)

    def assert_same(self, from_fixture, from_handbook):
        def units(spec):
            return sorted(tuple(getattr(u, f) for f in FIELDS) for u in spec.units)

        def rules(spec):
            return [(r.order, r.kind, dict(r.params)) for r in spec.rules]

        assert units(from_fixture) == units(from_handbook)
        assert rules(from_fixture) == rules(from_handbook)
        assert from_fixture.rules_stated and from_fixture.is_decidable

    def test_4411_fixtures_match_the_handbook(self):
        for code in RULES_4411:
            self.assert_same(qualification_spec(code), spec_4411(code))

    def test_4430_04_fixture_matches_the_handbook(self):
        spec = qualification_spec("4430-04")
        self.assert_same(spec, spec_4430_04())
        assert spec.groups == (
            "Impression and Image",
            "Delivery",
            "Handling Problems",
            "Development and Improvement",
        )

    def test_spec_takes_a_constant_number_of_queries(self):
        with self.assertNumQueries(3):
            qualification_spec("4430-02")
        with self.assertNumQueries(3):
            qualification_spec("4411-30")

    def test_resolve_unit(self):
        spec = qualification_spec("4430-04")
        assert resolve_unit(spec, "401") == "4430-401"
        assert resolve_unit(spec, "4430-401") == "4430-401"
        assert resolve_unit(spec, "4411-102") == "4411-102"  # in the catalogue, outside 4430-04
        assert resolve_unit(spec, "102") is None  # 102 is not a number of 4430-04
        assert resolve_unit(spec, "9999-1") is None

    def test_4430_02_incomplete_rule_and_unknown_credits(self):
        spec = qualification_spec("4430-02")
        assert not spec.is_decidable
        unknown = sorted(u.number for u in spec.units if u.credits is None)
        assert unknown == ["104", "212", "213", "214", "215", "216", "217", "218"]

    def test_4430_02_planner_equals_brute_force(self):
        spec = qualification_spec("4430-02")
        rng = random.Random(2)
        numbers = [u.number for u in spec.units]
        feasible = 0
        for _ in range(15):
            rng.shuffle(numbers)
            held, offered = numbers[:3], numbers[3:10]
            result = make_plan(spec, held, offered=offered)
            expected = brute_force_plan(spec, held, offered=offered)
            assert result.feasible == (expected is not None), (held, offered)
            if expected:
                feasible += 1
                assert sorted(u.ref for u in result.add) == expected[0]
                assert result.claim == expected[1]
        assert feasible >= 3

"""fixtures/4430-02.json against facts checked by hand in the Level 2 candidate logbook (seeds/002_...txt).

Units 303-318 are the 4430-04 fixture's rows, so that fixture loads first. Both are loaded once per
class (setUpTestData).
"""

from django.core.management import call_command
from django.test import TestCase

from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    RangeItem,
    Rule,
    Unit,
)

FIXTURES = ("fixtures/4430-04.json", "fixtures/4430-02.json")

GROUPS = {
    "Impression and Image": {
        "102",
        "103",
        "202",
        "203",
        "204",
        "205",
        "206",
        "207",
        "208",
        "209",
        "210",
        "211",
        "303",
        "304",
        "305",
        "306",
    },
    "Delivery": {"104", "212", "213", "214", "215", "216", "217", "218", "307", "308", "309"},
    "Handling Problems": {"105", "106", "219", "220", "310", "311", "312"},
    "Development and Improvement": {
        "221",
        "222",
        "223",
        "224",
        "225",
        "226",
        "227",
        "313",
        "314",
        "315",
        "316",
        "317",
        "318",
    },
}

# criteria per outcome, counted by hand on the logbook's unit pages
CRITERIA_PER_OUTCOME = {
    "101": [3, 3, 15],
    "201": [5, 10],
    "203": [7, 5, 4, 5],
    "204": [4, 4, 5, 6],
    "205": [3, 2, 3, 7],
    "209": [8, 6, 9],
    "210": [5, 4, 11, 12],
    "212": [3, 6, 3, 5],
    "214": [6, 4, 8],
    "105": [4, 6, 10],
    "106": [3, 5, 5, 8],
    "219": [5, 5, 6, 5],
    "221": [3, 3, 5, 10],
    "223": [3, 4, 4, 8],
}

# (level, credits) from the reconstructed structure table
TABLE = {
    "101": ("Level 1", 4),
    "201": ("Level 2", 4),
    "102": ("Level 1", 5),
    "204": ("Level 2", 6),
    "208": ("Level 2", 6),
    "211": ("Level 2", 6),
    "105": ("Level 1", 5),
    "106": ("Level 1", 4),
    "219": ("Level 2", 6),
    "220": ("Level 2", 6),
    "221": ("Level 2", 6),
    "223": ("Level 2", 6),
    "227": ("Level 2", 5),
    "104": ("Level 1", None),
    "212": ("Level 2", None),
    "218": ("Level 2", None),
}


class Fixture4430_02Tests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", *FIXTURES, verbosity=0)
        cls.qualification = Qualification.objects.get(code="4430-02")

    def unit(self, number):
        return Unit.objects.get(ref=f"4430-{number}")

    def test_qualification(self):
        q = self.qualification
        self.assertEqual(q.title, "Level 2 NVQ Certificate in Customer Service")
        self.assertEqual(q.level, "Level 2")
        self.assertIsNone(q.glh)
        self.assertIsNone(q.tqt)
        self.assertIn("002_04261084094e7874.txt", q.source)
        self.assertIn("104 and 212-218 are not recoverable", q.defects)
        self.assertIn("must be at", q.defects)
        self.assertIn("title of unit 208 was lost", q.defects)

    def test_all_49_units_in_their_themes(self):
        memberships = QualificationUnit.objects.filter(qualification=self.qualification).select_related(
            "unit", "group"
        )
        self.assertEqual(memberships.count(), 49)
        mandatory = {m.unit.number for m in memberships if m.status == "mandatory"}
        self.assertEqual(mandatory, {"101", "201"})
        self.assertTrue(all(m.group is None for m in memberships if m.status == "mandatory"))
        for name, numbers in GROUPS.items():
            in_group = {m.unit.number for m in memberships if m.group and m.group.name == name}
            self.assertEqual(in_group, numbers, name)
        self.assertEqual(list(self.qualification.groups.values_list("name", flat=True)), list(GROUPS))

    def test_units_303_to_318_are_the_4430_04_rows(self):
        for number in range(303, 319):
            unit = self.unit(number)
            codes = set(unit.memberships.values_list("qualification__code", flat=True))
            self.assertEqual(codes, {"4430-02", "4430-04"}, number)
        self.assertEqual(Unit.objects.filter(scheme="4430", number__startswith="3").count(), 16)
        self.assertEqual(self.unit(311).credits, 10)

    def test_levels_credits_titles(self):
        for number, (level, credits) in TABLE.items():
            unit = self.unit(number)
            self.assertEqual((unit.level, unit.credits), (level, credits), number)
        for number in ["104", "212", "213", "214", "215", "216", "217", "218"]:
            self.assertIn("Credit value not recoverable", self.unit(number).defects)
        self.assertEqual(self.unit(208).title, "Go the extra mile in customer service")
        self.assertIn("Title missing from the structure table", self.unit(208).defects)
        self.assertEqual(
            self.unit(105).title, "Recognise and deal with customer queries, requests and problems"
        )
        self.assertEqual(
            self.unit(223).title, "Develop personal performance through delivering customer service"
        )

    def test_criteria_counts_and_numbering(self):
        printed = set(CRITERIA_PER_OUTCOME)
        for number, counts in CRITERIA_PER_OUTCOME.items():
            unit = self.unit(number)
            self.assertTrue(unit.has_criteria_text)
            outcomes = list(unit.outcomes.order_by("number"))
            self.assertEqual([o.number for o in outcomes], list(range(1, len(counts) + 1)), number)
            for outcome, count in zip(outcomes, counts, strict=True):
                numbers = list(outcome.criteria.order_by("number").values_list("number", flat=True))
                self.assertEqual(numbers, list(range(1, count + 1)), f"{number}.{outcome.number}")
        self.assertEqual(
            AssessmentCriterion.objects.filter(unit__scheme="4430", unit__number__in=printed).count(),
            sum(sum(c) for c in CRITERIA_PER_OUTCOME.values()),
        )
        others = Unit.objects.filter(memberships__qualification=self.qualification, has_criteria_text=False)
        self.assertEqual(others.count(), 49 - 14)  # 303-318 have no criteria text in 4430-04 either
        self.assertEqual(others.exclude(number__startswith="3").count(), 19)
        self.assertFalse(LearningOutcome.objects.filter(unit__in=others).exists())
        self.assertIn("prints no unit page", self.unit(102).notes)

    def test_criterion_text_as_printed(self):
        def text(unit, ref):
            return AssessmentCriterion.objects.get(unit__ref=f"4430-{unit}", ref=ref).text

        self.assertEqual(
            text(204, "204.3.5"),
            "refer your customer to others or to alternative sources of information if the additional "
            "services or products are not your responsibility.",
        )
        self.assertEqual(text(210, "210.3.11"), "ensure that promises to call back are kept.")
        self.assertEqual(
            text(209, "209.2.6"),
            "observe your customer to read non-verbal clues about the customer’s wishes and expectations.",
        )
        self.assertEqual(
            text(101, "101.3.15"),
            "explain how the way you behave affects your customer’s service experience.",
        )
        self.assertEqual(
            text(221, "221.4.10"),
            "identify who to refer to when considering any variation to your organisation’s service offer.",
        )

    def test_outcome_kinds(self):
        outcome = LearningOutcome.objects.get(unit__ref="4430-204", number=3)
        self.assertEqual(
            outcome.title, "can gain customer commitment to using additional services or products"
        )
        self.assertEqual(outcome.kind, "performance")
        self.assertEqual(outcome.criteria.first().kind, "performance")
        knowledge = LearningOutcome.objects.get(unit__ref="4430-204", number=4)
        self.assertEqual(knowledge.kind, "knowledge")
        self.assertTrue(knowledge.criteria.filter(kind="knowledge").count() == 6)
        self.assertEqual(LearningOutcome.objects.get(unit__ref="4430-101", number=3).kind, "knowledge")

    def test_range_what_you_must_cover(self):
        items = list(RangeItem.objects.filter(unit__ref="4430-201").order_by("order"))
        self.assertEqual([i.ref for i in items], ["1", "1a", "1b", "1c", "1d"])
        self.assertEqual(
            items[0].text, "You must provide evidence of following the rules to deliver customer service:"
        )
        self.assertEqual(
            [i.text for i in items[1:]],
            [
                "during routine delivery of customer service",
                "during a busy time in your job",
                "during a quiet time in your job",
                "when people, systems or resources have let you down.",
            ],
        )
        self.assertTrue(all(i.parent == items[0] for i in items[1:]))
        # 210's boxes come out of the extraction as 3, 4, 1, 2: stored in printed numbering
        refs = list(
            RangeItem.objects.filter(unit__ref="4430-210").order_by("order").values_list("ref", flat=True)
        )
        self.assertEqual(
            refs, ["1", "1a", "1b", "1c", "1d", "2", "2a", "2b", "3", "3a", "3b", "3c", "3d", "4", "4a", "4b"]
        )
        self.assertEqual(RangeItem.objects.filter(unit__ref="4430-214", parent__ref="2").count(), 12)
        self.assertIn("four of the twelve sources", self.unit(214).defects)
        self.assertFalse(RangeItem.objects.filter(unit__ref="4430-101").exists())
        # "a positive impression with customers:" continues item 1, it is not a sub-item
        self.assertEqual(
            RangeItem.objects.get(unit__ref="4430-203", ref="1").text,
            "You must provide evidence of creating a positive impression with customers:",
        )
        self.assertEqual(RangeItem.objects.filter(unit__ref="4430-203").count(), 8)

    def test_evidence_requirements(self):
        self.assertEqual(EvidenceRequirement.objects.filter(unit__ref="4430-209").count(), 3)
        self.assertEqual(EvidenceRequirement.objects.filter(unit__ref="4430-210").count(), 4)
        self.assertTrue(
            EvidenceRequirement.objects.get(unit__ref="4430-210", ref="4").text.startswith(
                "You may provide evidence of dealing with customers using landline telephones"
            )
        )
        self.assertEqual(
            EvidenceRequirement.objects.get(unit__ref="4430-106", ref="4").text,
            "You may include evidence that you have passed details to a colleague able to deal with the "
            "problem either verbally or in writing.",
        )

    def test_simulation_and_rwe(self):
        for number in CRITERIA_PER_OUTCOME:
            unit = self.unit(number)
            self.assertIs(unit.rwe_allowed, True, number)
            self.assertIs(unit.simulation_allowed, number in ("105", "106"), number)
        self.assertIn(
            "Simulation is also allowed for evidence within this unit", self.unit(105).evidence_context_note
        )
        self.assertIn(
            "Simulation is not allowed for any performance evidence within this unit",
            self.unit(219).evidence_context_note,
        )
        self.assertIsNone(self.unit(102).simulation_allowed)
        self.assertIsNone(self.unit(102).rwe_allowed)

    def test_rules_of_combination(self):
        rules = {r.order: r for r in Rule.objects.filter(qualification=self.qualification)}
        self.assertEqual(len(rules), 8)
        self.assertEqual((rules[1].kind, rules[1].params), ("min_total_credits", {"credits": 28}))
        self.assertEqual((rules[2].kind, rules[2].params), ("mandatory_units", {"units": ["101", "201"]}))
        self.assertEqual(rules[3].kind, "min_credits_from_units")
        self.assertEqual(rules[3].params["credits"], 20)
        self.assertEqual(rules[3].params["label"], "optional units")
        self.assertEqual(set(rules[3].params["units"]), set().union(*GROUPS.values()))
        for order, name in enumerate(GROUPS, start=4):
            self.assertEqual(rules[order].kind, "group_minimum")
            self.assertEqual(
                rules[order].params,
                {"group": name, "min_units": 1, "min_credits": None, "max_units": None, "max_credits": None},
            )
        level_rule = rules[8]
        self.assertEqual(level_rule.kind, "min_credits_at_level")
        self.assertEqual(level_rule.params, {"credits": None, "level": None})
        self.assertFalse(level_rule.is_complete)
        self.assertIn("must be at", level_rule.incomplete_reason)
        self.assertTrue(all(r.is_complete for order, r in rules.items() if order != 8))
        self.assertEqual(sum(self.unit(n).credits for n in rules[2].params["units"]), 8)

    def test_loading_again_duplicates_nothing(self):
        counts = [
            model.objects.count() for model in (Unit, QualificationUnit, Rule, AssessmentCriterion, RangeItem)
        ]
        call_command("loaddata", *FIXTURES, verbosity=0)
        self.assertEqual(
            [
                model.objects.count()
                for model in (Unit, QualificationUnit, Rule, AssessmentCriterion, RangeItem)
            ],
            counts,
        )

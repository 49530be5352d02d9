"""fixtures/4411.json against facts checked by hand in the 4411 handbook v1.8 (seeds/003_...txt).

The fixture is loaded once per class (setUpTestData).
"""

from django.core.management import call_command
from django.test import TestCase

from qualifications.models import (
    AssessmentCriterion,
    EvidenceGuideRow,
    EvidenceRequirement,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Rule,
    Unit,
)

FIXTURE = "fixtures/4411.json"
ENTRY3 = [f"{n:03d}" for n in range(1, 11)]
LEVEL1 = [f"{n:03d}" for n in range(101, 111)]

# code: (title, level, regulatory number, GLH, TQT) from "Qualification at a glance"
QUALIFICATIONS = {
    "4411-30": (
        "City & Guilds Entry Level Award for Introduction to Customer Service (Entry 3)",
        "Entry 3",
        "501/1840/7",
        51,
        60,
    ),
    "4411-33": (
        "City & Guilds Entry Level Certificate for Introduction to Customer Service (Entry 3)",
        "Entry 3",
        "501/1838/9",
        109,
        130,
    ),
    "4411-01": (
        "City & Guilds Level 1 Award for Introduction to Customer Service",
        "Level 1",
        "501/1839/0",
        57,
        70,
    ),
    "4411-11": (
        "City & Guilds Level 1 Certificate for Introduction to Customer Service",
        "Level 1",
        "501/1837/7",
        109,
        130,
    ),
}

# code: (total, credits from the level's units, those units, mandatory units, units that can never count)
RULES = {
    "4411-30": (6, 4, ENTRY3, ["002"], {"102"}),
    "4411-33": (13, 7, ENTRY3, ["002", "009"], {"102", "109"}),
    "4411-01": (7, 5, LEVEL1, ["102"], {"002"}),
    "4411-11": (13, 7, LEVEL1, ["102", "105"], {"002", "005"}),
}

# number: (level, credits, GLH, NDAQ number) as the unit pages and the structure table print them
UNITS = {
    "001": ("Entry 3", 2, 15, "A/601/6047"),
    "002": ("Entry 3", 2, 20, "J/601/6052"),
    "003": ("Entry 3", 3, 20, "R/601/6054"),
    "006": ("Entry 3", 2, 18, "M/601/6059"),
    "010": ("Entry 3", 2, 16, "L/601/6067"),
    "101": ("Level 1", 2, 18, "R/601/6068"),
    "102": ("Level 1", 3, 24, "R/601/6071"),
    "103": ("Level 1", 3, 22, "H/601/6074"),
    "106": ("Level 1", 2, 18, "T/601/6077"),
    "110": ("Level 1", 2, 18, "A/601/6081"),
}

# criteria per outcome, counted by hand
CRITERIA_PER_OUTCOME = {
    "001": [2, 2, 6],
    "002": [2, 2, 2, 3],
    "005": [4, 3, 3],
    "006": [2, 4, 2],
    "010": [4, 5],
    "102": [2, 2, 2, 3],
    "105": [2, 2, 3, 3],
    "107": [4, 3, 3],
    "109": [3, 3, 5],
    "110": [5, 2, 4],
}


def unit_ref(number):
    return f"4411-{number}"


class Fixture4411Tests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", FIXTURE, verbosity=0)

    def test_loading_again_duplicates_nothing(self):
        before = [
            m.objects.count() for m in (Unit, LearningOutcome, AssessmentCriterion, Rule, EvidenceGuideRow)
        ]
        call_command("loaddata", FIXTURE, verbosity=0)
        after = [
            m.objects.count() for m in (Unit, LearningOutcome, AssessmentCriterion, Rule, EvidenceGuideRow)
        ]
        self.assertEqual(before, after)
        self.assertEqual(after, [20, 65, 179, 52, 39])

    def test_the_four_qualifications(self):
        for code, (title, level, accreditation, glh, tqt) in QUALIFICATIONS.items():
            q = Qualification.objects.get(code=code)
            self.assertEqual(
                (q.title, q.level, q.accreditation_number, q.glh, q.tqt, q.registration_period_months),
                (title, level, accreditation, glh, tqt, 36),
            )
            self.assertEqual(q.source, "seeds/003_9ca82c54247f0508.txt")
            self.assertFalse(q.groups.exists())

    def test_every_qualification_holds_all_twenty_units_each_stored_once(self):
        self.assertEqual(Unit.objects.filter(scheme="4411").count(), 20)
        for code, (*_, mandatory, _never) in RULES.items():
            memberships = QualificationUnit.objects.filter(qualification__code=code)
            self.assertEqual(sorted(m.unit.number for m in memberships), ENTRY3 + LEVEL1)
            self.assertEqual(
                sorted(m.unit.number for m in memberships if m.status == "mandatory"), mandatory, code
            )
            self.assertFalse(memberships.filter(group__isnull=False).exists())

    def test_units_level_credits_glh_accreditation(self):
        for number, expected in UNITS.items():
            unit = Unit.objects.get(ref=unit_ref(number))
            self.assertEqual(
                (unit.level, unit.credits, unit.glh, unit.accreditation_number), expected, number
            )
        self.assertEqual(Unit.objects.get(ref="4411-106").title, "Answer telephone calls from customers")

    def test_criteria_per_outcome_and_numbering(self):
        for number, counts in CRITERIA_PER_OUTCOME.items():
            outcomes = LearningOutcome.objects.filter(unit__ref=unit_ref(number)).order_by("number")
            self.assertEqual([o.criteria.count() for o in outcomes], counts, number)
        for outcome in LearningOutcome.objects.filter(unit__scheme="4411"):
            criteria = list(outcome.criteria.order_by("number"))
            self.assertEqual([c.number for c in criteria], list(range(1, len(criteria) + 1)))
            self.assertEqual([c.ref for c in criteria], [f"{outcome.number}.{c.number}" for c in criteria])
            self.assertTrue(all(c.kind == outcome.kind and c.guidance for c in criteria))

    def test_outcome_titles_and_kinds(self):
        def kinds(number):
            return [
                o.kind[0]
                for o in LearningOutcome.objects.filter(unit__ref=unit_ref(number)).order_by("number")
            ]

        self.assertEqual(kinds("004"), ["k", "p", "k", "k"])
        self.assertEqual(kinds("102"), ["p", "p", "k", "k"])
        self.assertEqual(
            kinds("108"), ["k", "k", "p"]
        )  # listed as "Work effectively ...", headed "Be able to"
        outcome = LearningOutcome.objects.get(unit__ref="4411-001", number=1)
        self.assertEqual(outcome.title, "Know the dress requirements in customer service jobs")

    def test_criterion_text_and_criteria_explained(self):
        def criterion(number, ref):
            return AssessmentCriterion.objects.get(unit__ref=unit_ref(number), ref=ref)

        self.assertEqual(
            criterion("001", "1.2").text, "state inappropriate dress in a particular customer service job."
        )
        self.assertEqual(
            criterion("106", "1.2").text, "use the appropriate greeting when answering customer calls."
        )
        self.assertEqual(
            criterion("110", "3.4").text, "thank customers for their business or information given."
        )
        self.assertEqual(
            criterion("002", "4.3").text, "state your responsibilities for treating customers equally."
        )
        guidance = criterion("106", "1.2").guidance
        self.assertTrue(guidance.startswith("For 1.2 the candidate must say the appropriate greeting"))
        self.assertIn("At least two of these calls should be observed by the Assessor/Witness", guidance)
        self.assertNotIn("**", guidance)
        bullets = criterion("001", "2.1").guidance.split("\n")
        self.assertIn("- Overalls (eg garage staff, decorators, supermarket)", bullets)

    def test_rules_of_combination(self):
        for code, (total, level_credits, level_units, mandatory, _never) in RULES.items():
            rules = list(Rule.objects.filter(qualification__code=code).order_by("order"))
            self.assertEqual(len(rules), 13, code)
            self.assertEqual((rules[0].kind, rules[0].params), ("min_total_credits", {"credits": total}))
            self.assertEqual(rules[1].kind, "min_credits_from_units")
            self.assertEqual(
                (rules[1].params["credits"], rules[1].params["units"]), (level_credits, level_units)
            )
            self.assertEqual((rules[2].kind, rules[2].params), ("mandatory_units", {"units": mandatory}))
            barred = [r.params["units"] for r in rules[3:]]
            self.assertEqual(barred, [[e, l1] for e, l1 in zip(ENTRY3, LEVEL1, strict=True)])
            self.assertTrue(all(r.kind == "barred_pair" and r.is_complete for r in rules[3:]))
        rule = Rule.objects.get(qualification__code="4411-33", order=2)
        self.assertEqual(rule.text, "A minimum of 7 credits must be from entry 3 units 001-010")

    def test_units_that_can_never_count_are_recorded_as_defects(self):
        for code, (*_, never) in RULES.items():
            defects = Qualification.objects.get(code=code).defects.splitlines()
            named = {line.split()[1] for line in defects if "can never count" in line}
            self.assertEqual(named, never, code)

    def test_evidence_guide_rows_citing_missing_criteria_are_defects(self):
        rows = EvidenceGuideRow.objects.filter(unit__scheme="4411", defect__contains="does not exist")
        self.assertEqual(
            sorted((r.unit.number, r.order, r.criteria_refs) for r in rows),
            [("001", 1, "1.1, 1.2 2.2, 2.3"), ("007", 1, "1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 3.1, 3.2")],
        )
        self.assertIn("2.3", Unit.objects.get(ref="4411-001").defects)
        # 002's table prints four lines, one with no evidence: one row whose cells span the lines
        (row,) = EvidenceGuideRow.objects.filter(unit__ref="4411-002")
        self.assertEqual(row.criteria_refs, "1.1, 1.2 2.1, 2.2 3.1, 3.2 4.1, 4.2, 4.3")
        self.assertTrue(row.evidence.startswith("Written questions, candidate statement"))
        self.assertFalse(EvidenceGuideRow.objects.filter(unit__scheme="4411", evidence="").exists())
        row = EvidenceGuideRow.objects.get(unit__ref="4411-106", order=2)
        self.assertIn(
            "Observation of performance (two incoming telephone calls must be observed).", row.evidence
        )
        self.assertTrue(row.evidence.endswith("(This could be digitally recorded)."))  # text after the table

    def test_unit_106_greeting_quantities(self):
        parent = EvidenceRequirement.objects.get(unit__ref="4411-106", criteria=["1.2"], parent__isnull=True)
        children = list(parent.children.order_by("order"))
        self.assertEqual(
            [(c.min_count, c.method, c.criteria) for c in children],
            [(4, "", ["1.2"]), (2, "observation,witness_testimony", ["1.2"])],  # "by the Assessor/Witness"
        )

    def test_other_stated_quantities(self):
        def requirement(number, ref):
            return EvidenceRequirement.objects.get(unit__ref=unit_ref(number), criteria=[ref])

        self.assertEqual(requirement("107", "3.3").min_count, 3)  # "assessed on three occasions"
        self.assertEqual(requirement("101", "2.3").min_count, 2)  # "two different occasions"
        self.assertEqual(requirement("009", "1.3").min_count, 5)  # "at least five customer service terms"
        self.assertFalse(EvidenceRequirement.objects.filter(unit__ref="4411-001", criteria=["1.1"]).exists())

    def test_realistic_working_environment_and_simulation_allowed(self):
        units = Unit.objects.filter(scheme="4411")
        self.assertTrue(all(u.rwe_allowed and u.simulation_allowed for u in units))
        statement = "can be collected in either the real workplace or a realistic working environment"
        self.assertTrue(
            all(statement in u.assessment and statement in u.evidence_context_note for u in units)
        )

"""fixtures/4430-04.json against facts checked by hand in the 4430-04 handbook (seeds/004_...txt).

The fixture is loaded once per class (setUpTestData): a load takes about a second.
"""

from django.core.management import call_command
from django.test import TestCase

from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Rule,
    Unit,
)

FIXTURE = "fixtures/4430-04.json"

GROUPS = {
    "Impression and Image": {"303", "304", "305", "306", "403", "404"},
    "Delivery": {"307", "308", "309", "405", "406", "407", "408", "409"},
    "Handling Problems": {"310", "311", "312", "410"},
    "Development and Improvement": {
        "313",
        "314",
        "315",
        "316",
        "317",
        "318",
        "411",
        "412",
        "413",
        "414",
        "415",
        "416",
        "417",
    },
}

# (level, credits, GLH, NOS code, unit accreditation number) as the structure table / unit page print them
TABLE = {
    "303": ("Level 3", 6, 40, "A13", ""),
    "304": ("Level 3", 8, 53, "A14", ""),
    "311": ("Level 3", 10, 67, "C6", ""),
    "315": ("Level 3", 8, 53, "D10", ""),
    "317": ("Level 3", 10, 67, "D12", ""),
    "318": ("Level 3", 7, 47, "D13", ""),
    "401": ("Level 4", 10, 65, "F5", "J/601/1630"),
    "402": ("Level 4", 10, 65, "F6", "D/601/1634"),
    "404": ("Level 4", 11, 73, "A18", "F/601/1237"),
    "405": ("Level 4", 8, 53, "B12", "M/601/1234"),
    "410": ("Level 4", 10, 67, "C8", "K/601/1524"),
    "412": ("Level 4", 9, 60, "D15", "L/601/1581"),
    "414": ("Level 4", 7, 47, "D17", "A/601/1592"),
    "417": ("Level 4", 7, 47, "D20", "K/601/1605"),
}

# criteria per outcome, counted by hand
CRITERIA_PER_OUTCOME = {
    "401": [5, 4, 20],
    "403": [5, 7, 9],
    "405": [5, 8, 8],
    "406": [4, 8, 5, 10],
    "410": [4, 4, 6, 11],
    "414": [5, 6, 3],
    "417": [8, 6, 7],
}


class Fixture443004Tests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", FIXTURE, verbosity=0)
        cls.qualification = Qualification.objects.get(code="4430-04")

    def unit(self, number):
        return Unit.objects.get(ref=f"4430-{number}")

    def test_qualification(self):
        q = self.qualification
        assert q.title == "Level 4 NVQ Diploma in Customer Service"
        assert q.level == "Level 4"
        assert q.accreditation_number == "500/8817/8"
        assert q.glh is None and q.tqt is None and q.registration_period_months is None
        assert "RPL is allowed for this qualification" in q.source_notes
        assert "414" in q.defects and "47" in q.defects and "70" in q.defects

    def test_all_33_units_in_their_groups(self):
        memberships = QualificationUnit.objects.filter(qualification=self.qualification).select_related(
            "unit", "group"
        )
        assert memberships.count() == 33
        mandatory = {m.unit.number for m in memberships if m.status == "mandatory"}
        assert mandatory == {"401", "402"}
        assert all(m.group is None for m in memberships if m.status == "mandatory")
        by_group = {}
        for m in memberships.filter(status="optional"):
            by_group.setdefault(m.group.name, set()).add(m.unit.number)
        assert by_group == GROUPS
        assert [g.name for g in self.qualification.groups.all()] == list(GROUPS)

    def test_structure_table_values(self):
        for number, (level, credits, glh, nos, accreditation) in TABLE.items():
            unit = self.unit(number)
            assert (unit.level, unit.credits, unit.glh, unit.nos_code, unit.accreditation_number) == (
                level,
                credits,
                glh,
                nos,
                accreditation,
            ), number
        assert self.unit("315").title == "Develop your own and others’ customer service skills"
        assert self.unit("402").title == (
            "Follow organisational rules, legislation and external regulations when managing customer service"
        )
        assert Unit.objects.filter(scheme="4430", level="Level 3").count() == 16
        assert Unit.objects.filter(scheme="4430", level="Level 4").count() == 17

    def test_414_glh_conflict_recorded_with_table_value_stored(self):
        unit = self.unit("414")
        assert unit.glh == 47
        assert "47" in unit.defects and "70" in unit.defects

    def test_other_defects_recorded(self):
        assert "'4.'" in self.unit("408").defects
        assert "D 20" in self.unit("417").defects
        assert "You evidence" in self.unit("403").defects

    def test_units_303_to_318_have_only_their_table_row(self):
        units = Unit.objects.filter(scheme="4430", number__startswith="3")
        assert units.count() == 16
        for unit in units:
            assert unit.has_criteria_text is False
            assert "no unit page" in unit.notes
            assert not unit.outcomes.exists() and not unit.criteria.exists()
            assert unit.rwe_allowed is None and unit.simulation_allowed is None

    def test_outcome_and_criterion_counts(self):
        for number, counts in CRITERIA_PER_OUTCOME.items():
            outcomes = LearningOutcome.objects.filter(unit__ref=f"4430-{number}").order_by("number")
            assert [o.criteria.count() for o in outcomes] == counts, number
        assert LearningOutcome.objects.filter(unit__scheme="4430").count() == 57
        assert AssessmentCriterion.objects.filter(unit__scheme="4430").count() == 364

    def test_criterion_numbering_has_no_gaps(self):
        for outcome in LearningOutcome.objects.filter(unit__scheme="4430"):
            numbers = list(outcome.criteria.order_by("number").values_list("number", flat=True))
            assert numbers == list(range(1, len(numbers) + 1)), outcome
            refs = outcome.criteria.order_by("number").values_list("ref", flat=True)
            assert list(refs) == [f"{outcome.number}.{n}" for n in numbers]

    def test_criterion_text_as_printed(self):
        def text(number, ref):
            return AssessmentCriterion.objects.get(unit__ref=f"4430-{number}", ref=ref).text

        # 3.6 follows a page break in the source
        assert text("401", "3.6") == (
            "compare the options for monitoring customer service performance and the benefits and drawbacks "
            "of each option"
        )
        assert text("405", "2.7") == "carry out emergency drills within their area of responsibility"
        assert (
            text("416", "4.1")
            == "explain ways to establish boundaries around a customer service process to be re-engineered"
        )
        assert text("417", "3.3") == (
            "explain the importance of setting targets that are SMART (Specific, Measurable, Achievable, "
            "Realistic, Time-bound)"
        )
        assert text("406", "4.3").startswith("Describe the types of contingencies")

    def test_outcome_kinds(self):
        def kind(number, outcome):
            return LearningOutcome.objects.get(unit__ref=f"4430-{number}", number=outcome).kind

        assert kind("401", 1) == "performance"
        assert kind("401", 3) == "knowledge"
        assert kind("403", 3) == "knowledge"  # "Know how to champion customer service"
        assert kind("410", 4) == "knowledge"  # printed lower-case "understand how to ..."
        criterion = AssessmentCriterion.objects.get(unit__ref="4430-410", ref="4.1")
        assert criterion.kind == "knowledge"
        outcome = LearningOutcome.objects.get(unit__ref="4430-405", number=3)
        assert outcome.title == (
            "Understand how to maintain a healthy, safe and effective working environment for customers and staff"
        )

    def test_unit_page_fields(self):
        unit = self.unit("409")
        assert "need their co-operation and support." in unit.aim
        assert unit.assessment == (
            "This unit will be assessed by portfolio of evidence, as specified in the Institute of Customer "
            "Service (ICS) Customer Service Assessment Strategy 2010."
        )
        assert "Unit B16 of the Customer Service NOS 2010" in unit.notes

    def test_real_job_only_except_405_drills(self):
        for unit in Unit.objects.filter(scheme="4430", number__startswith="4"):
            assert unit.rwe_allowed is False and unit.simulation_allowed is False, unit.number
            assert (
                "realistic working environment or a work placement is not permissible"
                in unit.evidence_context_note
            )
        assert self.unit("405").evidence_context_note.endswith(
            "Simulation is not allowed for performance evidence within this Unit except when realistic "
            "practices are staged to test emergency procedures."
        )
        assert (
            "Simulation is not allowed for any evidence within this Unit."
            in self.unit("401").evidence_context_note
        )

    def test_evidence_requirements(self):
        def requirement(number, ref):
            return EvidenceRequirement.objects.get(unit__ref=f"4430-{number}", ref=ref)

        six = requirement("403", "6")
        assert six.min_count == 2
        assert [c.ref for c in six.children.order_by("order")] == ["6a", "6b", "6c", "6d", "6e"]
        assert requirement("403", "6e").text == "service partners."
        assert requirement("403", "8").min_count == 2
        assert requirement("407", "6").min_count == 3
        assert requirement("409", "4").min_count == 2
        assert requirement("412", "4").min_count == 2
        assert requirement("412", "4").children.count() == 7
        assert requirement("416", "4").min_count == 1
        assert requirement("405", "4").min_count is None
        assert requirement("405", "4").children.count() == 6
        # 408 prints 1, 2, 3, 4, "4.", "5.": stored in order as 1-6
        refs = EvidenceRequirement.objects.filter(unit__ref="4430-408", parent=None).order_by("order")
        assert [r.ref for r in refs] == ["1", "2", "3", "4", "5", "6"]
        assert requirement("408", "5").text.startswith(
            "Your communication with customers may be face to face"
        )
        assert requirement("408", "6d").text == "informal"
        assert EvidenceRequirement.objects.filter(unit__ref="4430-401").count() == 4
        assert EvidenceRequirement.objects.filter(unit__ref="4430-411").count() == 19

    def test_rules_of_combination(self):
        rules = {(r.order, r.kind): r for r in Rule.objects.filter(qualification=self.qualification)}
        assert rules[(1, "min_total_credits")].params == {"credits": 67}
        assert rules[(2, "min_credits_at_level")].params == {"credits": 35, "level": "Level 4"}
        mandatory = rules[(3, "mandatory_units")]
        assert mandatory.params == {"units": ["401", "402"]}
        assert mandatory.text == "The learner must achieve 20 credits from the Mandatory Units."
        assert rules[(4, "min_credits_from_units")].params["credits"] == 47
        groups = [r.params for (order, kind), r in sorted(rules.items()) if kind == "group_minimum"]
        assert [g["group"] for g in groups] == list(GROUPS)
        assert all(
            g["min_units"] == 1 and g["max_units"] is None and g["max_credits"] is None for g in groups
        )
        assert all(r.is_complete for r in rules.values())
        # the mandatory units carry the 20 credits the handbook states; rules name only member units
        members = set(
            QualificationUnit.objects.filter(qualification=self.qualification).values_list(
                "unit__number", flat=True
            )
        )
        assert sum(self.unit(n).credits for n in mandatory.params["units"]) == 20
        assert set(rules[(4, "min_credits_from_units")].params["units"]) == members - {"401", "402"}

    def test_loading_again_adds_nothing(self):
        before = (
            Unit.objects.count(),
            AssessmentCriterion.objects.count(),
            EvidenceRequirement.objects.count(),
        )
        call_command("loaddata", FIXTURE, verbosity=0)
        after = (
            Unit.objects.count(),
            AssessmentCriterion.objects.count(),
            EvidenceRequirement.objects.count(),
        )
        assert before == after

"""The Level 3 N/SVQ in Customer Service (2006 standards) fixture, checked against the seed texts by hand.

Facts below were counted in seeds/001_557abe537dc8c422.txt (recording forms) and
seeds/000_039df3884ff5685a.txt (ICS evidence requirements, January 2006), not read back from the builder.
"""

import pytest
from django.core.management import call_command
from django.db import transaction

from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    LearningOutcome,
    Qualification,
    QualificationUnit,
    Rule,
    Unit,
)

FIXTURE = "fixtures/2006-L3.json"
CODE = "CS-L3-2006"

# unit number -> criteria per outcome, counted on the recording forms
CRITERIA_PER_OUTCOME = {
    "301": [14, 6],
    "302": [4, 7],
    "205": [7, 6],
    "206": [5, 5, 5],
    "207": [5, 7, 5],
    "303": [4, 8],
    "304": [4, 4, 4],
    "211": [9, 10],
    "212": [6, 4],
    "305": [6, 6],
    "306": [3, 7, 4],
    "307": [3, 6, 4],
    "308": [7, 3, 4],
    "309": [7, 5],
    "310": [3, 8],
    "311": [6, 2, 3],
    "312": [4, 4, 5],
    "313": [5, 3, 5],
    "314": [5, 4, 3],
    "315": [6, 5, 6],
}
# unit number -> ICS unit matched by title
ICS_UNIT = {
    "301": 7,
    "302": 8,
    "205": 13,
    "206": 14,
    "207": 15,
    "303": 18,
    "304": 19,
    "211": 22,
    "212": 23,
    "305": 24,
    "306": 25,
    "307": 26,
    "308": 32,
    "309": 33,
    "310": 34,
    "311": 39,
    "312": 40,
    "313": 41,
    "314": 42,
    "315": 43,
}


@pytest.fixture(scope="module")
def _fixture_loaded_once(django_db_setup, django_db_blocker):
    """A load takes about a second: load once for the module, roll back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", FIXTURE, verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_fixture_loaded_once, db):
    return Qualification.objects.get(code=CODE)


def test_qualification_says_its_rules_are_not_in_the_sources(loaded):
    assert loaded.title == "Level 3 N/SVQ in Customer Service"
    assert loaded.level == "Level 3"
    assert loaded.rules_stated is False
    assert "rules of combination are not in the sources" in loaded.source_notes
    assert not Rule.objects.filter(qualification=loaded).exists()
    assert loaded.glh is None and loaded.accreditation_number == ""


def test_all_twenty_units_in_form_order_with_2006_refs(loaded):
    memberships = QualificationUnit.objects.filter(qualification=loaded).order_by("order")
    assert [m.unit.number for m in memberships] == list(CRITERIA_PER_OUTCOME)
    assert all(m.unit.ref == f"2006-{m.unit.number}" and m.unit.scheme == "2006" for m in memberships)
    # the sources give no level, credit value or GLH for any unit
    units = Unit.objects.filter(scheme="2006")
    assert units.count() == 20
    assert not units.exclude(level="").exists()
    assert not units.filter(credits__isnull=False).exists()
    assert not units.filter(glh__isnull=False).exists()
    assert all("not given in the sources" in u.notes for u in units)


def test_titles_exactly_as_printed(loaded):
    titles = dict(Unit.objects.filter(scheme="2006").values_list("number", "title"))
    assert titles["205"] == "Make customer service personal"  # not 4430 unit 205
    assert titles["207"] == "Deal with customer in writing or using ICT"
    assert titles["211"] == "Deliver customer service on your customer premises"
    assert titles["302"] == "Know the rules to follow when delivering customer service"
    assert titles["311"] == "Work with others to improve customer service"
    assert titles["315"] == "Gather, analyse and interpret customer feedback"


def test_271_criterion_rows_and_counts_per_outcome(loaded):
    assert AssessmentCriterion.objects.filter(unit__scheme="2006").count() == 271
    for number, per_outcome in CRITERIA_PER_OUTCOME.items():
        outcomes = LearningOutcome.objects.filter(unit__ref=f"2006-{number}").order_by("number")
        assert [o.criteria.count() for o in outcomes] == per_outcome, number
        for outcome in outcomes:
            assert outcome.title == f"Outcome {outcome.number} (title not printed in the source)"
            assert list(outcome.criteria.order_by("number").values_list("number", flat=True)) == list(
                range(1, outcome.criteria.count() + 1)
            )


def test_criterion_text_as_printed(loaded):
    def text(unit, ref):
        return AssessmentCriterion.objects.get(unit__ref=f"2006-{unit}", ref=ref).text

    assert text("301", "301.1.1") == (
        "explain how your organisation builds a service offer that will meet customer expectations"
    )
    assert (
        text("205", "205.2.1")
        == "greet and deal with your customer in a way that respects them as an individual"
    )
    assert text("211", "211.2.10") == (
        "ensure that your customer has the appropriate details to contact your organisation if they need to"
    )
    # extraction's double space repaired
    assert (
        text("315", "315.1.6")
        == "plan in detail how you will collect information from customers using your chosen method"
    )


def test_302_misnumbered_row_kept_as_printed_and_recorded(loaded):
    row = AssessmentCriterion.objects.get(unit__ref="2006-302", ref="301.1.3")
    assert row.outcome.number == 1 and row.number == 3
    assert row.text.startswith("explain the limits of your own authority")
    assert "301.1.3" in row.defect
    unit = Unit.objects.get(ref="2006-302")
    assert "misnumbered '301.1.3'" in unit.defects
    assert "301.1.3" in loaded.defects
    # unit 301 keeps its own 301.1.3
    assert AssessmentCriterion.objects.get(unit__ref="2006-301", ref="301.1.3").text.startswith(
        "describe what effects the service offer"
    )


def test_printing_slips_flagged_not_fixed(loaded):
    row = AssessmentCriterion.objects.get(unit__ref="2006-206", ref="206.3.4")
    assert "y our customer" in row.text and "y our" in row.defect


def test_kinds_knowledge_for_know_and_understand_units(loaded):
    for number in CRITERIA_PER_OUTCOME:
        expected = "knowledge" if number in ("301", "302") else "performance"
        kinds = set(
            AssessmentCriterion.objects.filter(unit__ref=f"2006-{number}").values_list("kind", flat=True)
        )
        assert kinds == {expected}, number
        assert "Criterion kind: " + expected in Unit.objects.get(ref=f"2006-{number}").notes


def test_each_unit_names_its_ics_unit(loaded):
    for number, ics in ICS_UNIT.items():
        assert Unit.objects.get(ref=f"2006-{number}").notes.splitlines()[0] == f"ICS unit {ics}"


def test_evidence_requirements_from_the_ics_document(loaded):
    def refs(number):
        return list(
            EvidenceRequirement.objects.filter(unit__ref=f"2006-{number}").values_list("ref", flat=True)
        )

    assert refs("301") == ["1", "2", "3", "4", "5", "6"]
    assert refs("302") == ["1", "2", "3", "4", "5", "6", "7", "7a", "7b", "7c"]
    assert refs("205") == ["1", "2", "3", "4", "4a", "4b", "4c", "4d", "5", "5a", "5b", "6", "6a", "6b"]
    assert len(refs("212")) == 6 + 3 + 12 + 2
    assert len(refs("311")) == 6 + 2 + 3 + 7
    sub = EvidenceRequirement.objects.get(unit__ref="2006-302", ref="7b")
    assert sub.parent.ref == "7" and sub.text == "sector or industry regulation"
    first = EvidenceRequirement.objects.get(unit__ref="2006-205", ref="1")
    assert first.text.endswith(
        "(Guidelines for the assessment of a Realistic Working Environment can be found "
        "in the Customer Service Assessment Strategy for S/NVQ Levels 2,3 and 4 – "
        "January 2006)"
    )
    assert "*" not in first.text


def test_quantities_where_the_requirement_states_them(loaded):
    def count(number, ref):
        return EvidenceRequirement.objects.get(unit__ref=f"2006-{number}", ref=ref).min_count

    assert count("212", "5") == 4  # at least four of these sources of diversity
    assert count("311", "5") == 2 and count("311", "6") == 2
    assert count("309", "7") == 2
    assert count("315", "4b") == 2
    assert count("315", "4") is None and count("301", "1") is None


def test_simulation_and_rwe_permissions(loaded):
    def unit(number):
        return Unit.objects.get(ref=f"2006-{number}")

    # ICS 7: neither RWE nor simulation for any evidence
    assert (unit("301").rwe_allowed, unit("301").simulation_allowed) == (False, False)
    assert unit("301").evidence_context_note.startswith(
        "Evidence collected in a realistic working environment or a work placement is not permissible"
    )
    # ICS 13: RWE allowed, no simulation for performance evidence
    assert (unit("205").rwe_allowed, unit("205").simulation_allowed) == (True, False)
    assert "Simulation is not allowed for any performance evidence within this Unit." in (
        unit("205").evidence_context_note
    )
    for number in ("207", "211", "212"):
        assert unit(number).rwe_allowed is True
    for number in ("303", "308", "314", "315"):
        assert (unit(number).rwe_allowed, unit(number).simulation_allowed) == (False, False)


def test_form_columns_checked_against_ics_requirements(loaded):
    assert "columns 1–7, but ICS unit 15 has 8" in Unit.objects.get(ref="2006-207").defects
    assert "columns 1–5, but ICS unit 39 has 6" in Unit.objects.get(ref="2006-311").defects
    assert "4a–d" in Unit.objects.get(ref="2006-205").defects
    assert (
        "columns 1–6 match the 6 numbered requirements of ICS unit 7"
        in Unit.objects.get(ref="2006-301").notes
    )
    assert Unit.objects.get(ref="2006-303").defects == ""


def test_loading_twice_duplicates_nothing(loaded):
    call_command("loaddata", FIXTURE, verbosity=0)
    assert Unit.objects.filter(scheme="2006").count() == 20
    assert AssessmentCriterion.objects.filter(unit__scheme="2006").count() == 271
    assert EvidenceRequirement.objects.filter(unit__scheme="2006").count() == 312

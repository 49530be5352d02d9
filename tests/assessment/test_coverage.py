"""The sign-off guard as plain Python: what is missing, named."""

from assessment.coverage import (
    CriterionFacts,
    MappingFacts,
    RangeFacts,
    RequirementFacts,
    UnitFacts,
    unit_coverage,
)

UNIT = UnitFacts("4411-106", "Answer telephone calls", True, True, True)
REAL_ONLY = UnitFacts("4430-401", "Customer service management", True, False, False)
CRITERIA = [CriterionFacts(1, "1.1", "answer"), CriterionFacts(2, "1.2", "greet")]


def mapping(
    criterion_id, evidence_id=10, method="product_evidence", decision="accepted", context="real_work"
):
    return MappingFacts(criterion_id, None, evidence_id, f"item {evidence_id}", context, method, decision)


def test_every_criterion_met_and_statement_signed_is_ready():
    result = unit_coverage(
        unit=UNIT, criteria=CRITERIA, mappings=[mapping(1), mapping(2)], authenticity_signed=True
    )
    assert result.ready and result.criteria_done == 2


def test_missing_criteria_and_statement_are_named():
    result = unit_coverage(
        unit=UNIT, criteria=CRITERIA, mappings=[mapping(1), mapping(2, decision="not_yet")]
    )
    assert "Criteria not yet met by accepted evidence: 1.2." in result.problems
    assert "The candidate has not signed the authenticity statement for this unit." in result.problems


def test_at_least_two_observed_counts_distinct_observed_items_for_its_criteria():
    req = RequirementFacts(5, "1b", "At least two of these calls observed", 2, "observation", ("1.2",))
    one = [
        mapping(1),
        mapping(2, evidence_id=11, method="observation"),
        mapping(1, evidence_id=12, method="observation"),
    ]
    result = unit_coverage(
        unit=UNIT, criteria=CRITERIA, requirements=[req], mappings=one, authenticity_signed=True
    )
    assert result.problems == [
        "Evidence requirement 1b: at least 2 pieces of evidence by observation for 1.2 (so far 1)."
    ]
    two = one + [mapping(2, evidence_id=13, method="Observed")]
    assert unit_coverage(
        unit=UNIT, criteria=CRITERIA, requirements=[req], mappings=two, authenticity_signed=True
    ).ready


def test_quantity_without_method_is_confirmed_by_the_assessor_at_sign_off():
    req = RequirementFacts(5, "1", "identify three features", 3, "", ("1.1",))
    args = dict(
        unit=UNIT,
        criteria=CRITERIA,
        requirements=[req],
        mappings=[mapping(1), mapping(2)],
        authenticity_signed=True,
    )
    assert unit_coverage(**args).ready  # the matrix: to be confirmed, not a gap
    assert unit_coverage(**args, confirmed_requirements={}).problems == [
        "Evidence requirement 1 is not evidenced or confirmed: identify three features"
    ]
    assert unit_coverage(**args, confirmed_requirements=["1"]).problems == [
        "Evidence requirement 1 is confirmed without a note: say what in the evidence shows it "
        "(identify three features)."
    ]
    assert unit_coverage(**args, confirmed_requirements={"1": "three features on page 2"}).ready


def test_simulation_or_rwe_evidence_blocks_a_real_work_only_unit():
    mappings = [mapping(1, context="simulation"), mapping(2, evidence_id=11, context="rwe")]
    result = unit_coverage(unit=REAL_ONLY, criteria=CRITERIA, mappings=mappings, authenticity_signed=True)
    assert any("simulation" in p and "4430-401" in p for p in result.problems)
    assert any("realistic working environment" in p for p in result.problems)
    assert unit_coverage(unit=UNIT, criteria=CRITERIA, mappings=mappings, authenticity_signed=True).ready


def test_unit_without_criteria_text_cannot_be_signed_and_says_why():
    unit = UnitFacts("4430-303", "Deal with customers in writing", False, None, None)
    result = unit_coverage(unit=unit, criteria=[], authenticity_signed=True)
    assert len(result.problems) == 1 and "only the structure-table row" in result.problems[0]


def test_range_leaves_must_be_covered():
    items = [
        RangeFacts(1, "1", "situations", None),
        RangeFacts(2, "1a", "routine", 1),
        RangeFacts(3, "1b", "busy", 1),
    ]
    maps = [mapping(1), mapping(2), MappingFacts(None, 2, 10, "x", "real_work", "observation", "accepted")]
    result = unit_coverage(
        unit=UNIT, criteria=CRITERIA, range_items=items, mappings=maps, authenticity_signed=True
    )
    assert result.problems == ["Range not yet covered: 1b."]


def test_records_the_candidate_has_not_signed_hold_back_only_the_units_relying_on_them():
    args = dict(
        unit=UNIT,
        criteria=CRITERIA,
        mappings=[mapping(1), mapping(2, evidence_id=11)],
        authenticity_signed=True,
    )
    unsigned = {11: "Observation record 01/03/2026", 99: "Questioning record 02/03/2026"}
    assert unit_coverage(**args, unsigned_records=unsigned).problems == [
        "The candidate has not signed the records this unit relies on: Observation record 01/03/2026."
    ]
    assert unit_coverage(**args, unsigned_records={99: "Questioning record 02/03/2026"}).ready
    # a record marked "not yet" covers nothing, so the unit does not rely on it
    not_yet = dict(args, mappings=[mapping(1), mapping(2), mapping(2, evidence_id=11, decision="not_yet")])
    assert unit_coverage(**not_yet, unsigned_records=unsigned).ready

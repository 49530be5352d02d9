"""The handbooks' own examples as plain Python (assessment/coverage.py): evidence requirements with lettered
sub-items, "four of the following", 405's staged drills, 4411-106's calls observed by the assessor or a witness,
and knowledge criteria of a non-simulation unit met by simulation."""

from assessment.coverage import (
    CriterionFacts,
    MappingFacts,
    RangeFacts,
    RequirementFacts,
    UnitFacts,
    context_problem,
    unit_coverage,
)

CRITERIA = [CriterionFacts(1, "1.1", "do"), CriterionFacts(2, "2.1", "know")]
U410 = UnitFacts(
    "4430-410",
    "Handle referred customer complaints",
    True,
    False,
    False,
    "Evidence collected in a realistic working environment or a work placement is not permissible for "
    "this Unit. Simulation is not allowed for any performance evidence within this Unit.",
    knowledge_simulation_allowed=True,
    context_source="4430-04 handbook, unit 410, evidence requirement 1",
)
U405 = UnitFacts(
    "4430-405",
    "Health and safety",
    True,
    False,
    False,
    "Simulation is not allowed for performance evidence within this Unit except when realistic practices "
    "are staged to test emergency procedures.",
    knowledge_simulation_allowed=True,
    staged_drills_allowed=True,
)
U301 = UnitFacts(
    "2006-301",
    "Principles",
    True,
    False,
    False,
    "Simulation is not allowed for any evidence within this Unit.",
    knowledge_simulation_allowed=False,
)
U106 = UnitFacts("4411-106", "Answer telephone calls", True, True, True)


def accepted(
    criterion_id=None,
    *,
    evidence_id,
    method="product_evidence",
    setting="real_work",
    requirement_id=None,
    range_item_id=None,
    kind="performance",
):
    return MappingFacts(
        criterion_id,
        range_item_id,
        evidence_id,
        f"item {evidence_id}",
        setting,
        method,
        "accepted",
        requirement_id,
        kind,
    )


def both_criteria(first_evidence=100):
    return [accepted(1, evidence_id=first_evidence), accepted(2, evidence_id=first_evidence)]


# 4430-04 unit 410, evidence requirements 5 and 6 as printed (the real rows are in fixtures/4430-04.json).
REQ_410 = [
    RequirementFacts(
        10,
        "1",
        "Your evidence should be collected when carrying out a real job ...",
        None,
        "",
        (),
        None,
        "setting",
    ),
    RequirementFacts(
        11,
        "2",
        "You may collect the evidence for the Unit through work in ...",
        None,
        "",
        (),
        None,
        "guidance",
    ),
    RequirementFacts(
        12,
        "3",
        "You must provide evidence that shows you have done this over a sufficient period of "
        "time for your assessor to be confident that you are competent.",
        None,
        "",
        (),
    ),
    RequirementFacts(
        15, "5", "You must show that you have dealt with complaints from customers who are:", None, "", ()
    ),
    RequirementFacts(16, "5a", "prepared to accept your proposed solutions", None, "", (), 15),
    RequirementFacts(17, "5b", "not prepared to accept your proposed solutions.", None, "", (), 15),
    RequirementFacts(
        18, "6", "The complaints included in your evidence must include examples of:", None, "", ()
    ),
    RequirementFacts(
        19, "6a", "a difference between customer expectations and what is offered", None, "", (), 18
    ),
    RequirementFacts(20, "6b", "a problem resulting from a system or procedure failure", None, "", (), 18),
    RequirementFacts(
        21, "6c", "a problem resulting from a shortage of resources or human error.", None, "", (), 18
    ),
]


def test_410_each_lettered_sub_item_is_named_until_evidenced_or_confirmed():
    mappings = both_criteria() + [
        accepted(evidence_id=101, requirement_id=16),
        accepted(evidence_id=102, requirement_id=19),
    ]
    result = unit_coverage(
        unit=U410,
        criteria=CRITERIA,
        requirements=REQ_410,
        mappings=mappings,
        authenticity_signed=True,
        confirmed_requirements={},
    )
    unmet = [p for p in result.problems if p.startswith("Evidence requirement")]
    assert unmet == [
        "Evidence requirement 3 is not evidenced or confirmed: You must provide evidence that shows you have done "
        "this over a sufficient period of time for your assessor to be confident that you are competent.",
        "Evidence requirement 5b is not evidenced or confirmed: not prepared to accept your proposed solutions.",
        "Evidence requirement 6b is not evidenced or confirmed: a problem resulting from a system or procedure failure",
        "Evidence requirement 6c is not evidenced or confirmed: a problem resulting from a shortage of resources or "
        "human error.",
    ]
    # The setting sentence and the "You may" guidance are not things to evidence.
    assert all("requirement 1 " not in p and "requirement 2 " not in p for p in result.problems)
    # On the matrix (not asked yet) they wait for sign-off instead of blocking it.
    matrix = unit_coverage(
        unit=U410, criteria=CRITERIA, requirements=REQ_410, mappings=mappings, authenticity_signed=True
    )
    assert matrix.ready and {s.requirement.ref for s in matrix.to_confirm} == {"3", "5b", "6b", "6c"}
    more = mappings + [
        accepted(evidence_id=103, requirement_id=17),
        accepted(evidence_id=104, requirement_id=20),
        accepted(evidence_id=104, requirement_id=21),
    ]
    done = unit_coverage(
        unit=U410,
        criteria=CRITERIA,
        requirements=REQ_410,
        mappings=more,
        authenticity_signed=True,
        confirmed_requirements={"3": "Complaints log March to September, pages 1-12."},
    )
    assert done.ready
    statuses = {s.requirement.ref: s for s in done.requirements}
    assert statuses["5"].met and statuses["6"].met and statuses["3"].met and not statuses["3"].evidenced
    assert statuses["1"].checked is False and statuses["2"].checked is False


def test_214_four_of_the_twelve_sources_of_diversity_is_enough():
    parent = RangeFacts(1, "2", "... in relation to four of the following sources of diversity:", None, 4)
    sources = [RangeFacts(10 + i, f"2{letter}", letter, 1) for i, letter in enumerate("abcdefghijkl")]
    other = [RangeFacts(3, "3", "adapted your behaviour to:", None), RangeFacts(4, "3a", "different", 3)]
    items = [parent, *sources, *other]
    covered = [accepted(range_item_id=10 + i, evidence_id=200 + i) for i in range(3)]
    base = both_criteria() + [accepted(range_item_id=4, evidence_id=300)]
    three = unit_coverage(
        unit=U410, criteria=CRITERIA, range_items=items, mappings=base + covered, authenticity_signed=True
    )
    assert three.problems == [
        "Range 2 asks for 4 of 2a–2l (“... in relation to four of the following sources of "
        "diversity:”): 3 covered so far."
    ]
    four = covered + [accepted(range_item_id=13, evidence_id=203)]
    assert unit_coverage(
        unit=U410, criteria=CRITERIA, range_items=items, mappings=base + four, authenticity_signed=True
    ).ready


def test_405_accepts_staged_emergency_drills_but_not_other_simulation():
    assert context_problem(U405, "Fire drill", "staged_drill", "performance") is None
    refused = context_problem(U405, "Role play", "simulation", "performance")
    assert "does not accept simulation for performance evidence" in refused
    assert "except when realistic practices are staged to test emergency procedures" in refused
    # Elsewhere a staged drill is simulation like any other.
    assert "does not accept simulation" in context_problem(U410, "Fire drill", "staged_drill", "performance")


def test_knowledge_criterion_of_a_non_simulation_unit_may_be_met_by_simulation():
    assert context_problem(U410, "Quiz in a training room", "simulation", "knowledge") is None
    refused = context_problem(U410, "Role play", "simulation", "performance")
    assert refused.startswith(
        "“Role play” was gathered in simulation; unit 4430-410 does not accept simulation for "
        "performance evidence."
    )
    assert "“Simulation is not allowed for any performance evidence within this Unit.”" in refused
    assert "(4430-04 handbook, unit 410, evidence requirement 1)" in refused
    # "Simulation is not allowed for any evidence": knowledge evidence too.
    assert "for any evidence" in context_problem(U301, "Quiz", "simulation", "knowledge")
    mappings = [
        accepted(1, evidence_id=1),
        accepted(2, evidence_id=2, setting="simulation", kind="knowledge"),
    ]
    assert unit_coverage(unit=U410, criteria=CRITERIA, mappings=mappings, authenticity_signed=True).ready


def test_4411_106_two_calls_observed_by_the_assessor_or_a_witness():
    parent = RequirementFacts(
        1, "1", "For 1.2 the candidate must say the appropriate greeting ...", None, "", ("1.2",)
    )
    greet = RequirementFacts(
        2,
        "1a",
        "say the appropriate greeting when answering the telephone to four customers",
        4,
        "",
        ("1.2",),
        1,
    )
    observed = RequirementFacts(
        3,
        "1b",
        "At least two of these calls should be observed by the Assessor/Witness",
        2,
        "observation,witness_testimony",
        ("1.2",),
        1,
    )
    criteria = [CriterionFacts(7, "1.2", "greet")]
    one_observation = [accepted(7, evidence_id=1, method="observation")]
    result = unit_coverage(
        unit=U106,
        criteria=criteria,
        requirements=[parent, greet, observed],
        mappings=one_observation,
        authenticity_signed=True,
        confirmed_requirements={"1a": "Telephone log: four calls greeted, 3-4 May."},
    )
    assert result.problems == [
        "Evidence requirement 1b: at least 2 pieces of evidence by observation or witness "
        "testimony for 1.2 (so far 1)."
    ]
    with_witness = one_observation + [accepted(7, evidence_id=2, method="witness_testimony")]
    assert unit_coverage(
        unit=U106,
        criteria=criteria,
        requirements=[parent, greet, observed],
        mappings=with_witness,
        authenticity_signed=True,
        confirmed_requirements={"1a": "Telephone log: four calls greeted, 3-4 May."},
    ).ready

"""Catalogue validation (plain Python over the export shape): every error, one by one."""

import copy

import pytest

from qualifications import validation as v
from qualifications.validation import rule_in_words, validate_catalogue_data

from .catalogue_samples import small_catalogue, unit


def q(data):
    return data["qualifications"][0]


def unit_of(data, ref):
    return next(u for u in q(data)["units"] if u["ref"] == ref)


def problems_after(mutate):
    data = small_catalogue()
    mutate(data)
    return validate_catalogue_data(data)


def test_the_sample_catalogue_is_valid():
    assert validate_catalogue_data(small_catalogue()) == []


def _set(path_fn, key, value):
    def mutate(data):
        path_fn(data)[key] = value

    return mutate


ERRORS = [
    # (what, mutation, code, record named in the message)
    (
        "qualification code twice",
        lambda d: d["qualifications"].append(copy.deepcopy(q(d))),
        v.DUPLICATE_QUALIFICATION,
        "qualification TST-02",
    ),
    (
        "unit twice in a qualification",
        lambda d: q(d)["units"].append(copy.deepcopy(unit_of(d, "TST-201"))),
        v.DUPLICATE_UNIT,
        "qualification TST-02 unit TST-201",
    ),
    (
        "two units with one number",
        _set(lambda d: unit_of(d, "TST-202"), "number", "201"),
        v.DUPLICATE_UNIT_NUMBER,
        "qualification TST-02 unit TST-202",
    ),
    (
        "unit described differently in the unit list",
        lambda d: d["units"].append({**copy.deepcopy(unit_of(d, "TST-201")), "credits": 9}),
        v.CONFLICTING_UNIT,
        "unit TST-201",
    ),
    (
        "group twice",
        lambda d: q(d)["groups"].append({"name": "Delivery", "order": 3}),
        v.DUPLICATE_GROUP,
        "qualification TST-02 group Delivery",
    ),
    (
        "rule order twice",
        lambda d: q(d)["rules"].append({"order": 1, "kind": "min_total_credits", "params": {"credits": 3}}),
        v.DUPLICATE_RULE,
        "qualification TST-02 rule 1",
    ),
    (
        "outcome number twice",
        lambda d: unit_of(d, "TST-201")["outcomes"].append(
            {"number": 1, "title": "Know more", "criteria": [{"number": 1, "ref": "9.1", "text": "x"}]}
        ),
        v.DUPLICATE_OUTCOME,
        "unit TST-201 outcome 1",
    ),
    (
        "criterion ref twice",
        lambda d: unit_of(d, "TST-201")["outcomes"][1]["criteria"].append({"ref": "1.1", "text": "again"}),
        v.DUPLICATE_CRITERION,
        "unit TST-201 criterion 1.1",
    ),
    (
        "gap in criterion numbering",
        _set(lambda d: unit_of(d, "TST-201")["outcomes"][0]["criteria"][1], "number", 3),
        v.CRITERION_NUMBERING,
        "unit TST-201 outcome 1",
    ),
    (
        "criterion number twice",
        _set(lambda d: unit_of(d, "TST-201")["outcomes"][0]["criteria"][1], "number", 1),
        v.CRITERION_NUMBERING,
        "unit TST-201 outcome 1",
    ),
    (
        "range item ref twice",
        lambda d: unit_of(d, "TST-101")["range"].append({"ref": "1a", "text": "quiet"}),
        v.DUPLICATE_RANGE_ITEM,
        "unit TST-101 range item 1a",
    ),
    (
        "evidence requirement ref twice",
        lambda d: unit_of(d, "TST-101")["evidence_requirements"].append({"ref": "1", "text": "again"}),
        v.DUPLICATE_EVIDENCE_REQUIREMENT,
        "unit TST-101 evidence requirement 1",
    ),
    (
        "guide row twice",
        lambda d: unit_of(d, "TST-101")["evidence_guide"].append({"order": 1, "evidence": "x"}),
        v.DUPLICATE_GUIDE_ROW,
        "unit TST-101 evidence guide row 1",
    ),
    (
        "range parent unknown",
        _set(lambda d: unit_of(d, "TST-101")["range"][1], "parent", "7"),
        v.UNKNOWN_PARENT,
        "unit TST-101 range item 1a",
    ),
    (
        "range outcome unknown",
        _set(lambda d: unit_of(d, "TST-101")["range"][1], "outcome", 5),
        v.UNKNOWN_OUTCOME,
        "unit TST-101 range item 1a",
    ),
    (
        "evidence parent unknown",
        _set(lambda d: unit_of(d, "TST-101")["evidence_requirements"][1], "parent", "9"),
        v.UNKNOWN_PARENT,
        "unit TST-101 evidence requirement 1a",
    ),
    (
        "evidence method unknown",
        _set(lambda d: unit_of(d, "TST-101")["evidence_requirements"][1], "method", "vibes"),
        v.UNKNOWN_KIND,
        "unit TST-101 evidence requirement 1a",
    ),
    ("qualification level unknown", _set(q, "level", "Level 9"), v.UNKNOWN_LEVEL, "qualification TST-02"),
    (
        "unit level unknown",
        _set(lambda d: unit_of(d, "TST-201"), "level", "Level Two"),
        v.UNKNOWN_LEVEL,
        "unit TST-201",
    ),
    (
        "outcome kind unknown",
        _set(lambda d: unit_of(d, "TST-201")["outcomes"][0], "kind", "skill"),
        v.UNKNOWN_KIND,
        "unit TST-201 outcome 1",
    ),
    (
        "criterion kind unknown",
        _set(lambda d: unit_of(d, "TST-201")["outcomes"][0]["criteria"][0], "kind", "x"),
        v.UNKNOWN_KIND,
        "unit TST-201 criterion 1.1",
    ),
    (
        "membership status unknown",
        _set(lambda d: unit_of(d, "TST-201"), "status", "compulsory"),
        v.UNKNOWN_STATUS,
        "qualification TST-02 unit TST-201",
    ),
    (
        "membership group unknown",
        _set(lambda d: unit_of(d, "TST-201"), "group", "Image"),
        v.UNKNOWN_GROUP,
        "qualification TST-02 unit TST-201",
    ),
    (
        "mandatory unit in an optional group",
        _set(lambda d: unit_of(d, "TST-101"), "group", "Delivery"),
        v.MANDATORY_IN_GROUP,
        "qualification TST-02 unit TST-101",
    ),
    (
        "unknown rule kind",
        _set(lambda d: q(d)["rules"][0], "kind", "min_glh"),
        v.UNKNOWN_RULE_KIND,
        "qualification TST-02 rule 1",
    ),
    (
        "rule parameter misspelt",
        _set(lambda d: q(d)["rules"][0], "params", {"credit": 12}),
        v.MALFORMED_PARAMS,
        "qualification TST-02 rule 1",
    ),
    (
        "credits missing from a complete rule",
        _set(lambda d: q(d)["rules"][0], "params", {"credits": None}),
        v.MALFORMED_PARAMS,
        "qualification TST-02 rule 1",
    ),
    (
        "negative credits in a rule",
        _set(lambda d: q(d)["rules"][0], "params", {"credits": -1}),
        v.MALFORMED_PARAMS,
        "qualification TST-02 rule 1",
    ),
    (
        "barred pair of three",
        _set(lambda d: q(d)["rules"][4], "params", {"units": ["201", "202", "203"]}),
        v.MALFORMED_PARAMS,
        "qualification TST-02 rule 5",
    ),
    (
        "group minimum above maximum",
        _set(lambda d: q(d)["rules"][2], "params", {"group": "Delivery", "min_units": 2, "max_units": 1}),
        v.MALFORMED_PARAMS,
        "qualification TST-02 rule 3",
    ),
    (
        "level rule with an unknown level",
        lambda d: q(d)["rules"].append(
            {"order": 6, "kind": "min_credits_at_level", "params": {"credits": 4, "level": "Level 22"}}
        ),
        v.UNKNOWN_LEVEL,
        "qualification TST-02 rule 6",
    ),
    (
        "rule names a unit outside the qualification",
        _set(lambda d: q(d)["rules"][4], "params", {"units": ["201", "999"]}),
        v.RULE_UNIT_OUTSIDE,
        "qualification TST-02 rule 5",
    ),
    (
        "rule names a group the qualification lacks",
        _set(lambda d: q(d)["rules"][2], "params", {"group": "Image", "min_units": 1}),
        v.RULE_UNKNOWN_GROUP,
        "qualification TST-02 rule 3",
    ),
    (
        "mandatory unit missing from the qualification",
        _set(lambda d: q(d)["rules"][1], "params", {"units": ["101", "102"]}),
        v.MANDATORY_UNIT_MISSING,
        "qualification TST-02 rule 2",
    ),
    (
        "mandatory by rule but listed optional",
        _set(lambda d: q(d)["rules"][1], "params", {"units": ["101", "202"]}),
        v.MANDATORY_STATUS_MISMATCH,
        "qualification TST-02 rule 2",
    ),
    (
        "negative unit credits",
        _set(lambda d: unit_of(d, "TST-201"), "credits", -4),
        v.NEGATIVE_NUMBER,
        "unit TST-201 in qualification TST-02",
    ),
    (
        "credits not a number",
        _set(lambda d: unit_of(d, "TST-201"), "credits", "four"),
        v.BAD_TYPE,
        "unit TST-201 in qualification TST-02",
    ),
    (
        "unit title missing",
        lambda d: unit_of(d, "TST-201").pop("title"),
        v.MISSING_FIELD,
        "unit TST-201 in qualification TST-02",
    ),
    (
        "criterion text missing",
        lambda d: unit_of(d, "TST-201")["outcomes"][0]["criteria"][0].pop("text"),
        v.MISSING_FIELD,
        "unit TST-201 criterion 1.1",
    ),
    ("qualification code missing", lambda d: q(d).pop("code"), v.MISSING_FIELD, "qualification #1"),
    (
        "rule params not an object",
        _set(lambda d: q(d)["rules"][0], "params", [12]),
        v.BAD_TYPE,
        "qualification TST-02 rule #1",
    ),
]


@pytest.mark.parametrize(("what", "mutate", "code", "record"), ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_is_reported_naming_the_record(what, mutate, code, record):
    problems = problems_after(mutate)
    found = [p for p in problems if p.code == code]
    assert found, f"{what}: expected {code}, got {[str(p) for p in problems]}"
    assert all(p.severity == v.ERROR for p in found)
    assert any(p.record == record for p in found), [p.record for p in found]
    assert str(found[0]).startswith(f"ERROR {found[0].record}: ")


def test_a_catalogue_that_is_not_an_object_is_refused():
    for data in ([], "x", {"qualifications": "nope"}, {}):
        problems = validate_catalogue_data(data)
        assert [p.severity for p in problems] == [v.ERROR]


def test_gap_message_names_the_missing_number():
    def mutate(d):
        unit_of(d, "TST-201")["outcomes"][0]["criteria"][1]["number"] = 3

    (problem,) = [p for p in problems_after(mutate) if p.code == v.CRITERION_NUMBERING]
    assert "2 missing" in problem.message


WARNINGS = [
    (
        "rule incomplete",
        lambda d: q(d)["rules"][0].update(
            is_complete=False, params={"credits": None}, incomplete_reason="number lost"
        ),
        v.RULE_INCOMPLETE,
        "qualification TST-02 rule 1",
        True,
    ),
    (
        "credits unknown where a rule counts them",
        _set(lambda d: unit_of(d, "TST-201"), "credits", None),
        v.MISSING_CREDITS,
        "qualification TST-02 unit TST-201",
        True,
    ),
    (
        "rules not stated",
        lambda d: q(d).update(rules_stated=False, rules=[]),
        v.RULES_NOT_STATED,
        "qualification TST-02",
        True,
    ),
    ("no rules recorded", lambda d: q(d).update(rules=[]), v.NO_RULES, "qualification TST-02", True),
    (
        "level unknown where a level rule counts",
        lambda d: (
            q(d)["rules"].append(
                {"order": 6, "kind": "min_credits_at_level", "params": {"credits": 4, "level": "Level 2"}}
            ),
            unit_of(d, "TST-201").update(level=""),
        ),
        v.MISSING_LEVEL,
        "qualification TST-02 unit TST-201",
        True,
    ),
    (
        "evidence requirement names a missing criterion",
        _set(lambda d: unit_of(d, "TST-101")["evidence_requirements"][1], "criteria", ["2.1", "7.7"]),
        v.EVIDENCE_UNKNOWN_CRITERION,
        "unit TST-101 evidence requirement 1a",
        False,
    ),
]


@pytest.mark.parametrize(
    ("what", "mutate", "code", "record", "blocks"), WARNINGS, ids=[w[0] for w in WARNINGS]
)
def test_incomplete_data_is_a_warning_not_an_error(what, mutate, code, record, blocks):
    problems = problems_after(mutate)
    assert v.errors(problems) == [], [str(p) for p in problems]
    (found,) = [p for p in problems if p.code == code]
    assert found.severity == v.WARNING and found.record == record
    assert found.blocks_certification is blocks


def test_credits_unknown_are_fine_when_no_rule_counts_credits():
    def mutate(d):
        q(d)["rules"] = [r for r in q(d)["rules"] if r["kind"] not in ("min_total_credits",)]
        unit_of(d, "TST-201")["credits"] = None

    assert problems_after(mutate) == []


def test_an_incomplete_rule_may_lack_what_the_source_lost():
    def mutate(d):
        q(d)["rules"].append(
            {
                "order": 6,
                "kind": "min_credits_at_level",
                "params": {"credits": None, "level": None},
                "is_complete": False,
                "incomplete_reason": "lost in extraction",
            }
        )

    assert [p.code for p in problems_after(mutate)] == [v.RULE_INCOMPLETE]


def test_minimal_shape_gets_defaults():
    data = {
        "qualifications": [
            {
                "code": "X-1",
                "title": "X",
                "level": "Level 1",
                "units": [
                    unit(
                        "X-001",
                        "Understand things",
                        outcomes=[
                            {
                                "number": 1,
                                "title": "Understand things",
                                "criteria": [{"ref": "1.1", "text": "a"}, {"ref": "1.2", "text": "b"}],
                            }
                        ],
                    )
                ],
            }
        ]
    }
    normalised, problems = v.normalise_catalogue(data)
    assert problems == []
    u = normalised["qualifications"][0]["units"][0]
    assert (u["scheme"], u["number"], u["status"], u["group"], u["order"]) == (
        "X",
        "001",
        "optional",
        None,
        1,
    )
    outcome = u["outcomes"][0]
    assert outcome["kind"] == "knowledge"
    assert [(c["number"], c["kind"]) for c in outcome["criteria"]] == [(1, "knowledge"), (2, "knowledge")]


@pytest.mark.parametrize(
    ("kind", "params", "words"),
    [
        ("min_total_credits", {"credits": 67}, "At least 67 credits in total."),
        (
            "min_credits_from_units",
            {"credits": 4, "units": ["001", "002"], "label": "Entry 3 units"},
            "At least 4 credits from units 001 and 002 (Entry 3 units).",
        ),
        (
            "min_credits_at_level",
            {"credits": 35, "level": "Level 4"},
            "At least 35 credits from units at Level 4.",
        ),
        (
            "min_credits_at_level",
            {"credits": None, "level": None},
            "At least a number of credits the source does not give from units at a level the source does not give.",
        ),
        ("mandatory_units", {"units": ["401", "402"]}, "Units 401 and 402 are mandatory."),
        ("mandatory_units", {"units": ["102"]}, "Unit 102 is mandatory."),
        (
            "group_minimum",
            {"group": "Delivery", "min_units": 1},
            "From the optional group \u201cDelivery\u201d: at least 1 unit.",
        ),
        ("barred_pair", {"units": ["001", "101"]}, "Unit 001 cannot be taken with unit 101."),
    ],
)
def test_rules_in_plain_words(kind, params, words):
    assert rule_in_words(kind, params) == words


def test_fixture_objects_are_checked_for_missing_fields_and_duplicates():
    objects = [
        {
            "model": "qualifications.unit",
            "fields": {"ref": "A-1", "scheme": "A", "number": "1", "title": "T"},
        },
        {
            "model": "qualifications.unit",
            "fields": {"ref": "A-1", "scheme": "A", "number": "1", "title": "T"},
        },
        {"model": "qualifications.unit", "fields": {"ref": "A-2", "scheme": "A", "number": "2"}},
        {"model": "qualifications.nothing", "fields": {}},
    ]
    _info, problems = v.check_fixture_objects("fixtures/x.json", objects)
    assert [str(p) for p in problems] == [
        "ERROR fixtures/x.json object 2 (qualifications.unit A-1): defines the same record as object 1",
        "ERROR fixtures/x.json object 3 (qualifications.unit): the field 'title' is missing",
        'ERROR fixtures/x.json object 4: model "qualifications.nothing" is not a catalogue model',
    ]


def test_fixture_load_order_follows_references():
    def info(name, units=(), refs=()):
        return v.FixtureFile(name, [], set(), set(units), set(), set(refs))

    files = [
        info("fixtures/4430-02.json", {"4430-101"}, {"4430-101", "4430-303"}),
        info("fixtures/zzz.json", {"Z-1"}, {"Z-1"}),
        info("fixtures/4430-04.json", {"4430-303"}, {"4430-303"}),
        info("fixtures/4411.json", {"4411-001"}, {"4411-001"}),
    ]
    assert [f.name for f in v.fixture_load_order(files)] == [
        "fixtures/4411.json",
        "fixtures/4430-04.json",
        "fixtures/4430-02.json",
        "fixtures/zzz.json",
    ]


def _conditions(*conditions):
    return _set(lambda d: q(d), "entry_conditions", list(conditions))


AGE = {"key": "age_18", "text": "not approved for use by candidates under the age of 18", "source": "2.2"}


@pytest.mark.parametrize(
    ("mutate", "code", "record"),
    [
        (
            _conditions(AGE, dict(AGE, text="again")),
            v.DUPLICATE_ENTRY_CONDITION,
            "qualification TST-02 entry condition age_18",
        ),
        (
            _conditions({"key": "age_18", "source": "2.2"}),
            v.MISSING_FIELD,
            "qualification TST-02 entry condition #1",
        ),
        (_conditions(dict(AGE, source="")), v.MISSING_FIELD, "qualification TST-02 entry condition #1"),
        (_conditions(dict(AGE, page="nine")), v.BAD_TYPE, "qualification TST-02 entry condition #1"),
        (_set(lambda d: q(d), "entry_conditions", "over 18"), v.BAD_TYPE, "qualification TST-02"),
    ],
    ids=["duplicate key", "no text", "no source", "page not a number", "not a list"],
)
def test_entry_conditions_are_checked(mutate, code, record):
    problems = problems_after(mutate)
    assert any(p.code == code and p.record == record for p in problems), [str(p) for p in problems]


def test_entry_conditions_load_as_data():
    data = small_catalogue()
    q(data)["entry_conditions"] = [dict(AGE, page=9)]
    assert validate_catalogue_data(data) == []

"""Each kind of rule of combination is one class (qualifications/rule_kinds.py) that everything dispatches to."""

import pathlib
import re

import pytest

from qualifications import rule_kinds, rules, validation
from qualifications.models import Rule
from qualifications.validation import rule_in_words

# A value of each parameter type, as a catalogue would give it.
EXAMPLES = {
    "credits": 7,
    "count": 2,
    "level": "Level 2",
    "str": "Delivery",
    "units": ["401", "402"],
    "pair": ["001", "101"],
}


def _classes(base=rule_kinds.RuleKind):
    for cls in base.__subclasses__():
        if cls.kind:
            yield cls
        yield from _classes(cls)


def test_every_kind_of_rule_is_exactly_one_registered_class():
    kinds = [cls.kind for cls in _classes()]
    assert sorted(kinds) == sorted(set(kinds)) == sorted(Rule.Kind.values)
    assert list(rule_kinds.RULE_KINDS) == Rule.Kind.values
    assert {cls.kind: cls.label for cls in _classes()} == dict(Rule.Kind.choices)
    for cls in _classes():
        assert rule_kinds.RULE_KINDS[cls.kind] is cls
        assert validation.RULE_PARAMS[cls.kind] is cls.params
    assert rules.RULE_KINDS is rule_kinds.RULE_KINDS


@pytest.mark.parametrize("kind", Rule.Kind.values)
def test_each_kind_words_its_params(kind):
    cls = rule_kinds.RULE_KINDS[kind]
    params = {name: EXAMPLES[ptype] for name, (ptype, _required) in cls.params.items()}
    words = rule_in_words(kind, params)
    assert words == cls.wording(params) and words.endswith(".")
    for value in params.values():
        for part in value if isinstance(value, list) else [value]:
            assert str(part) in words, (kind, part, words)
    # A rule whose source lost its parameters is still worded, never as an unknown kind.
    assert "unknown kind" not in rule_in_words(kind, {})
    assert rule_in_words("telepathy", {}) == "A rule of an unknown kind (telepathy)."


def test_the_engine_planner_and_validation_name_no_kind_themselves():
    """What a kind means is in its class: no module outside rule_kinds.py tests for a kind by name."""
    here = pathlib.Path(rule_kinds.__file__).parent
    for path in [here / "rules.py", here / "planner.py", *sorted((here / "validation").glob("*.py"))]:
        text = path.read_text()
        for kind in Rule.Kind.values:
            assert f'"{kind}"' not in text, (path.name, kind)
        assert not re.search(r'\b(rule|r)(\.kind|\.rule|\["kind"\])\s*(==|!=)', text), path.name

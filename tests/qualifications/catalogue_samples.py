"""A small hand-made catalogue in the export shape, and a cached load of the real fixtures."""

import copy
import io
import json

from django.core.management import call_command

from qualifications.selectors import catalogue_export
from qualifications.services import catalogue_import


def unit(ref, title, *, level="Level 2", credits=4, glh=20, outcomes=None, **extra):
    return {
        "ref": ref,
        "number": ref.split("-")[-1],
        "title": title,
        "level": level,
        "credits": credits,
        "glh": glh,
        "outcomes": outcomes
        if outcomes is not None
        else [
            {
                "number": 1,
                "title": f"Know about {title.lower()}",
                "criteria": [
                    {"ref": "1.1", "text": "describe the first thing"},
                    {"ref": "1.2", "text": "explain the second thing"},
                ],
            },
            {
                "number": 2,
                "title": f"Be able to {title.lower()}",
                "criteria": [{"ref": "2.1", "text": "deal with a complaint from a customer"}],
            },
        ],
        **extra,
    }


def small_catalogue():
    """TST-02: 4 units (one mandatory, two optional groups, a barred pair) and one unattached unit."""
    first = unit(
        "TST-101",
        "Greet customers",
        level="Level 1",
        status="mandatory",
        group=None,
        rwe_allowed=True,
        simulation_allowed=False,
        evidence_context_note="Real customers only.",
        defects="GLH printed twice: 20 and 25",
        range=[
            {"ref": "1", "text": "Situations:"},
            {"ref": "1a", "text": "routine", "parent": "1", "outcome": 2},
            {"ref": "1b", "text": "busy", "parent": "1", "outcome": 2},
        ],
        evidence_requirements=[
            {"ref": "1", "text": "Observation of greetings"},
            {
                "ref": "1a",
                "text": "at least two calls observed",
                "parent": "1",
                "min_count": 2,
                "method": "observation",
                "criteria": ["2.1"],
            },
        ],
        evidence_guide=[
            {"order": 1, "criteria_refs": "1.1, 1.2", "evidence": "Written answers", "defect": ""}
        ],
    )
    return {
        "qualifications": [
            {
                "code": "TST-02",
                "title": "Test Certificate in Customer Care",
                "level": "Level 2",
                "awarding_body": "Test Awarding Body",
                "glh": 60,
                "source": "hand-made",
                "source_notes": "Made for the tests.",
                "defects": "Rule 1 wording is ambiguous",
                "groups": [{"name": "Delivery", "order": 1}, {"name": "Problems", "order": 2}],
                "rules": [
                    {
                        "order": 1,
                        "kind": "min_total_credits",
                        "params": {"credits": 12},
                        "text": "12 credits",
                    },
                    {"order": 2, "kind": "mandatory_units", "params": {"units": ["101"]}},
                    {"order": 3, "kind": "group_minimum", "params": {"group": "Delivery", "min_units": 1}},
                    {"order": 4, "kind": "group_minimum", "params": {"group": "Problems", "min_units": 1}},
                    {"order": 5, "kind": "barred_pair", "params": {"units": ["201", "203"]}},
                ],
                "units": [
                    first,
                    unit("TST-201", "Deliver service", status="optional", group="Delivery"),
                    unit("TST-202", "Deliver service by phone", status="optional", group="Delivery"),
                    unit("TST-203", "Resolve complaints", status="optional", group="Problems"),
                ],
            }
        ],
        "units": [unit("TST-900", "Unattached unit")],
    }


def load(data):
    return catalogue_import(data=copy.deepcopy(data))


_REAL = {}


def load_real_catalogue():
    """Load fixtures/*.json (load_catalogue once per test session; later tests import its export: faster)."""
    if "export" not in _REAL:
        call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())
        _REAL["export"] = json.loads(json.dumps(catalogue_export()))
    else:
        catalogue_import(data=copy.deepcopy(_REAL["export"]))
    return _REAL["export"]

"""The export shape of the catalogue: each record's fields, the vocabularies, the rule kinds' parameters,
and reading raw data into that shape (normalise_catalogue).

The export shape (one dict, JSON-ready):
    {"qualifications": [{<QUALIFICATION_FIELDS>, "groups": [{"name", "order"}],
                         "rules": [{<RULE_FIELDS>}],
                         "units": [{<UNIT_FIELDS>, <MEMBERSHIP_FIELDS>, "outcomes": [...], "range": [...],
                                    "evidence_requirements": [...], "evidence_guide": [...]}]}],
     "units": [<units that belong to no qualification, same shape without MEMBERSHIP_FIELDS>]}
"""

from __future__ import annotations

from ..levels import LEVELS  # noqa: F401 - re-exported with the schema
from ..rule_kinds import RULE_KINDS
from .problems import BAD_SHAPE, BAD_TYPE, MISSING_FIELD, REQUIRED, Problem, _Checker, _is_int

# name: (type, default). Types: "str" (null read as ""), "int?" (whole number or null), "bool",
# "bool?" (true, false or null), "str?" (text or null), "list", "dict".
QUALIFICATION_FIELDS = {
    "code": ("str", REQUIRED),
    "title": ("str", REQUIRED),
    "level": ("str", REQUIRED),
    "awarding_body": ("str", "City & Guilds"),
    "accreditation_number": ("str", ""),
    "glh": ("int?", None),
    "tqt": ("int?", None),
    "registration_period_months": ("int?", None),
    "source": ("str", ""),
    "source_notes": ("str", ""),
    "defects": ("str", ""),
    "rules_stated": ("bool", True),
    "rwe_allowed": ("bool?", None),
    "simulation_allowed": ("bool?", None),
    "evidence_context_note": ("str", ""),
    "evidence_context_source": ("str", ""),
    "last_registration_date": ("date?", None),
    "last_certification_date": ("date?", None),
    "dates_source": ("str", ""),
    "entry_conditions": ("list", ()),
}
# One condition on the candidate the handbook states for entry, asked at registration.
ENTRY_CONDITION_FIELDS = {
    "key": ("str", REQUIRED),  # a short name the registration records ("age_18")
    "text": ("str", REQUIRED),  # the handbook's words
    "source": ("str", REQUIRED),  # where the handbook states it
    "page": ("int?", None),  # null where the source text lost the page number
}
UNIT_FIELDS = {
    "ref": ("str", REQUIRED),
    "scheme": ("str", None),  # None: derived from the ref ("4430-401" -> "4430")
    "number": ("str", None),  # None: derived from the ref ("4430-401" -> "401")
    "title": ("str", REQUIRED),
    "level": ("str", ""),
    "credits": ("int?", None),
    "glh": ("int?", None),
    "accreditation_number": ("str", ""),
    "nos_code": ("str", ""),
    "aim": ("str", ""),
    "assessment": ("str", ""),
    "notes": ("str", ""),
    "defects": ("str", ""),
    "has_criteria_text": ("bool", True),
    "rwe_allowed": ("bool?", None),
    "simulation_allowed": ("bool?", None),
    "evidence_context_note": ("str", ""),
    "knowledge_simulation_allowed": ("bool?", None),
    "staged_drills_allowed": ("bool", False),
    "evidence_context_source": ("str", ""),
}
MEMBERSHIP_FIELDS = {
    "status": ("str", "optional"),
    "group": ("str?", None),
    "order": ("int?", None),  # None: position in the list
}
GROUP_FIELDS = {"name": ("str", REQUIRED), "order": ("int?", None)}
RULE_FIELDS = {
    "order": ("int?", None),
    "kind": ("str", REQUIRED),
    "params": ("dict", REQUIRED),
    "text": ("str", ""),
    "is_complete": ("bool", True),
    "incomplete_reason": ("str", ""),
}
OUTCOME_FIELDS = {
    "number": ("int?", REQUIRED),
    "title": ("str", REQUIRED),
    "kind": ("str", None),  # None: from the title ("Know"/"Understand" -> knowledge)
}
CRITERION_FIELDS = {
    "number": ("int?", None),  # None: position within the outcome
    "ref": ("str", REQUIRED),
    "text": ("str", REQUIRED),
    "kind": ("str", None),  # None: the outcome's kind
    "guidance": ("str", ""),
    "defect": ("str", ""),
}
RANGE_FIELDS = {
    "ref": ("str", REQUIRED),
    "text": ("str", REQUIRED),
    "order": ("int?", None),
    "parent": ("str?", None),
    "outcome": ("int?", None),
    "min_count": ("int?", None),
    "min_count_source": ("str", ""),
}
EVIDENCE_FIELDS = {
    "ref": ("str", REQUIRED),
    "text": ("str", REQUIRED),
    "order": ("int?", None),
    "parent": ("str?", None),
    "min_count": ("int?", None),
    "method": ("str", ""),
    "criteria": ("list", ()),
    "kind": ("str", "evidence"),
}
GUIDE_FIELDS = {
    "order": ("int?", None),
    "criteria_refs": ("str", ""),
    "evidence": ("str", REQUIRED),
    "defect": ("str", ""),
}

KINDS = ("knowledge", "performance")
STATUSES = ("mandatory", "optional")
REQUIREMENT_KINDS = ("evidence", "setting", "guidance")
# Rule kinds and their parameters: name -> (type, required). "units" are numbers inside the qualification.
# Each kind's class in qualifications/rule_kinds.py carries them; these views are kept for the callers.
RULE_PARAMS = {kind: cls.params for kind, cls in RULE_KINDS.items()}
CREDIT_RULE_KINDS = {kind for kind, cls in RULE_KINDS.items() if cls.needs_credits({})}


def outcome_kind_from_title(title: str) -> str:
    """Outcomes that start "Know" or "Understand" are knowledge; the rest are performance."""
    first = (title or "").strip().split(" ", 1)[0].lower()
    return "knowledge" if first in ("know", "understand") else "performance"


def _unit_content_key(unit: dict) -> dict:
    return {k: v for k, v in unit.items() if k not in MEMBERSHIP_FIELDS}


def normalise_catalogue(data) -> tuple[dict | None, list[Problem]]:
    """Check the shape of an export-shaped catalogue and fill the defaults.

    Returns (normalised data, problems); the data is None when the shape is wrong (the problems say where).
    """
    c = _Checker()
    if not isinstance(data, dict) or not isinstance(data.get("qualifications", []), list):
        c.error(BAD_SHAPE, "catalogue", 'must be an object like {"qualifications": [...]}')
        return None, c.problems
    if "qualifications" not in data and "units" not in data:
        c.error(MISSING_FIELD, "catalogue", "the field 'qualifications' is missing")
        return None, c.problems
    out = {"qualifications": [], "units": []}
    for qi, raw_q in enumerate(c.children("catalogue", data, "qualifications"), start=1):
        code = raw_q.get("code") if isinstance(raw_q, dict) else None
        qrec = f"qualification {code}" if isinstance(code, str) and code else f"qualification #{qi}"
        q = c.record(qrec, raw_q, QUALIFICATION_FIELDS, code)
        if q is None:
            continue
        conditions = [
            c.record(f"{qrec} entry condition #{i}", raw, ENTRY_CONDITION_FIELDS, code)
            for i, raw in enumerate(q["entry_conditions"], start=1)
        ]
        if any(condition is None for condition in conditions):
            continue
        q["entry_conditions"] = conditions
        q["groups"] = []
        for gi, raw_g in enumerate(c.children(qrec, raw_q, "groups"), start=1):
            g = c.record(f"{qrec} group #{gi}", raw_g, GROUP_FIELDS, code)
            if g is not None:
                g["order"] = gi if g["order"] is None else g["order"]
                q["groups"].append(g)
        q["rules"] = []
        for ri, raw_r in enumerate(c.children(qrec, raw_q, "rules"), start=1):
            r = c.record(f"{qrec} rule #{ri}", raw_r, RULE_FIELDS, code)
            if r is not None:
                r["order"] = ri if r["order"] is None else r["order"]
                q["rules"].append(r)
        q["units"] = []
        for ui, raw_u in enumerate(c.children(qrec, raw_q, "units"), start=1):
            u = _normalise_unit(c, raw_u, ui, code, with_membership=True)
            if u is not None:
                q["units"].append(u)
        if "groups" not in raw_q:  # a hand-made file may name groups only on its units
            names = []
            for u in q["units"]:
                if u["group"] and u["group"] not in names:
                    names.append(u["group"])
            q["groups"] = [{"name": name, "order": i} for i, name in enumerate(names, start=1)]
        out["qualifications"].append(q)
    for ui, raw_u in enumerate(c.children("catalogue", data, "units"), start=1):
        u = _normalise_unit(c, raw_u, ui, None, with_membership=False)
        if u is not None:
            out["units"].append(u)
    if c.problems:
        return None, c.problems
    return out, []


def _normalise_unit(c, raw_u, position, code, *, with_membership):
    ref = raw_u.get("ref") if isinstance(raw_u, dict) else None
    urec = f"unit {ref}" if isinstance(ref, str) and ref else f"unit #{position}"
    if code:
        urec = f"{urec} in qualification {code}"
    schema = {**UNIT_FIELDS, **MEMBERSHIP_FIELDS} if with_membership else UNIT_FIELDS
    u = c.record(urec, raw_u, schema, code)
    if u is None:
        return None
    scheme, _, number = u["ref"].rpartition("-")
    if u["scheme"] is None:
        u["scheme"] = scheme
    if u["number"] is None:
        u["number"] = number
    if with_membership and u["order"] is None:
        u["order"] = position
    urec = f"unit {u['ref']}"
    u["outcomes"] = []
    for oi, raw_o in enumerate(c.children(urec, raw_u, "outcomes"), start=1):
        number = raw_o.get("number") if isinstance(raw_o, dict) else None
        orec = f"{urec} outcome {number if _is_int(number) else '#' + str(oi)}"
        o = c.record(orec, raw_o, OUTCOME_FIELDS, code)
        if o is None:
            continue
        if o["kind"] is None:
            o["kind"] = outcome_kind_from_title(o["title"])
        o["criteria"] = []
        for ci, raw_cr in enumerate(c.children(orec, raw_o, "criteria"), start=1):
            cref = raw_cr.get("ref") if isinstance(raw_cr, dict) else None
            crec = f"{urec} criterion {cref}" if isinstance(cref, str) and cref else f"{orec} criterion #{ci}"
            cr = c.record(crec, raw_cr, CRITERION_FIELDS, code)
            if cr is None:
                continue
            if cr["number"] is None:
                cr["number"] = ci
            if cr["kind"] is None:
                cr["kind"] = o["kind"]
            o["criteria"].append(cr)
        u["outcomes"].append(o)
    for key, schema_ in (
        ("range", RANGE_FIELDS),
        ("evidence_requirements", EVIDENCE_FIELDS),
        ("evidence_guide", GUIDE_FIELDS),
    ):
        u[key] = []
        for ii, raw_i in enumerate(c.children(urec, raw_u, key), start=1):
            item = c.record(f"{urec} {key.replace('_', ' ')} #{ii}", raw_i, schema_, code)
            if item is None:
                continue
            if item["order"] is None:
                item["order"] = ii
            if key == "evidence_requirements" and not all(isinstance(x, str) for x in item["criteria"]):
                c.error(
                    BAD_TYPE,
                    f"{urec} evidence requirement {item['ref']}",
                    "'criteria' must be a list of criterion references (text)",
                    code,
                )
                continue
            u[key].append(item)
    return u

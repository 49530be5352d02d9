"""Catalogue validation: plain functions over the catalogue in its export shape (no ORM here).

The same checks serve every way data enters the catalogue: `load_catalogue` and `validate_catalogue`
validate the database through its export (`selectors.catalogue_export()`), `import_catalogue` validates
the file before writing and the database after, and the admin validates a correction before it is kept.

Errors refuse the data. Warnings mark incomplete data (a rule whose number the source lost, units
without credits where a credit rule needs them, rules of combination not stated): such a qualification
loads and can be browsed, but can never be certified until someone completes it.

The export shape (one dict, JSON-ready):
    {"qualifications": [{<QUALIFICATION_FIELDS>, "groups": [{"name", "order"}],
                         "rules": [{<RULE_FIELDS>}],
                         "units": [{<UNIT_FIELDS>, <MEMBERSHIP_FIELDS>, "outcomes": [...], "range": [...],
                                    "evidence_requirements": [...], "evidence_guide": [...]}]}],
     "units": [<units that belong to no qualification, same shape without MEMBERSHIP_FIELDS>]}
"""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = ["Entry 1", "Entry 2", "Entry 3"] + [f"Level {n}" for n in range(1, 9)]

ERROR = "error"
WARNING = "warning"

# Problem codes (tests import these).
BAD_SHAPE = "bad_shape"
MISSING_FIELD = "missing_field"
BAD_TYPE = "bad_type"
NEGATIVE_NUMBER = "negative_number"
DUPLICATE_QUALIFICATION = "duplicate_qualification"
DUPLICATE_UNIT = "duplicate_unit"
DUPLICATE_UNIT_NUMBER = "duplicate_unit_number"
CONFLICTING_UNIT = "conflicting_unit"
DUPLICATE_GROUP = "duplicate_group"
DUPLICATE_RULE = "duplicate_rule"
DUPLICATE_OUTCOME = "duplicate_outcome"
DUPLICATE_CRITERION = "duplicate_criterion"
CRITERION_NUMBERING = "criterion_numbering"
DUPLICATE_RANGE_ITEM = "duplicate_range_item"
DUPLICATE_EVIDENCE_REQUIREMENT = "duplicate_evidence_requirement"
DUPLICATE_GUIDE_ROW = "duplicate_guide_row"
UNKNOWN_PARENT = "unknown_parent"
UNKNOWN_OUTCOME = "unknown_outcome"
UNKNOWN_LEVEL = "unknown_level"
UNKNOWN_KIND = "unknown_kind"
UNKNOWN_STATUS = "unknown_status"
UNKNOWN_GROUP = "unknown_group"
MANDATORY_IN_GROUP = "mandatory_in_group"
UNKNOWN_RULE_KIND = "unknown_rule_kind"
MALFORMED_PARAMS = "malformed_params"
RULE_UNIT_OUTSIDE = "rule_unit_outside"
RULE_UNKNOWN_GROUP = "rule_unknown_group"
MANDATORY_UNIT_MISSING = "mandatory_unit_missing"
MANDATORY_STATUS_MISMATCH = "mandatory_status_mismatch"
DUPLICATE_ENTRY_CONDITION = "duplicate_entry_condition"
# warnings
MISSING_CREDITS = "missing_credits"
MISSING_LEVEL = "missing_level"
RULE_INCOMPLETE = "rule_incomplete"
RULES_NOT_STATED = "rules_not_stated"
NO_RULES = "no_rules"
NO_UNITS = "no_units"
MANDATORY_NOT_IN_RULE = "mandatory_not_in_rule"
EVIDENCE_UNKNOWN_CRITERION = "evidence_unknown_criterion"

REQUIRED = object()

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
    "key": ("str", REQUIRED),      # a short name the registration records ("age_18")
    "text": ("str", REQUIRED),     # the handbook's words
    "source": ("str", REQUIRED),   # where the handbook states it
    "page": ("int?", None),        # null where the source text lost the page number
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
METHODS = ("", "observation", "questioning", "product", "witness_testimony", "professional_discussion",
           "statement", "expert_witness", "recognition_of_prior_learning")
REQUIREMENT_KINDS = ("evidence", "setting", "guidance")
BAD_QUANTITY = "bad_quantity"

# Rule kinds and their parameters: name -> (type, required). "units" are numbers inside the qualification.
RULE_PARAMS = {
    "min_total_credits": {"credits": ("credits", True)},
    "min_credits_from_units": {"credits": ("credits", True), "units": ("units", True), "label": ("str", False)},
    "min_credits_at_level": {"credits": ("credits", True), "level": ("level", True)},
    "mandatory_units": {"units": ("units", True)},
    "group_minimum": {
        "group": ("str", True),
        "min_units": ("count", False),
        "min_credits": ("count", False),
        "max_units": ("count", False),
        "max_credits": ("count", False),
    },
    "barred_pair": {"units": ("pair", True)},
}
CREDIT_RULE_KINDS = {"min_total_credits", "min_credits_from_units", "min_credits_at_level"}


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR or WARNING
    code: str  # one of the codes above
    record: str  # names the record: "unit 4430-401 outcome 2", "qualification 4430-04 rule 3"
    message: str
    qualification: str | None = None  # the qualification it affects, when there is one
    blocks_certification: bool = True  # every error does; warnings about incomplete data do

    def __str__(self):
        return f"{self.severity.upper()} {self.record}: {self.message}"


def errors(problems):
    return [p for p in problems if p.severity == ERROR]


def warnings(problems):
    return [p for p in problems if p.severity == WARNING]


def outcome_kind_from_title(title: str) -> str:
    """Outcomes that start "Know" or "Understand" are knowledge; the rest are performance."""
    first = (title or "").strip().split(" ", 1)[0].lower()
    return "knowledge" if first in ("know", "understand") else "performance"


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_iso_date(value) -> bool:
    import datetime as _dt

    if isinstance(value, _dt.date):
        return True
    try:
        _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _label(value):
    return f"{value!r}" if not isinstance(value, str) else f'"{value}"'


class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, severity, code, record, message, qualification=None, blocks=True):
        self.problems.append(Problem(severity, code, record, message, qualification, blocks))

    def error(self, code, record, message, qualification=None):
        self.add(ERROR, code, record, message, qualification)

    def record(self, record, data, schema, qualification=None):
        """Check one record's fields against a schema; return it normalised (defaults filled) or None."""
        if not isinstance(data, dict):
            self.error(BAD_SHAPE, record, f"must be an object with fields, not {type(data).__name__}", qualification)
            return None
        out = {}
        ok = True
        for name, (kind, default) in schema.items():
            if name not in data or (data[name] is None and default is REQUIRED):
                if default is REQUIRED:
                    self.error(MISSING_FIELD, record, f"the field '{name}' is missing", qualification)
                    ok = False
                    continue
                out[name] = list(default) if isinstance(default, tuple) else default
                continue
            value = data[name]
            if kind == "str":
                if value is None:
                    value = ""
                if not isinstance(value, str):
                    self.error(BAD_TYPE, record, f"'{name}' must be text, not {_label(value)}", qualification)
                    ok = False
                    continue
                if default is REQUIRED and not value.strip():
                    self.error(MISSING_FIELD, record, f"the field '{name}' is empty", qualification)
                    ok = False
                    continue
            elif kind == "str?":
                if value is not None and not isinstance(value, str):
                    self.error(BAD_TYPE, record, f"'{name}' must be text or null, not {_label(value)}", qualification)
                    ok = False
                    continue
            elif kind == "int?":
                if value is not None and not _is_int(value):
                    self.error(BAD_TYPE, record, f"'{name}' must be a whole number or null, not {_label(value)}",
                               qualification)
                    ok = False
                    continue
                if value is not None and value < 0:
                    self.error(NEGATIVE_NUMBER, record, f"'{name}' is {value}: it must be 0 or more", qualification)
                    ok = False
                    continue
            elif kind == "bool":
                if value is None:
                    value = default
                if not isinstance(value, bool):
                    self.error(BAD_TYPE, record, f"'{name}' must be true or false, not {_label(value)}", qualification)
                    ok = False
                    continue
            elif kind == "bool?":
                if value is not None and not isinstance(value, bool):
                    self.error(BAD_TYPE, record, f"'{name}' must be true, false or null, not {_label(value)}",
                               qualification)
                    ok = False
                    continue
            elif kind == "date?":
                if value is not None and not _is_iso_date(value):
                    self.error(BAD_TYPE, record, f"'{name}' must be a date as YYYY-MM-DD or null, not "
                               f"{_label(value)}", qualification)
                    ok = False
                    continue
            elif kind == "list":
                if value is None:
                    value = []
                if not isinstance(value, list):
                    self.error(BAD_TYPE, record, f"'{name}' must be a list, not {_label(value)}", qualification)
                    ok = False
                    continue
            elif kind == "dict":
                if not isinstance(value, dict):
                    self.error(BAD_TYPE, record, f"'{name}' must be an object, not {_label(value)}", qualification)
                    ok = False
                    continue
            out[name] = value
        return out if ok else None

    def children(self, record, data, key):
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(BAD_TYPE, record, f"'{key}' must be a list, not {_label(value)}")
            return []
        return value


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
        conditions = [c.record(f"{qrec} entry condition #{i}", raw, ENTRY_CONDITION_FIELDS, code)
                      for i, raw in enumerate(q["entry_conditions"], start=1)]
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
    for key, schema_ in (("range", RANGE_FIELDS), ("evidence_requirements", EVIDENCE_FIELDS),
                         ("evidence_guide", GUIDE_FIELDS)):
        u[key] = []
        for ii, raw_i in enumerate(c.children(urec, raw_u, key), start=1):
            item = c.record(f"{urec} {key.replace('_', ' ')} #{ii}", raw_i, schema_, code)
            if item is None:
                continue
            if item["order"] is None:
                item["order"] = ii
            if key == "evidence_requirements" and not all(isinstance(x, str) for x in item["criteria"]):
                c.error(BAD_TYPE, f"{urec} evidence requirement {item['ref']}",
                        "'criteria' must be a list of criterion references (text)", code)
                continue
            u[key].append(item)
    return u


def validate_catalogue_data(data) -> list[Problem]:
    """Every problem in an export-shaped catalogue: shape first, then meaning. [] when all is well."""
    normalised, problems = normalise_catalogue(data)
    if normalised is None:
        return problems
    return check_catalogue(normalised)


def check_catalogue(data: dict) -> list[Problem]:
    """The meaning checks, over a normalised catalogue (see normalise_catalogue)."""
    c = _Checker()
    seen_codes = set()
    units_seen: dict[str, tuple[str, dict]] = {}  # ref -> (where first seen, content)

    def unit_once(unit, where):
        content = _unit_content_key(unit)
        first = units_seen.get(unit["ref"])
        if first is None:
            units_seen[unit["ref"]] = (where, content)
            _check_unit(c, content)
        elif first[1] != content:
            fields = sorted(k for k in content if content[k] != first[1].get(k))
            c.error(CONFLICTING_UNIT, f"unit {unit['ref']}",
                    f"is described differently in {first[0]} and {where} ({', '.join(fields)})")

    for q in data["qualifications"]:
        code = q["code"]
        if code in seen_codes:
            c.error(DUPLICATE_QUALIFICATION, f"qualification {code}", "the code appears more than once", code)
            continue
        seen_codes.add(code)
        _check_qualification(c, q)
        refs = set()
        for u in q["units"]:
            if u["ref"] in refs:
                continue  # reported by _check_qualification
            refs.add(u["ref"])
            unit_once(u, f"qualification {code}")
    for u in data["units"]:
        if u["ref"] in units_seen:
            first = units_seen[u["ref"]]
            if first[1] != _unit_content_key(u):
                c.error(CONFLICTING_UNIT, f"unit {u['ref']}", f"is described differently in {first[0]} and the unit list")
            else:
                c.error(DUPLICATE_UNIT, f"unit {u['ref']}", "appears more than once in the unit list")
            continue
        unit_once(u, "the unit list")
    return c.problems


def _check_qualification(c: _Checker, q: dict):
    code = q["code"]
    qrec = f"qualification {code}"
    if q["level"] not in LEVELS:
        c.error(UNKNOWN_LEVEL, qrec, f"level {_label(q['level'])} is not on the Entry 1-3 / Level 1-8 scale", code)
    groups = set()
    for g in q["groups"]:
        if g["name"] in groups:
            c.error(DUPLICATE_GROUP, f"{qrec} group {g['name']}", "the group name appears more than once", code)
        groups.add(g["name"])

    by_number: dict[str, dict] = {}
    refs = set()
    for u in q["units"]:
        urec = f"{qrec} unit {u['ref']}"
        if u["ref"] in refs:
            c.error(DUPLICATE_UNIT, urec, "the unit appears more than once in the qualification", code)
            continue
        refs.add(u["ref"])
        if u["number"] in by_number:
            c.error(DUPLICATE_UNIT_NUMBER, urec,
                    f"number {u['number']} is also the number of unit {by_number[u['number']]['ref']}: "
                    "rules could not tell them apart", code)
        else:
            by_number[u["number"]] = u
        if u["status"] not in STATUSES:
            c.error(UNKNOWN_STATUS, urec, f"status {_label(u['status'])} must be mandatory or optional", code)
        if u["group"] is not None and u["group"] not in groups:
            c.error(UNKNOWN_GROUP, urec, f"group {_label(u['group'])} is not a group of the qualification", code)
        if u["group"] is not None and u["status"] == "mandatory":
            c.error(MANDATORY_IN_GROUP, urec, f"is mandatory but sits in the optional group {_label(u['group'])}",
                    code)

    keys = set()
    for condition in q.get("entry_conditions", []):
        if condition["key"] in keys:
            c.error(DUPLICATE_ENTRY_CONDITION, f"{qrec} entry condition {condition['key']}",
                    "two entry conditions have this key", code)
        keys.add(condition["key"])
    if not q["units"]:
        c.add(WARNING, NO_UNITS, qrec, "has no units", code)
    if not q["rules_stated"]:
        c.add(WARNING, RULES_NOT_STATED, qrec,
              "the sources do not state its rules of combination, so no claim can be checked", code)
    elif not q["rules"]:
        c.add(WARNING, NO_RULES, qrec, "no rules of combination are recorded", code)

    orders = set()
    mandatory_in_rules = set()
    needs_credits = False
    needs_levels = False
    for r in q["rules"]:
        rrec = f"{qrec} rule {r['order']}"
        if r["order"] in orders:
            c.error(DUPLICATE_RULE, rrec, "two rules have this order number", code)
        orders.add(r["order"])
        if not r["is_complete"]:
            reason = r["incomplete_reason"] or "the source does not give it in full"
            c.add(WARNING, RULE_INCOMPLETE, rrec, f"is incomplete: {reason}", code)
        spec = RULE_PARAMS.get(r["kind"])
        if spec is None:
            c.error(UNKNOWN_RULE_KIND, rrec,
                    f"kind {_label(r['kind'])} is not one of {', '.join(sorted(RULE_PARAMS))}", code)
            continue
        params = r["params"]
        if not _check_params(c, rrec, code, r, spec, groups):
            continue
        if r["kind"] in CREDIT_RULE_KINDS or (
            r["kind"] == "group_minimum" and (params.get("min_credits") is not None or params.get("max_credits") is not None)
        ):
            needs_credits = True
        if r["kind"] == "min_credits_at_level":
            needs_levels = True
        for number in params.get("units", []) if r["kind"] != "group_minimum" else []:
            if number not in by_number:
                if r["kind"] == "mandatory_units":
                    c.error(MANDATORY_UNIT_MISSING, rrec, f"mandatory unit {number} is not a unit of the qualification",
                            code)
                else:
                    c.error(RULE_UNIT_OUTSIDE, rrec, f"names unit {number}, which is not in the qualification", code)
            elif r["kind"] == "mandatory_units":
                mandatory_in_rules.add(number)
                if by_number[number]["status"] != "mandatory":
                    c.error(MANDATORY_STATUS_MISMATCH, rrec,
                            f"makes unit {number} mandatory but the qualification lists it as optional", code)
    if any(r["kind"] == "mandatory_units" for r in q["rules"]):
        for number, u in by_number.items():
            if u["status"] == "mandatory" and number not in mandatory_in_rules:
                c.add(WARNING, MANDATORY_NOT_IN_RULE, f"{qrec} unit {u['ref']}",
                      "is listed as mandatory but no mandatory-units rule names it", code, blocks=False)
    if needs_credits:
        for u in q["units"]:
            if u["credits"] is None:
                c.add(WARNING, MISSING_CREDITS, f"{qrec} unit {u['ref']}",
                      "has no credit value, and the rules of combination count credits", code)
    if needs_levels:
        for u in q["units"]:
            if not u["level"]:
                c.add(WARNING, MISSING_LEVEL, f"{qrec} unit {u['ref']}",
                      "has no level, and a rule counts credits at a level", code)


def _check_params(c, rrec, code, rule, spec, groups) -> bool:
    params = rule["params"]
    ok = True
    for name in params:
        if name not in spec:
            c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' is not used by a {rule['kind']} rule "
                    f"(expected {', '.join(spec)})", code)
            ok = False
    for name, (kind, required) in spec.items():
        value = params.get(name)
        if value is None:
            # an incomplete rule may lack what the source lost (it is a warning, reported above)
            if required and rule["is_complete"]:
                what = "is missing" if name not in params else "is empty"
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' {what} "
                        "(mark the rule incomplete if the source lost it)", code)
                ok = False
            continue
        if kind in ("credits", "count"):
            if not _is_int(value) or value < 0:
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' must be a whole number, 0 or more, "
                        f"not {_label(value)}", code)
                ok = False
        elif kind == "level":
            if value not in LEVELS:
                c.error(UNKNOWN_LEVEL, rrec, f"level {_label(value)} is not on the Entry 1-3 / Level 1-8 scale", code)
                ok = False
        elif kind == "str":
            if not isinstance(value, str) or (required and not value):
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' must be text, not {_label(value)}", code)
                ok = False
            elif name == "group" and value not in groups:
                c.error(RULE_UNKNOWN_GROUP, rrec, f"names group {_label(value)}, which the qualification does not have",
                        code)
                ok = False
        elif kind in ("units", "pair"):
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' must be a non-empty list of unit numbers, "
                        f"not {_label(value)}", code)
                ok = False
            elif kind == "pair" and (len(value) != 2 or value[0] == value[1]):
                c.error(MALFORMED_PARAMS, rrec, f"a barred pair names exactly two different units, not {value}", code)
                ok = False
            elif len(set(value)) != len(value):
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' names a unit twice: {value}", code)
                ok = False
    if rule["kind"] == "group_minimum" and ok:
        low, high = params.get("min_units"), params.get("max_units")
        if low is not None and high is not None and low > high:
            c.error(MALFORMED_PARAMS, rrec, f"min_units {low} is more than max_units {high}", code)
            ok = False
        low, high = params.get("min_credits"), params.get("max_credits")
        if low is not None and high is not None and low > high:
            c.error(MALFORMED_PARAMS, rrec, f"min_credits {low} is more than max_credits {high}", code)
            ok = False
    return ok


def _check_unit(c: _Checker, u: dict):
    urec = f"unit {u['ref']}"
    if u["level"] and u["level"] not in LEVELS:
        c.error(UNKNOWN_LEVEL, urec, f"level {_label(u['level'])} is not on the Entry 1-3 / Level 1-8 scale")
    outcome_numbers = set()
    criterion_refs = set()
    for o in u["outcomes"]:
        orec = f"{urec} outcome {o['number']}"
        if o["number"] in outcome_numbers:
            c.error(DUPLICATE_OUTCOME, orec, "two outcomes have this number")
        outcome_numbers.add(o["number"])
        if o["kind"] not in KINDS:
            c.error(UNKNOWN_KIND, orec, f"kind {_label(o['kind'])} must be knowledge or performance")
        numbers = []
        for cr in o["criteria"]:
            if cr["ref"] in criterion_refs:
                c.error(DUPLICATE_CRITERION, f"{urec} criterion {cr['ref']}", "two criteria have this reference")
            criterion_refs.add(cr["ref"])
            if cr["kind"] not in KINDS:
                c.error(UNKNOWN_KIND, f"{urec} criterion {cr['ref']}",
                        f"kind {_label(cr['kind'])} must be knowledge or performance")
            numbers.append(cr["number"])
        _check_numbering(c, orec, numbers)
    for key, code, what in (("range", DUPLICATE_RANGE_ITEM, "range item"),
                            ("evidence_requirements", DUPLICATE_EVIDENCE_REQUIREMENT, "evidence requirement")):
        refs = set()
        for item in u[key]:
            if item["ref"] in refs:
                c.error(code, f"{urec} {what} {item['ref']}", f"two {what}s have this reference")
            refs.add(item["ref"])
        for item in u[key]:
            if item["parent"] is not None and (item["parent"] not in refs or item["parent"] == item["ref"]):
                c.error(UNKNOWN_PARENT, f"{urec} {what} {item['ref']}",
                        f"its parent {_label(item['parent'])} is not another {what} of the unit")
            if key == "range" and item["outcome"] is not None and item["outcome"] not in outcome_numbers:
                c.error(UNKNOWN_OUTCOME, f"{urec} {what} {item['ref']}",
                        f"names outcome {item['outcome']}, which the unit does not have")
            n_children = sum(1 for other in u[key] if other["parent"] == item["ref"])
            if item["min_count"] is not None and n_children and item["min_count"] > n_children:
                c.error(BAD_QUANTITY, f"{urec} {what} {item['ref']}",
                        f"asks for {item['min_count']} of its sub-items but has only {n_children}")
            if key == "evidence_requirements":
                for method in (m.strip() for m in item["method"].split(",")):
                    if method not in METHODS:
                        c.error(UNKNOWN_KIND, f"{urec} {what} {item['ref']}",
                                f"method {_label(method)} is not one of {', '.join(m for m in METHODS if m)}")
                if item["kind"] not in REQUIREMENT_KINDS:
                    c.error(UNKNOWN_KIND, f"{urec} {what} {item['ref']}",
                            f"kind {_label(item['kind'])} must be one of {', '.join(REQUIREMENT_KINDS)}")
                unknown = [ref for ref in item["criteria"] if ref not in criterion_refs]
                if unknown:
                    c.add(WARNING, EVIDENCE_UNKNOWN_CRITERION, f"{urec} {what} {item['ref']}",
                          f"names criteria the unit does not have: {', '.join(unknown)}", blocks=False)
    orders = set()
    for row in u["evidence_guide"]:
        if row["order"] in orders:
            c.error(DUPLICATE_GUIDE_ROW, f"{urec} evidence guide row {row['order']}", "two rows have this number")
        orders.add(row["order"])


def _check_numbering(c, orec, numbers):
    """Criteria are numbered 1, 2, 3... within an outcome: no gaps, no duplicates."""
    if not numbers:
        return
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        c.error(CRITERION_NUMBERING, orec, f"criterion number {', '.join(map(str, duplicates))} is used twice")
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        c.error(CRITERION_NUMBERING, orec,
                f"criterion numbering has a gap: {', '.join(map(str, missing))} missing "
                f"(numbers are {', '.join(map(str, sorted(numbers)))})")


# --- the rules in plain words -------------------------------------------------------------------

def _units_in_words(numbers):
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"unit {numbers[0]}"
    return f"units {', '.join(numbers[:-1])} and {numbers[-1]}"


def rule_in_words(kind: str, params: dict, *, is_complete: bool = True) -> str:
    """One rule of combination as a sentence a candidate understands."""
    p = params if isinstance(params, dict) else {}
    credits = p.get("credits")
    amount = f"{credits} credits" if credits is not None else "a number of credits the source does not give"
    if kind == "min_total_credits":
        return f"At least {amount} in total."
    if kind == "min_credits_from_units":
        label = f" ({p['label']})" if p.get("label") else ""
        return f"At least {amount} from {_units_in_words(p.get('units') or ['?'])}{label}."
    if kind == "min_credits_at_level":
        return f"At least {amount} from units at {p.get('level') or 'a level the source does not give'}."
    if kind == "mandatory_units":
        words = _units_in_words(p.get("units") or ["?"])
        verb = "is" if len(p.get("units") or [1]) == 1 else "are"
        return f"{words[0].upper()}{words[1:]} {verb} mandatory."
    if kind == "group_minimum":
        parts = []
        if p.get("min_units") is not None:
            parts.append(f"at least {p['min_units']} unit{'s' if p['min_units'] != 1 else ''}")
        if p.get("min_credits") is not None:
            parts.append(f"at least {p['min_credits']} credits")
        if p.get("max_units") is not None:
            parts.append(f"at most {p['max_units']} units")
        if p.get("max_credits") is not None:
            parts.append(f"at most {p['max_credits']} credits")
        return f"From the optional group \u201c{p.get('group', '?')}\u201d: {' and '.join(parts) or 'any units'}."
    if kind == "barred_pair":
        units = p.get("units") or ["?", "?"]
        return f"Unit {units[0]} cannot be taken with unit {units[-1]}."
    return f"A rule of an unknown kind ({kind})."


# --- fixture files (Django's loaddata format, natural keys) ------------------------------------

FIXTURE_MODELS = {
    # model: (fields that must be present and not empty, natural key fields)
    "qualifications.qualification": (("code", "title", "level"), ("code",)),
    "qualifications.unit": (("ref", "scheme", "number", "title"), ("ref",)),
    "qualifications.optionalgroup": (("qualification", "name"), ("qualification", "name")),
    "qualifications.qualificationunit": (("qualification", "unit", "status"), ("qualification", "unit")),
    "qualifications.rule": (("qualification", "order", "kind", "params"), ("qualification", "order")),
    "qualifications.learningoutcome": (("unit", "number", "title", "kind"), ("unit", "number")),
    "qualifications.assessmentcriterion": (("unit", "outcome", "number", "ref", "text", "kind"), ("unit", "ref")),
    "qualifications.rangeitem": (("unit", "ref", "text"), ("unit", "ref")),
    "qualifications.evidencerequirement": (("unit", "ref", "text"), ("unit", "ref")),
    "qualifications.evidenceguiderow": (("unit", "order", "evidence"), ("unit", "order")),
}
FIXTURE_CONFLICT = "fixture_conflict"
FIXTURE_UNKNOWN_REFERENCE = "fixture_unknown_reference"


def _key_part(value):
    if isinstance(value, list):
        return value[0] if len(value) == 1 else tuple(value)
    return value


@dataclass
class FixtureFile:
    """What one fixture file defines and references (filled by check_fixture_objects)."""

    name: str
    objects: list
    qualifications: set
    units: set
    referenced_qualifications: set
    referenced_units: set


def check_fixture_objects(name: str, objects) -> tuple[FixtureFile | None, list[Problem]]:
    """Check a fixture file's objects: known models, required fields, no natural key twice."""
    c = _Checker()
    if not isinstance(objects, list):
        c.error(BAD_SHAPE, name, "must hold a JSON list of objects like {\"model\": ..., \"fields\": {...}}")
        return None, c.problems
    info = FixtureFile(name, objects, set(), set(), set(), set())
    keys = {}
    for position, obj in enumerate(objects, start=1):
        where = f"{name} object {position}"
        if not isinstance(obj, dict) or not isinstance(obj.get("fields"), dict) or "model" not in obj:
            c.error(BAD_SHAPE, where, "must be an object with \"model\" and \"fields\"")
            continue
        model = obj["model"]
        if model not in FIXTURE_MODELS:
            c.error(BAD_SHAPE, where, f"model {_label(model)} is not a catalogue model")
            continue
        fields = obj["fields"]
        required, key_fields = FIXTURE_MODELS[model]
        missing = [f for f in required if fields.get(f) in (None, "", [])]
        if missing:
            c.error(MISSING_FIELD, f"{where} ({model})",
                    f"the field{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                    f"{'are' if len(missing) > 1 else 'is'} missing")
            continue
        key = tuple(_key_part(fields[f]) for f in key_fields)
        label = f"{where} ({model} {' '.join(str(k) for k in key)})"
        if (model, key) in keys:
            c.error(FIXTURE_CONFLICT, label, f"defines the same record as object {keys[(model, key)]}")
            continue
        keys[(model, key)] = position
        if model == "qualifications.qualification":
            info.qualifications.add(fields["code"])
        elif model == "qualifications.unit":
            info.units.add(fields["ref"])
        if isinstance(fields.get("qualification"), list) and fields["qualification"]:
            info.referenced_qualifications.add(fields["qualification"][0])
        if isinstance(fields.get("unit"), list) and fields["unit"]:
            info.referenced_units.add(fields["unit"][0])
    return info, c.problems


def check_fixture_set(files: list[FixtureFile], *, existing_codes=(), existing_refs=()) -> list[Problem]:
    """Across files: a record defined differently in two files, references nothing defines."""
    c = _Checker()
    defined = {}
    for f in files:
        for position, obj in enumerate(f.objects, start=1):
            model = obj["model"]
            key = tuple(_key_part(obj["fields"][k]) for k in FIXTURE_MODELS[model][1])
            first = defined.get((model, key))
            if first is None:
                defined[(model, key)] = (f.name, position, obj["fields"])
            elif first[0] != f.name and first[2] != obj["fields"]:
                differing = sorted(k for k in obj["fields"] if obj["fields"][k] != first[2].get(k))
                c.error(FIXTURE_CONFLICT, f"{f.name} object {position} ({model} {' '.join(map(str, key))})",
                        f"differs from {first[0]} object {first[1]} ({', '.join(differing)}); "
                        "a record may only be defined differently in one file")
    codes = set(existing_codes).union(*(f.qualifications for f in files))
    refs = set(existing_refs).union(*(f.units for f in files))
    for f in files:
        for code in sorted(f.referenced_qualifications - codes):
            c.error(FIXTURE_UNKNOWN_REFERENCE, f.name, f"refers to qualification {code}, which no fixture defines")
        for ref in sorted(f.referenced_units - refs):
            c.error(FIXTURE_UNKNOWN_REFERENCE, f.name, f"refers to unit {ref}, which no fixture defines")
    return c.problems


PREFERRED_FIXTURE_ORDER = ["4411.json", "2006-L3.json", "4430-04.json", "4430-02.json"]


def fixture_load_order(files: list[FixtureFile]) -> list[FixtureFile]:
    """Files that refer to units or qualifications another file defines load after that file.

    Ties keep the handbook order (4411, 2006-L3, 4430-04, 4430-02), then the rest by name.
    """
    def rank(f):
        base = f.name.rsplit("/", 1)[-1]
        return (PREFERRED_FIXTURE_ORDER.index(base) if base in PREFERRED_FIXTURE_ORDER else len(PREFERRED_FIXTURE_ORDER),
                base)

    pending = sorted(files, key=rank)
    ordered = []
    while pending:
        for f in pending:
            needs = (f.referenced_units - f.units, f.referenced_qualifications - f.qualifications)
            blocked = any(
                (needs[0] & other.units) or (needs[1] & other.qualifications) for other in pending if other is not f
            )
            if not blocked:
                break
        else:
            f = pending[0]  # a cycle: loaddata resolves forward references inside one transaction anyway
        pending.remove(f)
        ordered.append(f)
    return ordered

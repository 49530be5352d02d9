"""The meaning checks over a normalised catalogue: every error and warning, one by one."""

from __future__ import annotations

from ..levels import LEVELS, SCALE
from ..methods import METHODS, is_known_method
from ..rule_kinds import rule_kind
from .problems import (
    BAD_QUANTITY,
    CONFLICTING_UNIT,
    CRITERION_NUMBERING,
    DUPLICATE_CRITERION,
    DUPLICATE_ENTRY_CONDITION,
    DUPLICATE_EVIDENCE_REQUIREMENT,
    DUPLICATE_GROUP,
    DUPLICATE_GUIDE_ROW,
    DUPLICATE_OUTCOME,
    DUPLICATE_QUALIFICATION,
    DUPLICATE_RANGE_ITEM,
    DUPLICATE_RULE,
    DUPLICATE_UNIT,
    DUPLICATE_UNIT_NUMBER,
    EVIDENCE_UNKNOWN_CRITERION,
    MALFORMED_PARAMS,
    MANDATORY_IN_GROUP,
    MANDATORY_NOT_IN_RULE,
    MANDATORY_STATUS_MISMATCH,
    MANDATORY_UNIT_MISSING,
    MISSING_CREDITS,
    MISSING_LEVEL,
    NO_RULES,
    NO_UNITS,
    RULE_INCOMPLETE,
    RULE_UNIT_OUTSIDE,
    RULE_UNKNOWN_GROUP,
    RULES_NOT_STATED,
    UNKNOWN_GROUP,
    UNKNOWN_KIND,
    UNKNOWN_LEVEL,
    UNKNOWN_OUTCOME,
    UNKNOWN_PARENT,
    UNKNOWN_RULE_KIND,
    UNKNOWN_STATUS,
    WARNING,
    Problem,
    _Checker,
    _is_int,
    _label,
)
from .schema import (
    KINDS,
    REQUIREMENT_KINDS,
    RULE_PARAMS,
    STATUSES,
    _unit_content_key,
    normalise_catalogue,
)


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
            c.error(
                CONFLICTING_UNIT,
                f"unit {unit['ref']}",
                f"is described differently in {first[0]} and {where} ({', '.join(fields)})",
            )

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
                c.error(
                    CONFLICTING_UNIT,
                    f"unit {u['ref']}",
                    f"is described differently in {first[0]} and the unit list",
                )
            else:
                c.error(DUPLICATE_UNIT, f"unit {u['ref']}", "appears more than once in the unit list")
            continue
        unit_once(u, "the unit list")
    return c.problems


def _check_qualification(c: _Checker, q: dict):
    code = q["code"]
    qrec = f"qualification {code}"
    if q["level"] not in LEVELS:
        c.error(UNKNOWN_LEVEL, qrec, f"level {_label(q['level'])} is not on {SCALE}", code)
    groups = set()
    for g in q["groups"]:
        if g["name"] in groups:
            c.error(
                DUPLICATE_GROUP, f"{qrec} group {g['name']}", "the group name appears more than once", code
            )
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
            c.error(
                DUPLICATE_UNIT_NUMBER,
                urec,
                f"number {u['number']} is also the number of unit {by_number[u['number']]['ref']}: "
                "rules could not tell them apart",
                code,
            )
        else:
            by_number[u["number"]] = u
        if u["status"] not in STATUSES:
            c.error(UNKNOWN_STATUS, urec, f"status {_label(u['status'])} must be mandatory or optional", code)
        if u["group"] is not None and u["group"] not in groups:
            c.error(
                UNKNOWN_GROUP, urec, f"group {_label(u['group'])} is not a group of the qualification", code
            )
        if u["group"] is not None and u["status"] == "mandatory":
            c.error(
                MANDATORY_IN_GROUP,
                urec,
                f"is mandatory but sits in the optional group {_label(u['group'])}",
                code,
            )

    keys = set()
    for condition in q.get("entry_conditions", []):
        if condition["key"] in keys:
            c.error(
                DUPLICATE_ENTRY_CONDITION,
                f"{qrec} entry condition {condition['key']}",
                "two entry conditions have this key",
                code,
            )
        keys.add(condition["key"])
    if not q["units"]:
        c.add(WARNING, NO_UNITS, qrec, "has no units", code)
    if not q["rules_stated"]:
        c.add(
            WARNING,
            RULES_NOT_STATED,
            qrec,
            "the sources do not state its rules of combination, so no claim can be checked",
            code,
        )
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
        kind = rule_kind(r["kind"])
        if kind is None:
            c.error(
                UNKNOWN_RULE_KIND,
                rrec,
                f"kind {_label(r['kind'])} is not one of {', '.join(sorted(RULE_PARAMS))}",
                code,
            )
            continue
        if not _check_params(c, rrec, code, r, kind, groups):
            continue
        needs_credits = needs_credits or kind.needs_credits(r["params"])
        needs_levels = needs_levels or kind.needs_levels
        _check_rule_units(c, rrec, code, r, kind, by_number, mandatory_in_rules)
    if any(getattr(rule_kind(r["kind"]), "makes_mandatory", False) for r in q["rules"]):
        for number, u in by_number.items():
            if u["status"] == "mandatory" and number not in mandatory_in_rules:
                c.add(
                    WARNING,
                    MANDATORY_NOT_IN_RULE,
                    f"{qrec} unit {u['ref']}",
                    "is listed as mandatory but no mandatory-units rule names it",
                    code,
                    blocks=False,
                )
    if needs_credits:
        for u in q["units"]:
            if u["credits"] is None:
                c.add(
                    WARNING,
                    MISSING_CREDITS,
                    f"{qrec} unit {u['ref']}",
                    "has no credit value, and the rules of combination count credits",
                    code,
                )
    if needs_levels:
        for u in q["units"]:
            if not u["level"]:
                c.add(
                    WARNING,
                    MISSING_LEVEL,
                    f"{qrec} unit {u['ref']}",
                    "has no level, and a rule counts credits at a level",
                    code,
                )


def _check_rule_units(c, rrec, code, rule, kind, by_number, mandatory_in_rules) -> None:
    """The units a rule names are units of the qualification (and, for a mandatory one, listed as mandatory)."""
    for number in rule["params"].get("units", []) if "units" in kind.params else []:
        if number not in by_number:
            if kind.makes_mandatory:
                c.error(
                    MANDATORY_UNIT_MISSING,
                    rrec,
                    f"mandatory unit {number} is not a unit of the qualification",
                    code,
                )
            else:
                c.error(
                    RULE_UNIT_OUTSIDE, rrec, f"names unit {number}, which is not in the qualification", code
                )
        elif kind.makes_mandatory:
            mandatory_in_rules.add(number)
            if by_number[number]["status"] != "mandatory":
                c.error(
                    MANDATORY_STATUS_MISMATCH,
                    rrec,
                    f"makes unit {number} mandatory but the qualification lists it as optional",
                    code,
                )


def _check_params(c, rrec, code, rule, rule_class, groups) -> bool:
    params = rule["params"]
    spec = rule_class.params
    ok = True
    for name in params:
        if name not in spec:
            c.error(
                MALFORMED_PARAMS,
                rrec,
                f"parameter '{name}' is not used by a {rule['kind']} rule (expected {', '.join(spec)})",
                code,
            )
            ok = False
    for name, (kind, required) in spec.items():
        value = params.get(name)
        if value is None:
            # an incomplete rule may lack what the source lost (it is a warning, reported above)
            if required and rule["is_complete"]:
                what = "is missing" if name not in params else "is empty"
                c.error(
                    MALFORMED_PARAMS,
                    rrec,
                    f"parameter '{name}' {what} (mark the rule incomplete if the source lost it)",
                    code,
                )
                ok = False
            continue
        if kind in ("credits", "count"):
            if not _is_int(value) or value < 0:
                c.error(
                    MALFORMED_PARAMS,
                    rrec,
                    f"parameter '{name}' must be a whole number, 0 or more, not {_label(value)}",
                    code,
                )
                ok = False
        elif kind == "level":
            if value not in LEVELS:
                c.error(UNKNOWN_LEVEL, rrec, f"level {_label(value)} is not on {SCALE}", code)
                ok = False
        elif kind == "str":
            if not isinstance(value, str) or (required and not value):
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' must be text, not {_label(value)}", code)
                ok = False
            elif name == "group" and value not in groups:
                c.error(
                    RULE_UNKNOWN_GROUP,
                    rrec,
                    f"names group {_label(value)}, which the qualification does not have",
                    code,
                )
                ok = False
        elif kind in ("units", "pair"):
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                c.error(
                    MALFORMED_PARAMS,
                    rrec,
                    f"parameter '{name}' must be a non-empty list of unit numbers, not {_label(value)}",
                    code,
                )
                ok = False
            elif kind == "pair" and (len(value) != 2 or value[0] == value[1]):
                c.error(
                    MALFORMED_PARAMS,
                    rrec,
                    f"a barred pair names exactly two different units, not {value}",
                    code,
                )
                ok = False
            elif len(set(value)) != len(value):
                c.error(MALFORMED_PARAMS, rrec, f"parameter '{name}' names a unit twice: {value}", code)
                ok = False
    if ok:
        for message in rule_class.params_problems(params):
            c.error(MALFORMED_PARAMS, rrec, message, code)
            ok = False
    return ok


def _check_unit(c: _Checker, u: dict):
    urec = f"unit {u['ref']}"
    if u["level"] and u["level"] not in LEVELS:
        c.error(UNKNOWN_LEVEL, urec, f"level {_label(u['level'])} is not on {SCALE}")
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
                c.error(
                    DUPLICATE_CRITERION, f"{urec} criterion {cr['ref']}", "two criteria have this reference"
                )
            criterion_refs.add(cr["ref"])
            if cr["kind"] not in KINDS:
                c.error(
                    UNKNOWN_KIND,
                    f"{urec} criterion {cr['ref']}",
                    f"kind {_label(cr['kind'])} must be knowledge or performance",
                )
            numbers.append(cr["number"])
        _check_numbering(c, orec, numbers)
    for key, code, what in (
        ("range", DUPLICATE_RANGE_ITEM, "range item"),
        ("evidence_requirements", DUPLICATE_EVIDENCE_REQUIREMENT, "evidence requirement"),
    ):
        refs = set()
        for item in u[key]:
            if item["ref"] in refs:
                c.error(code, f"{urec} {what} {item['ref']}", f"two {what}s have this reference")
            refs.add(item["ref"])
        for item in u[key]:
            if item["parent"] is not None and (item["parent"] not in refs or item["parent"] == item["ref"]):
                c.error(
                    UNKNOWN_PARENT,
                    f"{urec} {what} {item['ref']}",
                    f"its parent {_label(item['parent'])} is not another {what} of the unit",
                )
            if key == "range" and item["outcome"] is not None and item["outcome"] not in outcome_numbers:
                c.error(
                    UNKNOWN_OUTCOME,
                    f"{urec} {what} {item['ref']}",
                    f"names outcome {item['outcome']}, which the unit does not have",
                )
            n_children = sum(1 for other in u[key] if other["parent"] == item["ref"])
            if item["min_count"] is not None and n_children and item["min_count"] > n_children:
                c.error(
                    BAD_QUANTITY,
                    f"{urec} {what} {item['ref']}",
                    f"asks for {item['min_count']} of its sub-items but has only {n_children}",
                )
            if key == "evidence_requirements":
                for method in (m.strip() for m in item["method"].split(",")):
                    if not is_known_method(method):
                        c.error(
                            UNKNOWN_KIND,
                            f"{urec} {what} {item['ref']}",
                            f"method {_label(method)} is not one of {', '.join(name for name, _ in METHODS)}",
                        )
                if item["kind"] not in REQUIREMENT_KINDS:
                    c.error(
                        UNKNOWN_KIND,
                        f"{urec} {what} {item['ref']}",
                        f"kind {_label(item['kind'])} must be one of {', '.join(REQUIREMENT_KINDS)}",
                    )
                unknown = [ref for ref in item["criteria"] if ref not in criterion_refs]
                if unknown:
                    c.add(
                        WARNING,
                        EVIDENCE_UNKNOWN_CRITERION,
                        f"{urec} {what} {item['ref']}",
                        f"names criteria the unit does not have: {', '.join(unknown)}",
                        blocks=False,
                    )
    orders = set()
    for row in u["evidence_guide"]:
        if row["order"] in orders:
            c.error(
                DUPLICATE_GUIDE_ROW, f"{urec} evidence guide row {row['order']}", "two rows have this number"
            )
        orders.add(row["order"])


def _check_numbering(c, orec, numbers):
    """Criteria are numbered 1, 2, 3... within an outcome: no gaps, no duplicates."""
    if not numbers:
        return
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        c.error(
            CRITERION_NUMBERING, orec, f"criterion number {', '.join(map(str, duplicates))} is used twice"
        )
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        c.error(
            CRITERION_NUMBERING,
            orec,
            f"criterion numbering has a gap: {', '.join(map(str, missing))} missing "
            f"(numbers are {', '.join(map(str, sorted(numbers)))})",
        )

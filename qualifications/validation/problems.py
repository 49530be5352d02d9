"""Problems found in catalogue data: their severities and codes (tests import them), and the checker that
collects them while reading a record against its schema."""

from __future__ import annotations

from dataclasses import dataclass

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
BAD_QUANTITY = "bad_quantity"

REQUIRED = object()  # a schema default: the field must be given


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
            self.error(
                BAD_SHAPE, record, f"must be an object with fields, not {type(data).__name__}", qualification
            )
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
                    self.error(
                        BAD_TYPE, record, f"'{name}' must be text or null, not {_label(value)}", qualification
                    )
                    ok = False
                    continue
            elif kind == "int?":
                if value is not None and not _is_int(value):
                    self.error(
                        BAD_TYPE,
                        record,
                        f"'{name}' must be a whole number or null, not {_label(value)}",
                        qualification,
                    )
                    ok = False
                    continue
                if value is not None and value < 0:
                    self.error(
                        NEGATIVE_NUMBER, record, f"'{name}' is {value}: it must be 0 or more", qualification
                    )
                    ok = False
                    continue
            elif kind == "bool":
                if value is None:
                    value = default
                if not isinstance(value, bool):
                    self.error(
                        BAD_TYPE,
                        record,
                        f"'{name}' must be true or false, not {_label(value)}",
                        qualification,
                    )
                    ok = False
                    continue
            elif kind == "bool?":
                if value is not None and not isinstance(value, bool):
                    self.error(
                        BAD_TYPE,
                        record,
                        f"'{name}' must be true, false or null, not {_label(value)}",
                        qualification,
                    )
                    ok = False
                    continue
            elif kind == "date?":
                if value is not None and not _is_iso_date(value):
                    self.error(
                        BAD_TYPE,
                        record,
                        f"'{name}' must be a date as YYYY-MM-DD or null, not {_label(value)}",
                        qualification,
                    )
                    ok = False
                    continue
            elif kind == "list":
                if value is None:
                    value = []
                if not isinstance(value, list):
                    self.error(
                        BAD_TYPE, record, f"'{name}' must be a list, not {_label(value)}", qualification
                    )
                    ok = False
                    continue
            elif kind == "dict":
                if not isinstance(value, dict):
                    self.error(
                        BAD_TYPE, record, f"'{name}' must be an object, not {_label(value)}", qualification
                    )
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

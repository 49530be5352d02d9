"""The rules of combination: explainable verdicts over plain data.

Plain Python, no Django inside (qualifications/specs.py adapts the ORM). A qualification is described
by a QualificationSpec (its units as members of it, and its rules as typed data, see the Rule model
docstring); `evaluate()` says whether a set of units achieves it, rule by rule, in words a centre admin
understands; `qualifications.planner.plan()` finds the cheapest way to finish (the planner sits above
this module and imports it, never the other way round).

Readings adopted (../shared/DOMAIN.md):
- a level minimum counts every unit at that level, mandatory ones included;
- "a further N credits" is the remainder of the total, not a cap (fixtures do not store it as a cap);
- a claim holding both units of a barred pair is invalid;
- units outside the qualification count for nothing and are reported;
- an unknown credit value, an incomplete rule or a qualification whose rules the sources do not state
  give "cannot decide" with the reason, never a false yes. A rule that is definitely not met still
  gives a definite no, whatever else is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .levels import LEVELS, level_rank  # noqa: F401 - the one definition (plain Python, like this module)
from .rule_kinds import (  # noqa: F401 - each kind's meaning lives in its class there; re-exported here
    BARRED_PAIR,
    GROUP_MINIMUM,
    MANDATORY_UNITS,
    MIN_CREDITS_AT_LEVEL,
    MIN_CREDITS_FROM_UNITS,
    MIN_TOTAL_CREDITS,
    RULE_KINDS,
    _at_least,
    _plural,
    _sum_over,
    level_words,
    number_key,
    numbers_text,
    rule_kind,
)

ACHIEVED = "achieved"
NOT_ACHIEVED = "not_achieved"
CANNOT_DECIDE = "cannot_decide"

RULES_NOT_STATED = "the sources give no rules of combination for {code}, so whether a set of units achieves it cannot be decided"
RULE_INCOMPLETE = "this rule cannot be checked: {reason}"
RULE_INCOMPLETE_DEFAULT_REASON = "part of it was lost from the handbook"
UNKNOWN_RULE_KIND = "rule {order} is of a kind this system does not know ({kind}), so it cannot be checked"


@dataclass(frozen=True)
class UnitSpec:
    """A unit as a member of one qualification."""

    number: str  # the handbook's number inside the qualification, e.g. "401"
    ref: str  # catalogue-unique, e.g. "4430-401"
    title: str
    level: str  # "Entry 3", "Level 4", ... ("" if unknown)
    credits: int | None  # None: the source lost it
    glh: int | None
    status: str  # "mandatory" | "optional"
    group: str | None = None
    assessable: bool = True  # False: the catalogue holds no criteria for it (import its content first)


@dataclass(frozen=True)
class UnitInfo:
    """A unit of the catalogue reported as outside a qualification (it counts for nothing there)."""

    ref: str
    title: str = ""
    level: str = ""
    credits: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    order: int
    kind: str
    params: Mapping
    text: str = ""
    is_complete: bool = True
    incomplete_reason: str = ""


@dataclass(frozen=True)
class QualificationSpec:
    code: str
    title: str
    level: str
    rules_stated: bool
    units: tuple[UnitSpec, ...]
    rules: tuple[RuleSpec, ...]
    groups: tuple[str, ...] = ()  # optional group names in the handbook's order (optional)

    def unit_by_number(self, number: str) -> UnitSpec | None:
        return self._compiled.by_number.get(number)

    def unit_by_ref(self, ref: str) -> UnitSpec | None:
        return self._compiled.by_ref.get(ref)

    def resolve(self, token: str) -> UnitSpec | None:
        """A unit of this qualification named by its ref ("4430-401") or its number ("401"), else None."""
        compiled = self._compiled
        token = token.strip()
        return compiled.by_ref.get(token) or compiled.by_number.get(token)

    @property
    def is_decidable(self) -> bool:
        """False when no verdict on this qualification can ever be a yes (rules unstated or incomplete)."""
        return self.rules_stated and all(r.is_complete and r.kind in RULE_KINDS for r in self.rules)

    @cached_property
    def _compiled(self) -> _Compiled:
        # cached_property writes to the instance __dict__ directly, so it works on a frozen dataclass.
        return _Compiled(self)


class _Compiled:
    """Lookups and per-rule unit sets, worked out once per spec so that a verdict is cheap."""

    def __init__(self, spec: QualificationSpec):
        units = sorted(spec.units, key=lambda u: number_key(u.number))
        self.units = tuple(units)
        self.by_ref = {u.ref: u for u in units}
        self.by_number = {u.number: u for u in units}
        group_order = list(spec.groups)
        for u in units:
            if u.group and u.group not in group_order:
                group_order.append(u.group)
        self.group_order = group_order
        self.group_units = {g: [u for u in units if u.group == g] for g in group_order}
        self.levels = sorted({u.level for u in units if u.level}, key=level_rank)
        self.mandatory_status = [u for u in units if u.status == "mandatory"]
        # Per rule: the member units it names (numbers unknown to the qualification are ignored here;
        # validate_catalogue reports them).
        self.rule_units: list[tuple[UnitSpec, ...]] = []
        self.barred_partners: dict[str, set[str]] = {}
        for rule in spec.rules:
            kind = rule_kind(rule.kind)
            members = kind.members(rule.params or {}, self) if kind else tuple(units)
            self.rule_units.append(members)
            for a, b in kind.barred_pairs(members) if kind else ():
                self.barred_partners.setdefault(a.ref, set()).add(b.ref)
                self.barred_partners.setdefault(b.ref, set()).add(a.ref)
        self.rank = {u.ref: i for i, u in enumerate(units)}
        self.checkers = [
            _make_checker(rule, members, self)
            for rule, members in zip(spec.rules, self.rule_units, strict=True)
        ]


@dataclass(slots=True)
class RuleResult:
    rule: str  # the rule's kind
    met: bool | None  # None: cannot be decided
    message: str
    order: int = 0
    text: str = ""  # the handbook's wording

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "order": self.order,
            "met": self.met,
            "message": self.message,
            "text": self.text,
        }


@dataclass
class Verdict:
    qualification: str
    status: str
    achieved: bool
    total_credits: int
    credits_by_level: dict[str, int]
    rules: list[RuleResult]
    unmet: list[RuleResult]
    outside_units: list[str]
    reasons: list[str] = field(default_factory=list)
    counted_units: list[str] = field(default_factory=list)  # refs of the qualification's own units
    unknown_credit_units: list[str] = field(default_factory=list)  # numbers whose credit value is unknown
    outside_details: list[UnitInfo] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "qualification": self.qualification,
            "achieved": self.achieved,
            "status": self.status,
            "total_credits": self.total_credits,
            "credits_by_level": dict(self.credits_by_level),
            "unmet": [{"rule": r.rule, "message": r.message} for r in self.unmet],
            "outside_units": list(self.outside_units),
            "rules": [r.to_dict() for r in self.rules],
            "reasons": list(self.reasons),
            "counted_units": list(self.counted_units),
            "unknown_credit_units": list(self.unknown_credit_units),
        }


def _make_checker(rule: RuleSpec, members: tuple[UnitSpec, ...], compiled: _Compiled):
    """A function claimed -> (met, message) for one rule, with everything static worked out now."""
    if not rule.is_complete:
        message = RULE_INCOMPLETE.format(reason=rule.incomplete_reason or RULE_INCOMPLETE_DEFAULT_REASON)
        return lambda claimed: (None, message)
    kind = rule_kind(rule.kind)
    if kind is None:
        message = UNKNOWN_RULE_KIND.format(order=rule.order, kind=rule.kind)
        return lambda claimed: (None, message)
    return kind.checker(rule.params or {}, members, compiled)


def evaluate(
    spec: QualificationSpec, unit_refs: Iterable[str], *, outside: Iterable[UnitInfo | str] = ()
) -> Verdict:
    """Whether the units claimed (catalogue refs, or numbers inside the qualification) achieve `spec`.

    Refs that are not units of the qualification are reported in outside_units and count for nothing;
    `outside` adds more such units (UnitInfo gives the command a title to print).
    """
    compiled = spec._compiled
    claimed: dict[str, UnitSpec] = {}
    outside_details: dict[str, UnitInfo] = {}
    for token in unit_refs:
        unit = compiled.by_ref.get(token) or compiled.by_number.get(token)
        if unit is not None:
            claimed[unit.ref] = unit
        elif token not in outside_details:
            outside_details[token] = UnitInfo(ref=token)
    for item in outside:
        info = UnitInfo(ref=item) if isinstance(item, str) else item
        if info.ref not in claimed:
            outside_details[info.ref] = info

    credits_by_level = dict.fromkeys(compiled.levels, 0)
    total = 0
    unknown_numbers = []
    for unit in claimed.values():
        if unit.credits is None:
            unknown_numbers.append(unit.number)
        else:
            total += unit.credits
            credits_by_level[unit.level] = credits_by_level.get(unit.level, 0) + unit.credits

    results: list[RuleResult] = []
    reasons: list[str] = []
    any_false = any_none = False
    for rule, check in zip(spec.rules, compiled.checkers, strict=True):
        met, message = check(claimed)
        if met is False:
            any_false = True
        elif met is None:
            any_none = True
            reasons.append(message)
        results.append(RuleResult(rule=rule.kind, met=met, message=message, order=rule.order, text=rule.text))
    if not spec.rules_stated:
        any_none = True
        reasons.insert(0, RULES_NOT_STATED.format(code=spec.code))
        # Listed among the rules too, so a reader of `unmet` alone sees why there is no yes.
        results.insert(0, RuleResult(rule="rules_not_stated", met=None, message=reasons[0], order=0, text=""))

    if any_false:
        status = NOT_ACHIEVED
    elif any_none:
        status = CANNOT_DECIDE
    else:
        status = ACHIEVED
    counted = sorted(claimed, key=compiled.rank.__getitem__)
    return Verdict(
        qualification=spec.code,
        status=status,
        achieved=status == ACHIEVED,
        total_credits=total,
        credits_by_level=credits_by_level,
        rules=results,
        unmet=[r for r in results if r.met is not True],
        outside_units=list(outside_details),
        reasons=reasons,
        counted_units=counted,
        unknown_credit_units=sorted(unknown_numbers, key=number_key),
        outside_details=list(outside_details.values()),
    )


@dataclass
class Plan:
    """The planner's answer. See qualifications/planner.py for the objective."""

    feasible: bool
    reason: str
    add: list[UnitSpec]
    claim: list[str]
    added_credits: int
    added_glh: int
    verdict: Verdict | None
    committed: list[str] = field(default_factory=list)  # in-progress / chosen units kept in the plan
    dropped: list[str] = field(default_factory=list)  # held units not to claim
    dropped_reasons: list[str] = field(default_factory=list)
    outside_units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "qualification": self.verdict.qualification if self.verdict else None,
            "feasible": self.feasible,
            "reason": self.reason,
            "add": [
                {
                    "number": u.number,
                    "ref": u.ref,
                    "title": u.title,
                    "level": u.level,
                    "credits": u.credits,
                    "glh": u.glh,
                    "group": u.group,
                    "status": u.status,
                    "assessable": u.assessable,
                }
                for u in self.add
            ],
            "added_credits": self.added_credits,
            "added_glh": self.added_glh,
            "claim": list(self.claim),
            "committed": list(self.committed),
            "dropped": list(self.dropped),
            "dropped_reasons": list(self.dropped_reasons),
            "outside_units": list(self.outside_units),
            "notes": list(self.notes),
            "verdict": self.verdict.to_dict() if self.verdict else None,
        }


STATUS_WORDS = {ACHIEVED: "ACHIEVED", NOT_ACHIEVED: "NOT ACHIEVED", CANNOT_DECIDE: "CANNOT DECIDE"}
MET_WORDS = {True: "met        ", False: "NOT MET    ", None: "cannot tell"}


def _credits_line(verdict: Verdict, lead: str = "Total credits") -> str:
    levels = ", ".join(
        f"{level or 'level not recorded'}: {credits}"
        for level, credits in verdict.credits_by_level.items()
        if credits
    )
    return f"{lead}: {verdict.total_credits}" + (f" ({levels})" if levels else "")


def verdict_text(spec: QualificationSpec, verdict: Verdict) -> str:
    """The verdict as readable text (what `check_rules` prints without --json)."""
    lines = [f"{spec.code} {spec.title}", f"Result: {STATUS_WORDS[verdict.status]}"]
    counted = [spec.unit_by_ref(ref).number for ref in verdict.counted_units]
    lines.append(f"Units counted: {', '.join(counted) if counted else 'none'}")
    lines.append(_credits_line(verdict))
    if verdict.unknown_credit_units:
        lines.append(f"Credit value not recorded for: {', '.join(verdict.unknown_credit_units)}")
    if verdict.rules:
        lines.append("Rules of combination:")
        lines += [f"  {MET_WORDS[r.met]}  {r.message}" for r in verdict.rules]
    if verdict.outside_details:
        lines.append("Not units of this qualification (they count for nothing here):")
        lines += [f"  {u.ref} {u.title}".rstrip() for u in verdict.outside_details]
    if verdict.reasons:
        lines.append("Why this cannot be decided:")
        lines += [f"  {reason}" for reason in verdict.reasons]
    return "\n".join(lines)


def plan_text(spec: QualificationSpec, result: Plan) -> str:
    """The plan as readable text (what `plan_completion` prints without --json)."""
    lines = [f"{spec.code} {spec.title}"]
    numbers = [spec.unit_by_ref(ref).number for ref in result.claim]
    lines.append(f"Achieved units to claim: {', '.join(numbers) if numbers else 'none'}")
    if result.committed:
        lines.append(
            "Units in progress or chosen: "
            + ", ".join(spec.unit_by_ref(ref).number for ref in result.committed)
        )
    if result.dropped_reasons:
        lines.append("Achieved units not to claim:")
        lines += [f"  {reason}" for reason in result.dropped_reasons]
    if result.outside_units:
        lines.append(f"Not units of this qualification (ignored): {', '.join(result.outside_units)}")
    if not result.feasible:
        lines.append(result.reason)
    elif result.add:
        lines.append(
            f"Units to add: {len(result.add)} ({result.added_credits} credits, {result.added_glh} guided "
            f"learning hours):"
        )
        for u in result.add:
            where = u.group if u.group else u.status
            lines.append(
                f"  {u.number}  {u.title} ({u.level}, {where}): {u.credits} credits, "
                f"{u.glh if u.glh is not None else '?'} GLH"
            )
    else:
        lines.append("Units to add: none")
    if result.feasible and result.reason:
        lines.append(result.reason)
    lines += result.notes
    if result.verdict is not None:
        lines.append(
            f"With this plan: {STATUS_WORDS[result.verdict.status]}; "
            f"{_credits_line(result.verdict, 'total credits')}"
        )
        lines += [f"  {MET_WORDS[r.met]}  {r.message}" for r in result.verdict.unmet]
    return "\n".join(lines)

"""Is a unit ready to sign off? Plain Python over plain data (no ORM), so it can be tested exhaustively.

The selectors turn the database rows into these dataclasses; `unit_coverage` says, criterion by criterion,
what covers it, and lists in plain words everything that still stands between the unit and its sign-off.

Every evidence requirement of kind "evidence" is checked, lettered sub-items included:
- a quantity with a method ("at least two of these calls observed by the Assessor/Witness": min_count=2,
  method="observation,witness_testimony"): the system counts the distinct accepted evidence items mapped
  with any of those methods to the requirement or to its criteria; nobody can confirm it instead;
- anything else: accepted evidence mapped to the requirement itself (min_count distinct items where the
  handbook gives a number), or the assessor's confirmation with a note at sign-off, where one piece of
  work holds the three examples or the requirement is about the whole portfolio ("a sufficient period");
- an item with lettered sub-items is met by its sub-items: all of them, or min_count of them where the
  handbook asks for a number ("four of the following sources of diversity"); range items alike.
Requirements of kind "setting" (where evidence may come from) are enforced by the setting rules below;
"guidance" ("You may collect ...") is shown and has nothing to check.

Setting rules: a unit (or its qualification, for every unit taken in it) may bar a realistic working
environment and simulation. Where the handbook bars simulation for *performance* evidence only, knowledge
criteria may still be met by simulation; a unit that accepts staged emergency drills (4430-405) accepts
evidence from them although it bars simulation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qualifications.methods import METHOD_SYNONYMS, methods_in_words, methods_of, normalise_method  # noqa: F401

ACCEPTED = "accepted"
NOT_YET = "not_yet"

# The method vocabulary and its handbook synonyms are qualifications.methods' (one definition).


@dataclass(frozen=True)
class UnitFacts:
    """A unit's evidence rules as they apply in one qualification (the selector folds in the
    qualification-wide rule, so 4430-04's "real job only" reaches its shared units 303-318)."""

    ref: str
    title: str
    has_criteria_text: bool
    rwe_allowed: bool | None
    simulation_allowed: bool | None  # for performance evidence
    context_note: str = ""
    knowledge_simulation_allowed: bool | None = None  # None: as simulation_allowed
    staged_drills_allowed: bool = False
    context_source: str = ""


@dataclass(frozen=True)
class CriterionFacts:
    id: int
    ref: str
    text: str


@dataclass(frozen=True)
class RangeFacts:
    id: int
    ref: str
    text: str
    parent_id: int | None
    min_count: int | None = None  # on a parent: how many sub-items are required (None: all)


@dataclass(frozen=True)
class RequirementFacts:
    id: int
    ref: str
    text: str
    min_count: int | None
    method: str
    criteria: tuple[str, ...]
    parent_id: int | None = None
    kind: str = "evidence"  # "evidence" | "setting" | "guidance"


@dataclass(frozen=True)
class MappingFacts:
    criterion_id: int | None
    range_item_id: int | None
    evidence_id: int
    evidence_title: str
    evidence_context: str  # the setting: "real_work" | "rwe" | "simulation" | "staged_drill"
    method: str
    decision: str
    requirement_id: int | None = None
    kind: str = "performance"  # the criterion's kind; range items and requirements count as performance


@dataclass
class RequirementStatus:
    """One evidence requirement on the matrix and at sign-off.

    counted: the system counts it (a quantity by named methods); confirmable: evidence mapped to it meets it,
    or else the assessor confirms it with a note; a parent (has_children) is met by its sub-items.
    needs_confirmation: confirmable and not met by evidence, so the sign-off form asks about it.
    optional: a sub-item of an "N of the following" item (only N of the siblings are needed).
    """

    requirement: RequirementFacts
    counted: bool
    needs_confirmation: bool
    count: int = 0
    met: bool | None = None  # None: guidance, or not asked yet (to confirm at sign-off)
    checked: bool = True
    confirmable: bool = False
    evidenced: bool = False
    has_children: bool = False
    needed: int = 0  # counted: min_count; parent: sub-items needed; confirmable: items wanted
    optional: bool = False
    note: str = ""
    depth: int = 0

    @property
    def methods(self) -> tuple[str, ...]:
        return methods_of(self.requirement.method)

    @property
    def methods_label(self) -> str:
        return methods_in_words(self.methods)


@dataclass
class RangeStatus:
    """An item with sub-items that asks for N of them (4430-214's four of twelve sources of diversity)."""

    item: RangeFacts
    needed: int
    covered: int

    @property
    def met(self) -> bool:
        return self.covered >= self.needed


@dataclass
class UnitCoverage:
    unit: UnitFacts
    criteria_met: dict[int, bool]
    range_met: dict[int, bool]
    requirements: list[RequirementStatus]
    context_problems: list[str]
    problems: list[str] = field(default_factory=list)
    range_parents: dict[int, RangeStatus] = field(default_factory=dict)
    optional_range: set[int] = field(default_factory=set)

    @property
    def to_confirm(self) -> list[RequirementStatus]:
        """Requirements the assessor may confirm with a note at sign-off (not met by evidence)."""
        return [s for s in self.requirements if s.needs_confirmation]

    def requirement_status(self, requirement_id) -> RequirementStatus | None:
        return next((s for s in self.requirements if s.requirement.id == requirement_id), None)

    @property
    def criteria_total(self) -> int:
        return len(self.criteria_met)

    @property
    def criteria_done(self) -> int:
        return sum(self.criteria_met.values())

    @property
    def ready(self) -> bool:
        return not self.problems


def _refs(items) -> str:
    return ", ".join(items)


CONTEXT_LABELS = {
    "rwe": "a realistic working environment",
    "simulation": "simulation",
    "staged_drill": "a staged emergency drill",
}
SENTENCE = re.compile(r"[^.]*\.")


def _handbook_words(unit: UnitFacts, *words: str) -> str:
    """The sentence(s) of the unit's printed rule that mention these words, quoted, with where it is printed."""
    sentences = [m.group(0).strip() for m in SENTENCE.finditer(unit.context_note or "")]
    quoted = " ".join(s for s in sentences if any(w in s.lower() for w in words))
    if not quoted:
        return ""
    source = f" ({unit.context_source})" if unit.context_source else ""
    return f" The handbook: “{quoted}”{source}"


def setting_allowed(unit: UnitFacts, setting: str, kind: str = "performance") -> bool:
    return context_problem(unit, "", setting, kind) is None


def context_problem(
    unit: UnitFacts, evidence_title: str, evidence_context: str, kind: str = "performance"
) -> str | None:
    """Why this unit refuses evidence gathered in this setting for a criterion of this kind, or None."""
    if evidence_context == "staged_drill" and unit.staged_drills_allowed:
        return None
    if evidence_context == "rwe" and unit.rwe_allowed is False:
        return (
            f"“{evidence_title}” was gathered in a realistic working environment; unit {unit.ref} "
            f"accepts evidence from real work only." + _handbook_words(unit, "realistic working environment")
        )
    if evidence_context in ("simulation", "staged_drill"):
        what = CONTEXT_LABELS[evidence_context]
        knowledge_allowed = (
            unit.knowledge_simulation_allowed
            if unit.knowledge_simulation_allowed is not None
            else unit.simulation_allowed
        )
        if kind == "knowledge":
            if knowledge_allowed is False:
                return (
                    f"“{evidence_title}” was gathered in {what}; unit {unit.ref} does not accept simulation "
                    f"for any evidence." + _handbook_words(unit, "simulation")
                )
            return None
        if unit.simulation_allowed is False:
            scope = " for performance evidence" if knowledge_allowed is not False else ""
            return (
                f"“{evidence_title}” was gathered in {what}; unit {unit.ref} does not accept simulation"
                f"{scope}." + _handbook_words(unit, "simulation")
            )
    return None


def unit_coverage(
    *,
    unit: UnitFacts,
    criteria: Iterable[CriterionFacts],
    range_items: Iterable[RangeFacts] = (),
    requirements: Iterable[RequirementFacts] = (),
    mappings: Iterable[MappingFacts] = (),
    authenticity_signed: bool = False,
    confirmed_requirements: Mapping[str, str] | Iterable[str] | None = None,
    unsigned_records: Mapping[int, str] | None = None,
) -> UnitCoverage:
    """What covers each criterion of the unit, and every reason it cannot be signed off yet.

    confirmed_requirements: {ref: note} for the requirements the assessor confirms (at sign-off; a plain
    list of refs is read as confirmations without a note, which are refused); None means "not asked yet"
    (the matrix), so confirmable requirements are listed as to be confirmed, not as missing.
    unsigned_records: {evidence id: label} of the assessor's records (observation, questioning, professional
    discussion) the candidate has not signed yet; those the unit's accepted evidence includes hold it back.
    """
    criteria = list(criteria)
    range_items = list(range_items)
    requirements = list(requirements)
    mappings = list(mappings)
    accepted = [m for m in mappings if m.decision == ACCEPTED]
    asked = confirmed_requirements is not None
    if asked and not isinstance(confirmed_requirements, Mapping):
        confirmed_requirements = {ref: "" for ref in confirmed_requirements}
    confirmed = {ref: (note or "").strip() for ref, note in (confirmed_requirements or {}).items()}

    criteria_met = {c.id: False for c in criteria}
    for m in accepted:
        if m.criterion_id in criteria_met:
            criteria_met[m.criterion_id] = True

    range_children = defaultdict(list)
    for r in range_items:
        if r.parent_id is not None:
            range_children[r.parent_id].append(r)
    leaves = [r for r in range_items if r.id not in range_children]
    range_met = {r.id: False for r in leaves}
    for m in accepted:
        if m.range_item_id in range_met:
            range_met[m.range_item_id] = True
    range_parents = {}
    optional_range = set()
    for r in range_items:
        if r.min_count and r.id in range_children:
            kids = range_children[r.id]
            optional_range.update(k.id for k in kids)
            range_parents[r.id] = RangeStatus(
                r, min(r.min_count, len(kids)), sum(1 for k in kids if range_met.get(k.id))
            )

    statuses = _requirement_statuses(requirements, criteria, accepted, confirmed, asked)

    context_problems = []
    for m in accepted:
        problem = context_problem(unit, m.evidence_title, m.evidence_context, m.kind)
        if problem and problem not in context_problems:
            context_problems.append(problem)

    coverage = UnitCoverage(
        unit,
        criteria_met,
        range_met,
        statuses,
        context_problems,
        range_parents=range_parents,
        optional_range=optional_range,
    )
    problems = coverage.problems
    if not unit.has_criteria_text:
        problems.append(
            f"The handbook gives only the structure-table row for unit {unit.ref} (no learning outcomes or "
            "assessment criteria), so there is nothing to assess it against: it cannot be signed off here."
        )
        return coverage
    if not criteria:
        problems.append(
            f"Unit {unit.ref} has no assessment criteria in the catalogue, so it cannot be signed off."
        )
        return coverage
    missing = [c.ref for c in criteria if not criteria_met[c.id]]
    if missing:
        problems.append(f"Criteria not yet met by accepted evidence: {_refs(missing)}.")
    missing_range = [r.ref for r in leaves if not range_met[r.id] and r.id not in optional_range]
    if missing_range:
        problems.append(f"Range not yet covered: {_refs(missing_range)}.")
    for parent in range_parents.values():
        if not parent.met:
            kids = range_children[parent.item.id]
            problems.append(
                f"Range {parent.item.ref} asks for {parent.needed} of {kids[0].ref}–{kids[-1].ref} "
                f"(“{parent.item.text}”): {parent.covered} covered so far."
            )
    for status in statuses:
        req = status.requirement
        if not status.checked or status.met or status.optional:
            continue
        if status.counted:
            problems.append(
                f"Evidence requirement {req.ref}: at least {req.min_count} pieces of evidence by "
                f"{status.methods_label}{' for ' + _refs(req.criteria) if req.criteria else ''} "
                f"(so far {status.count})."
            )
        elif status.has_children:
            kids = _children_of(statuses, req.id)
            # "N of the following": the sub-items are optional one by one, so the item speaks for them.
            if status.needed < len(kids) and asked:
                problems.append(
                    f"Evidence requirement {req.ref} asks for {status.needed} of {kids[0].requirement.ref}–"
                    f"{kids[-1].requirement.ref} (“{req.text}”): {status.count} met so far."
                )
        elif status.confirmable and asked:
            if req.ref in confirmed and not confirmed[req.ref]:
                problems.append(
                    f"Evidence requirement {req.ref} is confirmed without a note: say what in the "
                    f"evidence shows it ({req.text})."
                )
            else:
                problems.append(f"Evidence requirement {req.ref} is not evidenced or confirmed: {req.text}")
    problems.extend(context_problems)
    relied_on = {m.evidence_id for m in accepted}
    unsigned = [label for evidence_id, label in (unsigned_records or {}).items() if evidence_id in relied_on]
    if unsigned:
        problems.append(f"The candidate has not signed the records this unit relies on: {_refs(unsigned)}.")
    if not authenticity_signed:
        problems.append("The candidate has not signed the authenticity statement for this unit.")
    return coverage


def _children_of(statuses, requirement_id):
    return [s for s in statuses if s.requirement.parent_id == requirement_id]


def _requirement_statuses(requirements, criteria, accepted, confirmed, asked) -> list[RequirementStatus]:
    """Each requirement's status, in catalogue order (children after their parent, indented by depth)."""
    by_id = {r.id: r for r in requirements}
    children = defaultdict(list)
    for r in requirements:
        if r.parent_id is not None and r.parent_id in by_id:
            children[r.parent_id].append(r)
    criterion_ref = {c.id: c.ref for c in criteria}
    direct = defaultdict(set)
    for m in accepted:
        if m.requirement_id is not None:
            direct[m.requirement_id].add(m.evidence_id)

    def kind_of(r):
        # A sub-item is checked as its parent is ("Your evidence must include examples of: a ... b ...").
        while r.parent_id is not None and r.parent_id in by_id:
            r = by_id[r.parent_id]
        return r.kind

    def depth_of(r):
        depth = 0
        while r.parent_id is not None and r.parent_id in by_id:
            r, depth = by_id[r.parent_id], depth + 1
        return depth

    result: dict[int, RequirementStatus] = {}

    def status_of(r) -> RequirementStatus:
        if r.id in result:
            return result[r.id]
        parent = by_id.get(r.parent_id)
        optional = bool(parent and parent.min_count and len(children[parent.id]) > parent.min_count)
        if kind_of(r) != "evidence":
            status = RequirementStatus(
                r, counted=False, needs_confirmation=False, checked=False, depth=depth_of(r)
            )
        elif children[r.id]:
            kids = [status_of(k) for k in children[r.id]]
            needed = min(r.min_count or len(kids), len(kids))
            count = sum(1 for k in kids if k.met)
            status = RequirementStatus(
                r,
                counted=False,
                needs_confirmation=False,
                count=count,
                met=count >= needed,
                has_children=True,
                needed=needed,
                optional=optional,
                depth=depth_of(r),
            )
        else:
            methods = methods_of(r.method)
            if methods and r.min_count:
                wanted = set(r.criteria)
                items = {
                    m.evidence_id
                    for m in accepted
                    if normalise_method(m.method) in methods
                    and (
                        m.requirement_id == r.id
                        or (
                            m.criterion_id is not None
                            and (not wanted or criterion_ref.get(m.criterion_id) in wanted)
                        )
                    )
                }
                status = RequirementStatus(
                    r,
                    counted=True,
                    needs_confirmation=False,
                    count=len(items),
                    met=len(items) >= r.min_count,
                    needed=r.min_count,
                    optional=optional,
                    evidenced=len(items) >= r.min_count,
                    depth=depth_of(r),
                )
            else:
                needed = r.min_count or 1
                count = len(direct[r.id])
                evidenced = count >= needed
                note = confirmed.get(r.ref, "")
                met = True if evidenced or note else (False if asked else None)
                status = RequirementStatus(
                    r,
                    counted=False,
                    needs_confirmation=not evidenced,
                    count=count,
                    met=met,
                    confirmable=True,
                    evidenced=evidenced,
                    needed=needed,
                    optional=optional,
                    note=note,
                    depth=depth_of(r),
                )
        result[r.id] = status
        return status

    return [status_of(r) for r in requirements]

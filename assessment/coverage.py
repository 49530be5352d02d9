"""Is a unit ready to sign off? Plain Python over plain data (no ORM), so it can be tested exhaustively.

The selectors turn the database rows into these dataclasses; `unit_coverage` says, criterion by criterion,
what covers it, and lists in plain words everything that still stands between the unit and its sign-off.

Evidence requirements come in three shapes in the catalogue:
- a quantity with a method ("at least two of these calls observed": min_count=2, method="observation"):
  the system counts the distinct accepted evidence items mapped with that method;
- a quantity without a method ("identify three features of appearance"): how many examples one piece of
  evidence holds is a judgement, so the assessor confirms it when signing the unit;
- no quantity: guidance shown on the matrix, nothing to count.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ACCEPTED = "accepted"
NOT_YET = "not_yet"

# How handbook wording of a method maps onto our method names.
METHOD_SYNONYMS = {
    "observation": "observation", "observed": "observation", "o": "observation",
    "questioning": "questioning", "question": "questioning", "q&a": "questioning", "q": "questioning",
    "product": "product_evidence", "product evidence": "product_evidence", "product_evidence": "product_evidence",
    "pe": "product_evidence",
    "witness": "witness_testimony", "witness testimony": "witness_testimony",
    "witness_testimony": "witness_testimony", "wt": "witness_testimony",
    "professional discussion": "professional_discussion", "professional_discussion": "professional_discussion",
    "pd": "professional_discussion",
    "expert witness": "expert_witness", "expert_witness": "expert_witness",
    "rpl": "rpl", "recognition of prior learning": "rpl",
    "candidate statement": "candidate_statement", "candidate_statement": "candidate_statement",
}


def normalise_method(text: str) -> str:
    text = (text or "").strip().lower()
    return METHOD_SYNONYMS.get(text, text.replace(" ", "_"))


@dataclass(frozen=True)
class UnitFacts:
    ref: str
    title: str
    has_criteria_text: bool
    rwe_allowed: bool | None
    simulation_allowed: bool | None
    context_note: str = ""


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


@dataclass(frozen=True)
class RequirementFacts:
    id: int
    ref: str
    text: str
    min_count: int | None
    method: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class MappingFacts:
    criterion_id: int | None
    range_item_id: int | None
    evidence_id: int
    evidence_title: str
    evidence_context: str  # "real_work" | "rwe" | "simulation"
    method: str
    decision: str


@dataclass
class RequirementStatus:
    requirement: RequirementFacts
    counted: bool  # True: the system counts it; False: the assessor confirms it (or it is guidance)
    needs_confirmation: bool
    count: int = 0
    met: bool | None = None


@dataclass
class UnitCoverage:
    unit: UnitFacts
    criteria_met: dict[int, bool]
    range_met: dict[int, bool]
    requirements: list[RequirementStatus]
    context_problems: list[str]
    problems: list[str] = field(default_factory=list)

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


CONTEXT_LABELS = {"rwe": "a realistic working environment", "simulation": "simulation"}


def context_problem(unit: UnitFacts, evidence_title: str, evidence_context: str) -> str | None:
    """Why this unit refuses evidence gathered in this context, or None when it accepts it."""
    if evidence_context == "rwe" and unit.rwe_allowed is False:
        return (f"“{evidence_title}” was gathered in a realistic working environment; unit {unit.ref} "
                f"accepts evidence from real work only.")
    if evidence_context == "simulation" and unit.simulation_allowed is False:
        return f"“{evidence_title}” was gathered in simulation; unit {unit.ref} does not accept simulation."
    return None


def unit_coverage(
    *,
    unit: UnitFacts,
    criteria: Iterable[CriterionFacts],
    range_items: Iterable[RangeFacts] = (),
    requirements: Iterable[RequirementFacts] = (),
    mappings: Iterable[MappingFacts] = (),
    authenticity_signed: bool = False,
    confirmed_requirements: Iterable[str] | None = None,
) -> UnitCoverage:
    """What covers each criterion of the unit, and every reason it cannot be signed off yet.

    confirmed_requirements: refs of the quantity requirements the assessor confirms (at sign-off);
    None means "not asked yet" (the matrix), so they are listed as to be confirmed, not as missing.
    """
    criteria = list(criteria)
    range_items = list(range_items)
    requirements = list(requirements)
    mappings = list(mappings)
    accepted = [m for m in mappings if m.decision == ACCEPTED]

    criteria_met = {c.id: False for c in criteria}
    for m in accepted:
        if m.criterion_id in criteria_met:
            criteria_met[m.criterion_id] = True

    parents = {r.parent_id for r in range_items if r.parent_id is not None}
    leaves = [r for r in range_items if r.id not in parents]
    range_met = {r.id: False for r in leaves}
    for m in accepted:
        if m.range_item_id in range_met:
            range_met[m.range_item_id] = True

    criterion_ref = {c.id: c.ref for c in criteria}
    statuses = []
    for req in requirements:
        if req.min_count is None:
            statuses.append(RequirementStatus(req, counted=False, needs_confirmation=False))
            continue
        method = normalise_method(req.method)
        if method:
            wanted = set(req.criteria)
            items = {
                m.evidence_id for m in accepted
                if normalise_method(m.method) == method
                and (not wanted or criterion_ref.get(m.criterion_id) in wanted)
            }
            statuses.append(RequirementStatus(req, counted=True, needs_confirmation=False, count=len(items),
                                              met=len(items) >= req.min_count))
        else:
            confirmed = confirmed_requirements is not None and req.ref in set(confirmed_requirements)
            statuses.append(RequirementStatus(req, counted=False, needs_confirmation=True,
                                              met=True if confirmed else None))

    context_problems = []
    for m in accepted:
        problem = context_problem(unit, m.evidence_title, m.evidence_context)
        if problem and problem not in context_problems:
            context_problems.append(problem)

    coverage = UnitCoverage(unit, criteria_met, range_met, statuses, context_problems)
    problems = coverage.problems
    if not unit.has_criteria_text:
        problems.append(
            f"The handbook gives only the structure-table row for unit {unit.ref} (no learning outcomes or "
            "assessment criteria), so there is nothing to assess it against: it cannot be signed off here."
        )
        return coverage
    if not criteria:
        problems.append(f"Unit {unit.ref} has no assessment criteria in the catalogue, so it cannot be signed off.")
        return coverage
    missing = [c.ref for c in criteria if not criteria_met[c.id]]
    if missing:
        problems.append(f"Criteria not yet met by accepted evidence: {_refs(missing)}.")
    missing_range = [r.ref for r in leaves if not range_met[r.id]]
    if missing_range:
        problems.append(f"Range not yet covered: {_refs(missing_range)}.")
    for status in statuses:
        req = status.requirement
        if status.counted and not status.met:
            problems.append(
                f"Evidence requirement {req.ref}: at least {req.min_count} pieces of evidence by "
                f"{normalise_method(req.method).replace('_', ' ')}"
                f"{' for ' + _refs(req.criteria) if req.criteria else ''} (so far {status.count})."
            )
        elif status.needs_confirmation and confirmed_requirements is not None and not status.met:
            problems.append(f"Evidence requirement {req.ref} is not confirmed: {req.text}")
    problems.extend(context_problems)
    if not authenticity_signed:
        problems.append("The candidate has not signed the authenticity statement for this unit.")
    return coverage

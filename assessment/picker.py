"""The criteria picker: a registration's criteria grouped by unit and learning outcome, for the map page, the
record forms and the assessment plan's activities (issue 17).

Plain Python over rows the selector read once (`selectors.picker_facts`), so a page with several pickers (the
plan's activities) does no more queries than a page with one. Each unit is a <details> section, open or
closed as `open_rule` says; the assessor opens any other with the keyboard (Enter on its summary) and the
filter box (static/js/criteria_picker.js) opens the sections that hold what is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Which units start open.
OPEN_WITH_GAPS = "gaps"  # not signed off, and a criterion not yet met by accepted evidence
OPEN_NOT_SIGNED = "not_signed"  # every unit not signed off


@dataclass(frozen=True)
class PickerFacts:
    units: list  # the registration's units, in handbook order
    criteria: list  # AssessmentCriterion rows of those units, outcome selected, in order
    met: frozenset  # criterion ids met by accepted evidence
    locked: frozenset  # unit ids signed off (or waiting for a countersignature): nothing maps there
    requirements: list = field(default_factory=list)  # EvidenceRequirement rows evidence maps to


@dataclass
class Row:
    pk: int
    label: str
    checked: bool
    met: bool = False
    mapped: bool = False


@dataclass
class OutcomeGroup:
    label: str
    rows: list[Row]


@dataclass
class UnitGroup:
    unit: object
    locked: bool
    outcomes: list[OutcomeGroup]
    requirements: list[Row]
    met: int
    total: int
    open: bool = False
    disabled: bool = False  # locked, and the page maps (nothing maps into a signed-off unit)

    @property
    def gaps(self) -> bool:
        return self.met < self.total


def _ids(values) -> set[int]:
    result = set()
    for value in values or ():
        value = getattr(value, "pk", value)
        if str(value).isdigit():
            result.add(int(value))
    return result


def picker_groups(
    facts: PickerFacts,
    *,
    ticked=(),
    mapped=(),
    with_requirements=False,
    ticked_requirements=(),
    mapped_requirements=(),
    open_rule=OPEN_WITH_GAPS,
    open_units=None,
    disable_locked=True,
) -> list[UnitGroup]:
    """One group per unit. `ticked`: the values the form holds (a unit with one ticked starts open);
    `mapped`: criteria this evidence is already mapped to; `open_units`: unit ids to open instead of the rule
    (the units the candidate named for a piece of evidence, say)."""
    ticked, mapped = _ids(ticked), _ids(mapped)
    ticked_requirements, mapped_requirements = _ids(ticked_requirements), _ids(mapped_requirements)
    by_unit: dict[int, list] = {}
    for c in facts.criteria:
        by_unit.setdefault(c.unit_id, []).append(c)
    requirements_by_unit: dict[int, list] = {}
    if with_requirements:
        for r in facts.requirements:
            requirements_by_unit.setdefault(r.unit_id, []).append(r)
    groups = []
    for unit in facts.units:
        criteria = by_unit.get(unit.pk, [])
        outcomes: dict[int, OutcomeGroup] = {}
        for c in criteria:
            outcome = c.outcome
            group = outcomes.get(c.outcome_id)
            if group is None:
                group = outcomes[c.outcome_id] = OutcomeGroup(
                    f"Outcome {outcome.number}: {outcome.title}", []
                )
            group.rows.append(
                Row(
                    c.pk, f"{unit.number} {c.ref} {c.text}", c.pk in ticked, c.pk in facts.met, c.pk in mapped
                )
            )
        requirements = [
            Row(
                r.pk,
                f"{unit.number} evidence requirement {r.ref}: {r.text}",
                r.pk in ticked_requirements,
                mapped=r.pk in mapped_requirements,
            )
            for r in requirements_by_unit.get(unit.pk, [])
        ]
        locked = unit.pk in facts.locked
        group = UnitGroup(
            unit,
            locked,
            list(outcomes.values()),
            requirements,
            sum(1 for c in criteria if c.pk in facts.met),
            len(criteria),
        )
        any_ticked = any(r.checked for o in group.outcomes for r in o.rows) or any(
            r.checked for r in requirements
        )
        if open_units is not None:
            chosen = unit.pk in open_units
        elif open_rule == OPEN_NOT_SIGNED:
            chosen = True
        else:
            chosen = group.gaps
        group.open = any_ticked or (chosen and not locked)
        group.disabled = locked and disable_locked
        groups.append(group)
    return groups

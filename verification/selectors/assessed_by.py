"""Who assessed a unit (the own-assessment rule)."""

from __future__ import annotations

from assessment.participants import unit_assessors


def assessors_of(unit_assessment) -> set[int]:
    """Everyone who ever took part in the assessment decisions of this unit (assessment.participants: the
    registration's assessor, every signer and countersigner, the whole mapping decision history, records)."""
    return unit_assessors(unit_assessment)

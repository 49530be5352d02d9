"""Registries a higher app fills in its AppConfig.ready(), so that assessment learns of its state without an
upward import (verification's referrals block a sign-off, an exit claim blocks a reinstatement, and the
assessment pages mark referred decisions).

Each hook is a list of callables; an empty list means no higher app has anything to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# callable(unit_assessment_ids) -> {unit assessment id: [reasons it cannot be signed off now]}; one call
# answers for many units (the caseload's "ready to sign" asks for every unit of every candidate at once)
sign_off_blockers: list = []
# callable(registration) -> list[str]: reasons a withdrawn registration cannot be reinstated
reinstate_blockers: list = []
# callable(registration_ids) -> list[ReferralMark]: the referrals not yet closed on those registrations
referral_marks: list = []


@dataclass(frozen=True)
class ReferralMark:
    """A referral not yet closed, as the assessment pages show it."""

    referral_id: int
    registration_id: int
    unit_id: int
    mapping_id: int | None  # None: the whole unit was referred back
    criterion_id: int | None
    status: str  # "open" (the assessor must answer) / "answered" (waiting for the IV)
    due_on: date | None
    action_points: str
    url: str  # where the assessor answers it

    @property
    def unanswered(self) -> bool:
        return self.status == "open"


def sign_off_problems(unit_assessment) -> list[str]:
    return (
        sign_off_problems_for([unit_assessment.pk]).get(unit_assessment.pk, []) if unit_assessment.pk else []
    )


def sign_off_problems_for(unit_assessment_ids) -> dict[int, list[str]]:
    """{unit assessment id: the higher apps' reasons it cannot be signed off}, one query per hook (asked with
    [0], no row's id, it still asks: a page's queries stay the same whatever it holds)."""
    unit_assessment_ids = [pk for pk in unit_assessment_ids if pk is not None]
    result: dict[int, list[str]] = {}
    if not unit_assessment_ids:
        return result
    for hook in sign_off_blockers:
        for pk, problems in hook(unit_assessment_ids).items():
            result.setdefault(pk, []).extend(problems)
    return result


def reinstate_problems(registration) -> list[str]:
    return [problem for hook in reinstate_blockers for problem in hook(registration)]


def marks_for(registration_ids) -> list[ReferralMark]:
    registration_ids = list(registration_ids)
    if not registration_ids:
        return []
    return [mark for hook in referral_marks for mark in hook(registration_ids)]

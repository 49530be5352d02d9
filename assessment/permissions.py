"""Who may do what in assessment: predicates over objects already loaded.

Two layers. The *person* predicates (is_assessor_of, may_countersign, may_reopen, ...) say whether this person
stands in the right place; the services call them and refuse with their own message for each failure (the state
of a unit or registration is checked separately, under lock, with its own message). The `can_*` predicates add
the state as the page shows it (registration open, unit not locked, ...); views call them to decide which
buttons to offer, so a page never offers what the service would refuse.

Roles are read through `user.memberships.all()`: one small query per call, or none when the caller prefetched
the memberships. No other queries. Visibility (which registrations a person sees at all) is the selectors' job.
"""
from __future__ import annotations

from accounts.models import Role

from .models import REGISTRATION_LOCKED, UnitAssessment  # noqa: F401 - REGISTRATION_LOCKED: imported from here too


def _roles_in(user, centre_id) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {m.role for m in user.memberships.all() if m.centre_id == centre_id}


# --- the registration ---------------------------------------------------------------------------------------
def registration_is_open(registration) -> bool:
    """Only an active registration can change: certified (claimed) and withdrawn ones are closed for good."""
    return registration.is_open


def registration_lock_message(registration) -> str:
    """Why the registration cannot change ("" while it is open)."""
    return registration.lock_message


# --- people -------------------------------------------------------------------------------------------------
def is_centre_admin(user, centre_id) -> bool:
    return Role.CENTRE_ADMIN in _roles_in(user, centre_id)


def is_assessor_of(user, registration) -> bool:
    """The registration's assessor, holding the assessor role in its centre."""
    return (user is not None and registration.assessor_id == user.pk
            and Role.ASSESSOR in _roles_in(user, registration.centre_id))


def is_internal_verifier_of(user, registration) -> bool:
    return (user is not None and registration.internal_verifier_id == user.pk
            and Role.INTERNAL_VERIFIER in _roles_in(user, registration.centre_id))


def is_candidate_of(user, registration) -> bool:
    return user is not None and registration.candidate_id == user.pk


def may_countersign(user, unit_assessment) -> bool:
    """A qualified (not trainee) assessor of the centre who did not sign the unit and is neither its internal
    verifier nor its candidate."""
    registration = unit_assessment.registration
    return (
        user is not None and not user.is_trainee_assessor
        and user.pk not in (unit_assessment.signed_by_id, registration.internal_verifier_id, registration.candidate_id)
        and Role.ASSESSOR in _roles_in(user, registration.centre_id)
    )


def may_reopen(user, registration, *, by_referral: bool = False) -> bool:
    """The registration's internal verifier by referral, or a centre admin of its centre with a reason."""
    if by_referral:
        return is_internal_verifier_of(user, registration)
    return is_centre_admin(user, registration.centre_id)


# --- what a page may offer ------------------------------------------------------------------------------------
def can_map(user, registration) -> bool:
    """Map evidence, decide mappings, write records, action plans and feedback."""
    return registration_is_open(registration) and is_assessor_of(user, registration)


def can_sign_unit(user, unit_assessment) -> bool:
    return not unit_assessment.is_locked and can_map(user, unit_assessment.registration)


def can_countersign(user, unit_assessment) -> bool:
    return (unit_assessment.status == UnitAssessment.Status.AWAITING_COUNTERSIGNATURE
            and registration_is_open(unit_assessment.registration) and may_countersign(user, unit_assessment))


def can_reopen(user, unit_assessment, *, by_referral: bool = False) -> bool:
    return (unit_assessment.is_locked and registration_is_open(unit_assessment.registration)
            and may_reopen(user, unit_assessment.registration, by_referral=by_referral))


def can_sign_authenticity(user, unit_assessment) -> bool:
    return (unit_assessment.authenticity_signed_at is None and not unit_assessment.is_locked
            and registration_is_open(unit_assessment.registration)
            and is_candidate_of(user, unit_assessment.registration))


def can_sign_record(user, record) -> bool:
    return (record.candidate_signed_at is None and registration_is_open(record.registration)
            and is_candidate_of(user, record.registration))


def can_agree_plan(user, plan) -> bool:
    return (plan.agreed_at is None and registration_is_open(plan.registration)
            and is_candidate_of(user, plan.registration))


def can_edit_registration(user, registration) -> bool:
    return registration_is_open(registration) and is_centre_admin(user, registration.centre_id)


def can_request_employer_confirmation(user, registration) -> bool:
    """The registration's assessor or a centre admin asks the employer to confirm the summary."""
    return registration_is_open(registration) and (
        is_assessor_of(user, registration) or is_centre_admin(user, registration.centre_id))

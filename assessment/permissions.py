"""Who may do what in assessment: pure predicates (django-rules) over objects already loaded.

Two layers. The *person* predicates (is_assessor_of, may_countersign, may_reopen, ...) say whether this person
stands in the right place; the services call them and refuse with their own message for each failure (the state
of a unit or registration is checked separately, under lock, with its own message). The `can_*` predicates add
the state as the page shows it (registration open, unit not locked, ...); views and templates use them to decide
which buttons to offer, so a page never offers what the service would refuse.

Each predicate is defined once, here, and reached three ways:
- called directly: `permissions.can_map(user, registration)` (services, views, tests);
- by name in a template: `{% load rules %}{% test_rule "assessment.sign_unit" user ua as may_sign %}`;
- through Django's permission check: `user.has_perm("assessment.sign_unit", ua)` (rules' backend; note that
  Django answers yes to an active superuser before asking, so pages use `test_rule`).
RULES names them; `register()` (AssessmentConfig.ready) adds them to rules' two rule sets.

Roles are read through `accounts.permissions.roles_in` (`user.memberships.all()`): one small query per call, or
none when the caller prefetched the memberships. No other queries: each predicate reads the objects it is handed
(a unit assessment's registration should come with it). Visibility (which registrations a person sees at all)
is the selectors' job.
"""

from __future__ import annotations

import rules

from accounts.models import Role
from accounts.permissions import roles_in

from .models import REGISTRATION_LOCKED, UnitAssessment  # noqa: F401 - REGISTRATION_LOCKED: imported from here too


# --- the registration ---------------------------------------------------------------------------------------
@rules.predicate
def registration_is_open(registration) -> bool:
    """Only an active registration can change: certified (claimed) and withdrawn ones are closed for good."""
    return registration.is_open


def registration_lock_message(registration) -> str:
    """Why the registration cannot change ("" while it is open)."""
    return registration.lock_message


# --- people -------------------------------------------------------------------------------------------------
@rules.predicate
def is_centre_admin(user, centre_id) -> bool:
    return Role.CENTRE_ADMIN in roles_in(user, centre_id)


@rules.predicate
def is_assessor_of(user, registration) -> bool:
    """The registration's assessor, holding the assessor role in its centre."""
    return (
        user is not None
        and registration.assessor_id == user.pk
        and Role.ASSESSOR in roles_in(user, registration.centre_id)
    )


@rules.predicate
def is_internal_verifier_of(user, registration) -> bool:
    return (
        user is not None
        and registration.internal_verifier_id == user.pk
        and Role.INTERNAL_VERIFIER in roles_in(user, registration.centre_id)
    )


@rules.predicate
def is_candidate_of(user, registration) -> bool:
    return user is not None and registration.candidate_id == user.pk


@rules.predicate
def may_countersign(user, unit_assessment) -> bool:
    """A qualified (not trainee) assessor of the centre who did not sign the unit and is neither its internal
    verifier nor its candidate."""
    registration = unit_assessment.registration
    return (
        user is not None
        and not user.is_trainee_assessor
        and user.pk
        not in (unit_assessment.signed_by_id, registration.internal_verifier_id, registration.candidate_id)
        and Role.ASSESSOR in roles_in(user, registration.centre_id)
    )


@rules.predicate
def may_reopen(user, registration, *, by_referral: bool = False) -> bool:
    """The registration's internal verifier by referral, or a centre admin of its centre with a reason."""
    if by_referral:
        return is_internal_verifier_of(user, registration)
    return is_centre_admin(user, registration.centre_id)


# --- what a page may offer: the registration -----------------------------------------------------------------
@rules.predicate
def can_map(user, registration) -> bool:
    """Map evidence, decide mappings, write records, skills scans, action plans (and their reviews), reports and
    feedback."""
    return registration_is_open(registration) and is_assessor_of(user, registration)


@rules.predicate
def can_edit_registration(user, registration) -> bool:
    return registration_is_open(registration) and is_centre_admin(user, registration.centre_id)


@rules.predicate
def can_change_status(user, registration) -> bool:
    """Withdraw or reinstate: a centre admin, while the registration's status has somewhere to go."""
    return is_centre_admin(user, registration.centre_id) and bool(
        registration.TRANSITIONS[registration.status]
    )


@rules.predicate
def can_request_employer_confirmation(user, registration) -> bool:
    """The registration's assessor or a centre admin asks the employer to confirm the summary."""
    return registration_is_open(registration) and (
        is_assessor_of(user, registration) or is_centre_admin(user, registration.centre_id)
    )


# --- what a page may offer: a unit ---------------------------------------------------------------------------
@rules.predicate
def can_assess_unit(user, unit_assessment) -> bool:
    """Decide on the unit's evidence and sign it off: the unit not locked, and `can_map` on its registration."""
    return not unit_assessment.is_locked and can_map(user, unit_assessment.registration)


can_sign_unit = can_assess_unit  # signing off is the last decision on the unit: the same condition


@rules.predicate
def can_countersign(user, unit_assessment) -> bool:
    return (
        unit_assessment.status == UnitAssessment.Status.AWAITING_COUNTERSIGNATURE
        and registration_is_open(unit_assessment.registration)
        and may_countersign(user, unit_assessment)
    )


@rules.predicate
def can_reopen(user, unit_assessment, *, by_referral: bool = False) -> bool:
    return (
        unit_assessment.is_locked
        and not unit_assessment.transfer_pending  # confirmed or rejected on the prior-learning page instead
        and registration_is_open(unit_assessment.registration)
        and may_reopen(user, unit_assessment.registration, by_referral=by_referral)
    )


# --- what a page may offer: the candidate's signatures ------------------------------------------------------
@rules.predicate
def can_sign_authenticity(user, unit_assessment) -> bool:
    return (
        unit_assessment.authenticity_signed_at is None
        and not unit_assessment.is_locked
        and registration_is_open(unit_assessment.registration)
        and is_candidate_of(user, unit_assessment.registration)
    )


@rules.predicate
def can_sign_record(user, record) -> bool:
    return (
        record.candidate_signed_at is None
        and registration_is_open(record.registration)
        and is_candidate_of(user, record.registration)
    )


@rules.predicate
def can_sign_report(user, report) -> bool:
    return (
        report.candidate_signed_at is None
        and registration_is_open(report.registration)
        and is_candidate_of(user, report.registration)
    )


@rules.predicate
def can_agree_plan(user, plan) -> bool:
    return (
        plan.agreed_at is None
        and registration_is_open(plan.registration)
        and is_candidate_of(user, plan.registration)
    )


@rules.predicate
def can_agree_skills_scan(user, scan) -> bool:
    return (
        scan.candidate_agreed_at is None
        and registration_is_open(scan.registration)
        and is_candidate_of(user, scan.registration)
    )


# The names templates (`test_rule`) and `user.has_perm` use, with the object each takes.
RULES = {
    "assessment.map": can_map,  # a registration
    "assessment.edit_registration": can_edit_registration,  # a registration
    "assessment.change_status": can_change_status,  # a registration
    "assessment.request_employer_confirmation": can_request_employer_confirmation,  # a registration
    "assessment.assess_unit": can_assess_unit,  # a unit assessment
    "assessment.sign_unit": can_sign_unit,  # a unit assessment
    "assessment.countersign": can_countersign,  # a unit assessment
    "assessment.reopen_unit": can_reopen,  # a unit assessment
    "assessment.sign_authenticity": can_sign_authenticity,  # a unit assessment
    "assessment.sign_record": can_sign_record,  # an assessment record
    "assessment.sign_report": can_sign_report,  # an assessment report
    "assessment.agree_plan": can_agree_plan,  # an action plan
    "assessment.agree_skills_scan": can_agree_skills_scan,  # a skills scan
}


def register() -> None:
    """Add RULES to rules' rule set (templates) and permission set (`has_perm`); safe to call again."""
    for name, predicate in RULES.items():
        rules.set_rule(name, predicate)
        rules.set_perm(name, predicate)

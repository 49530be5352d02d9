"""Who may do what in verification: pure predicates (django-rules); the services enforce the same rules.

As in `assessment.permissions`: call them directly, or by name (RULES) in a template's `test_rule` or through
`user.has_perm`; `register()` (VerificationConfig.ready) adds the names. Roles come from
`accounts.permissions.roles_in` (one query, none when the memberships are prefetched).
"""

from __future__ import annotations

import rules

from accounts.models import Role
from accounts.permissions import roles_in


@rules.predicate
def can_sample(user, centre) -> bool:
    return Role.INTERNAL_VERIFIER.value in roles_in(user, centre.pk)


@rules.predicate
def can_set_plan(user, centre) -> bool:
    return bool({Role.INTERNAL_VERIFIER.value, Role.CENTRE_ADMIN.value} & roles_in(user, centre.pk))


def can_decide(user, registration, assessors: set[int]) -> bool:
    """The registration's internal verifier, holding that role at its centre, who did not assess the unit.

    (Three arguments, so a plain function: rules' predicates take a person and one object.)"""
    return (
        registration.internal_verifier_id == user.pk
        and user.pk not in assessors
        and Role.INTERNAL_VERIFIER.value in roles_in(user, registration.centre_id)
    )


@rules.predicate
def can_manage_centre(user, centre) -> bool:
    return Role.CENTRE_ADMIN.value in roles_in(user, centre.pk)


# The names templates (`test_rule`) and `user.has_perm` use; each takes a centre.
RULES = {
    "verification.sample": can_sample,
    "verification.set_plan": can_set_plan,
    "verification.manage_centre": can_manage_centre,
}


def register() -> None:
    """Add RULES to rules' rule set (templates) and permission set (`has_perm`); safe to call again."""
    for name, predicate in RULES.items():
        rules.set_rule(name, predicate)
        rules.set_perm(name, predicate)

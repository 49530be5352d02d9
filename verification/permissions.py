"""Pure predicates about who may do what in verification (the services enforce the same rules)."""
from accounts.models import Role


def _roles_in(user, centre_id) -> set[str]:
    return {m.role for m in user.memberships.all() if m.centre_id == centre_id}


def can_sample(user, centre) -> bool:
    return Role.INTERNAL_VERIFIER.value in _roles_in(user, centre.pk)


def can_set_plan(user, centre) -> bool:
    return bool({Role.INTERNAL_VERIFIER.value, Role.CENTRE_ADMIN.value} & _roles_in(user, centre.pk))


def can_decide(user, registration, assessors: set[int]) -> bool:
    """The registration's internal verifier, holding that role at its centre, who did not assess the unit."""
    return (registration.internal_verifier_id == user.pk and user.pk not in assessors
            and Role.INTERNAL_VERIFIER.value in _roles_in(user, registration.centre_id))


def can_manage_centre(user, centre) -> bool:
    return Role.CENTRE_ADMIN.value in _roles_in(user, centre.pk)

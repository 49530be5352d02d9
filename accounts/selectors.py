"""Reads for accounts. `*_visible_to(user)` querysets decide who sees what."""

from django.db.models import QuerySet

from .models import Centre, Membership, Role, User


def centres_of(user, *, roles=None) -> QuerySet[Centre]:
    """The centres in which the user holds any of `roles` (any role when None)."""
    if not user.is_authenticated:
        return Centre.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Centre.objects.filter(pk__in=memberships.values("centre_id"))


def users_visible_to(user) -> QuerySet[User]:
    """Centre admins see the people of their centres; everyone sees themselves."""
    if not user.is_authenticated:
        return User.objects.none()
    admin_centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
    return User.objects.filter(memberships__centre__in=admin_centres).distinct() | User.objects.filter(
        pk=user.pk
    )


def people_with_role(centre: Centre, role: str) -> QuerySet[User]:
    return User.objects.filter(memberships__centre=centre, memberships__role=role).distinct()

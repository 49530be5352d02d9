"""Who sees which plans, sample items, decisions, flags, grants, claims and candidate sites: the `*_visible_to(user)` querysets."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import centres_of

from ..models import (
    AssessorFlag,
    CandidateSite,
    CertificationClaim,
    ExternalAccessGrant,
    SampleItem,
    SamplingPlan,
    VerificationDecision,
)

IV_OR_ADMIN = [Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]


def plans_visible_to(user) -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.filter(centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "centre", "qualification", "created_by"
    )


def sample_items_visible_to(user) -> QuerySet[SampleItem]:
    return SampleItem.objects.filter(plan__centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "plan__qualification",
        "plan__centre",
        "unit_assessment__unit",
        "unit_assessment__registration__candidate",
        "unit_assessment__registration__assessor",
        "unit_assessment__registration__internal_verifier",
        "unit_assessment__signed_by",
        "unit_assessment__transfer_confirmed_by",
        "assessor",
    )


def decisions_visible_to(user) -> QuerySet[VerificationDecision]:
    return VerificationDecision.objects.filter(
        item__plan__centre__in=centres_of(user, roles=IV_OR_ADMIN)
    ).select_related(
        "unit_assessment__unit",
        "unit_assessment__registration__candidate",
        "verifier",
        "assessor",
        "item",
        "referral_closed_by",
    )


def flags_visible_to(user) -> QuerySet[AssessorFlag]:
    return AssessorFlag.objects.filter(centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "assessor", "set_by", "centre"
    )


def grants_visible_to(user) -> QuerySet[ExternalAccessGrant]:
    """Grants a centre admin manages."""
    return ExternalAccessGrant.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])
    ).select_related("external_verifier", "granted_by", "revoked_by", "sample__plan__qualification")


def external_verifiers_known_to(centres) -> QuerySet:
    """The external verifiers these centres already work with: granted access before, or holding the
    external verifier role there. Not every external verifier in the system."""
    granted = ExternalAccessGrant.objects.filter(centre__in=centres).values("external_verifier_id")
    member = Q(memberships__centre__in=centres, memberships__role=Role.EXTERNAL_VERIFIER)
    return (
        User.objects.filter(Q(pk__in=granted) | member)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def claims_visible_to(user) -> QuerySet[CertificationClaim]:
    return CertificationClaim.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])
    ).select_related("registration__candidate", "registration__qualification", "claimed_by", "centre")


def sites_visible_to(user) -> QuerySet[CandidateSite]:
    return CandidateSite.objects.filter(registration__centre__in=centres_of(user, roles=IV_OR_ADMIN))

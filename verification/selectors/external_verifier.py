"""External verifiers: their grants, the registrations those grants open and the access log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.models import EvidenceMapping, Registration, UnitAssessment

from ..models import ExternalAccessGrant, ExternalAccessLog, SampleItem, VerificationDecision


def active_grants_for(user) -> QuerySet[ExternalAccessGrant]:
    """The user's grants that are neither revoked nor expired, in centres where they are an external verifier."""
    if not user.is_authenticated:
        return ExternalAccessGrant.objects.none()
    return ExternalAccessGrant.objects.filter(
        external_verifier=user,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
        centre__in=centres_of(user, roles=[Role.EXTERNAL_VERIFIER]),
    )


def _whole_registration_ids(grants):
    """Registrations named by the candidates grants among `grants`, each at its own grant's centre only."""
    through = ExternalAccessGrant.registrations.through
    return through.objects.filter(
        externalaccessgrant__in=grants.filter(scope=ExternalAccessGrant.Scope.CANDIDATES),
        registration__centre_id=F("externalaccessgrant__centre_id"),
    ).values("registration_id")


def _sampled_items(grants):
    """The sampled units of the sample grants among `grants` (each sample only at its own grant's centre)."""
    covering = grants.filter(
        scope=ExternalAccessGrant.Scope.SAMPLE,
        sample_id=OuterRef("sample_id"),
        centre_id=OuterRef("unit_assessment__registration__centre_id"),
    )
    return SampleItem.objects.filter(Exists(covering))


def _granted_registrations_q(user) -> Q:
    grants = active_grants_for(user)
    return Q(pk__in=_whole_registration_ids(grants)) | Q(
        pk__in=_sampled_items(grants).values("unit_assessment__registration_id")
    )


def ev_registrations_visible_to(user) -> QuerySet[Registration]:
    """The registrations an external verifier may read now: those of their active grants."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return Registration.objects.filter(_granted_registrations_q(user)).select_related(
        "candidate", "qualification", "centre", "assessor", "internal_verifier"
    )


def grant_for_registration(user, registration) -> ExternalAccessGrant | None:
    """The active grant through which an external verifier reads this registration (for the access log)."""
    grants = active_grants_for(user).filter(centre_id=registration.centre_id)
    whole = grants.filter(pk__in=grants.filter(registrations=registration).values("pk")).first()
    if whole is not None:
        return whole
    sampled = _sampled_items(grants).filter(unit_assessment__registration=registration).values("sample_id")
    return grants.filter(scope=ExternalAccessGrant.Scope.SAMPLE, sample_id__in=sampled).first()


def ev_granted_registration_ids(user) -> set[int]:
    return set(ev_registrations_visible_to(user).values_list("pk", flat=True))


def ev_evidence_condition(user) -> Q | None:
    """The evidence app's reader (registered in VerificationConfig.ready()): what an external verifier's active
    grants let them read. A candidates grant: the candidate's evidence at the granting centre. A sample grant:
    only the evidence mapped into the sampled units (of that registration), nothing else of the portfolio."""
    if not user.is_authenticated or Role.EXTERNAL_VERIFIER not in user.role_set:
        return None
    grants = active_grants_for(user)
    whole = Registration.objects.filter(
        pk__in=_whole_registration_ids(grants),
        candidate_id=OuterRef("candidate_id"),
        centre_id=OuterRef("centre_id"),
    )
    sampled = _sampled_items(grants).filter(
        unit_assessment__registration_id=OuterRef("registration_id"),
        unit_assessment__unit_id=OuterRef("unit_id"),
    )
    mapped = EvidenceMapping.objects.filter(
        Exists(sampled), evidence_id=OuterRef("pk"), registration__centre_id=OuterRef("centre_id")
    )
    return Q(Exists(whole)) | Q(Exists(mapped))


@dataclass(frozen=True)
class EvScope:
    """What one external verifier may read of one registration: the grant it comes through (for the log) and
    the units (None: the whole registration; a set: only these sampled units and the evidence mapped into them)."""

    grant: ExternalAccessGrant
    unit_ids: frozenset[int] | None

    @property
    def whole(self) -> bool:
        return self.unit_ids is None

    def covers_unit(self, unit_id) -> bool:
        return self.unit_ids is None or int(unit_id) in self.unit_ids


def ev_scope_for(user, registration) -> EvScope | None:
    """The user's access to `registration` now (None: none). A candidates grant gives the whole registration;
    sample grants give the union of their sampled units of it."""
    grants = list(
        active_grants_for(user).filter(centre_id=registration.centre_id).order_by("granted_at", "id")
    )
    through = ExternalAccessGrant.registrations.through
    named = set(
        through.objects.filter(
            externalaccessgrant__in=[g.pk for g in grants if g.scope == g.Scope.CANDIDATES],
            registration_id=registration.pk,
        ).values_list("externalaccessgrant_id", flat=True)
    )
    for grant in grants:
        if grant.pk in named:
            return EvScope(grant, None)
    first, units = None, set()
    for grant in grants:
        if grant.scope != grant.Scope.SAMPLE:
            continue
        sampled = set(
            SampleItem.objects.filter(
                sample_id=grant.sample_id, unit_assessment__registration=registration
            ).values_list("unit_assessment__unit_id", flat=True)
        )
        if sampled:
            first = first or grant
            units |= sampled
    return EvScope(first, frozenset(units)) if first else None


def ev_grant_for_evidence(user, item) -> tuple[ExternalAccessGrant, int] | None:
    """(grant, registration id) through which `user` reads evidence `item` now, for the access log; None when no
    active grant covers it (the person reads it in another role, or not at all)."""
    if not user.is_authenticated or Role.EXTERNAL_VERIFIER not in user.role_set:
        return None
    grants = list(active_grants_for(user).filter(centre_id=item.centre_id).order_by("granted_at", "id"))
    through = ExternalAccessGrant.registrations.through
    for grant in grants:
        if grant.scope == grant.Scope.CANDIDATES:
            row = (
                through.objects.filter(
                    externalaccessgrant=grant,
                    registration__candidate_id=item.candidate_id,
                    registration__centre_id=item.centre_id,
                )
                .values_list("registration_id", flat=True)
                .first()
            )
        else:
            sampled = SampleItem.objects.filter(
                sample_id=grant.sample_id,
                unit_assessment__registration_id=OuterRef("registration_id"),
                unit_assessment__unit_id=OuterRef("unit_id"),
            )
            row = (
                EvidenceMapping.objects.filter(
                    Exists(sampled), evidence_id=item.pk, registration__centre_id=grant.centre_id
                )
                .values_list("registration_id", flat=True)
                .first()
            )
        if row is not None:
            return grant, row
    return None


@dataclass
class EvUnitReview:
    """One granted unit as the external verifier reviews it: every assessment decision with its evidence
    (shown inline where the EV may read the item), the internal verifier's decisions and open referrals."""

    unit_assessment: UnitAssessment
    mappings: list[EvidenceMapping]  # each carries `.shown`: the EV may read its evidence (shown inline)
    decisions: list[VerificationDecision]
    referred_mappings: set[int]

    @property
    def evidence_shown(self) -> list[int]:
        return sorted({m.evidence_id for m in self.mappings if m.shown})


def ev_unit_review(user, registration, unit_id) -> EvUnitReview | None:
    """The unit page of a granted registration (the caller checked the grant covers the unit). Evidence the EV
    cannot read through evidence_visible_to (a deleted item) is named, not shown. Constant queries."""
    from evidence.selectors import evidence_visible_to

    ua = (
        UnitAssessment.objects.select_related("unit", "signed_by", "transfer_confirmed_by")
        .filter(registration=registration, unit_id=unit_id)
        .first()
    )
    if ua is None:
        return None
    mappings = list(
        EvidenceMapping.objects.filter(registration=registration, unit_id=unit_id).select_related(
            "evidence", "criterion", "range_item", "requirement", "assessed_by"
        )
    )
    readable = (
        set(
            evidence_visible_to(user)
            .filter(pk__in={m.evidence_id for m in mappings})
            .values_list("pk", flat=True)
        )
        if mappings
        else set()
    )
    for m in mappings:
        m.shown = m.evidence_id in readable
    decisions = list(VerificationDecision.objects.filter(unit_assessment=ua).select_related("verifier"))
    referred = {
        d.mapping_id
        for d in decisions
        if d.outcome == VerificationDecision.Outcome.REFERRED
        and d.mapping_id
        and d.referral_status != VerificationDecision.ReferralStatus.CLOSED
    }
    return EvUnitReview(ua, mappings, decisions, referred)


def ev_evidence_trail(user, item) -> list[tuple[str, str]] | None:
    """Breadcrumbs to an evidence item for an external verifier: their dashboard, then the registration their
    grant reads it through; None when no grant covers it."""
    from django.urls import reverse

    found = ev_grant_for_evidence(user, item)
    if found is None:
        return None
    registration = Registration.objects.select_related("candidate", "qualification").get(pk=found[1])
    return [
        ("External verification", reverse("verification:ev_home")),
        (
            f"{registration.candidate} — {registration.qualification.code}",
            reverse("verification:ev_registration", args=[registration.pk]),
        ),
    ]


def access_log_for(grant) -> QuerySet[ExternalAccessLog]:
    return ExternalAccessLog.objects.filter(grant=grant).select_related("user")

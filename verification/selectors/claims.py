"""Certification claims: the checks before a claim, the claims and their summaries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.models import Method, Registration, UnitAssessment
from qualifications.models import Unit
from qualifications.rules import STATUS_WORDS, evaluate
from qualifications.selectors import qualification_is_certifiable
from qualifications.specs import qualification_spec

from ..models import CertificationClaim, SampleItem, SamplingPlan, VerificationDecision
from .coverage import plan_coverage, summary_decisions


@dataclass
class ClaimCheck:
    registration: Registration
    signed_refs: list[str]
    claimable_refs: list[str]  # signed units, not claimed before, whose sampled decisions (if any) are agreed
    credits: int  # of the claimable units
    verdict: object  # qualifications.rules.Verdict on the signed units
    pending: list[str]  # units sampled and not (yet) agreed, or with a referral not closed
    certifiable: bool
    certifiable_reasons: list[str]
    claimed_refs: list[str] = field(default_factory=list)  # already in a unit claim
    unit_credits: dict[str, int] = field(default_factory=dict)
    plan_reasons: list[str] = field(default_factory=list)  # the active sampling plan, not met for them
    # transferred units (signed at a sending centre) the assessor here has not confirmed yet: no claim covers them
    transfers_pending: list[str] = field(default_factory=list)

    @property
    def full_ready(self) -> bool:
        return (
            self.verdict.achieved
            and not self.pending
            and not self.transfers_pending
            and self.certifiable
            and not self.plan_reasons
        )

    @property
    def units_ready(self) -> bool:
        return bool(self.claimable_refs)

    @property
    def explanation(self) -> list[str]:
        """Why the full qualification cannot be claimed, in words a centre admin understands."""
        reasons = [r.message for r in self.verdict.unmet] + list(self.verdict.reasons)
        reasons += [
            f"Unit {ref}: the internal verifier has not agreed the sampled decision." for ref in self.pending
        ]
        reasons += [
            f"Unit {ref}: signed at the sending centre, not yet confirmed by the assessor here."
            for ref in self.transfers_pending
        ]
        reasons += list(self.plan_reasons)
        reasons += list(self.certifiable_reasons)
        return reasons


def _plan_reasons(registrations) -> dict[int, list[str]]:
    """{registration id: what the centre's active sampling plan(s) still need that concerns this candidate's
    units}: a unit, method or site of theirs not yet sampled, or their assessor's share not reached. One plan
    evaluation per active plan, whatever the number of registrations."""
    today = timezone.localdate()
    keys = {(r.centre_id, r.qualification_id) for r in registrations}
    plans = defaultdict(list)
    for plan in SamplingPlan.objects.filter(period_start__lte=today, period_end__gte=today).filter(
        Q(*[Q(centre_id=c, qualification_id=q) for c, q in keys], _connector=Q.OR) if keys else Q(pk=None)
    ):
        plans[(plan.centre_id, plan.qualification_id)].append(plan)
    result = defaultdict(list)
    for key, key_plans in plans.items():
        for plan in key_plans:
            # What the plan still needs, counted by the database; then the decisions of these registrations only.
            cov = plan_coverage(plan)
            needs = [n for n in cov.needs if not n.met]
            if not needs:
                continue
            decisions = summary_decisions(
                plan, [r.pk for r in registrations if (r.centre_id, r.qualification_id) == key]
            )
            mine = defaultdict(lambda: {"units": set(), "methods": set(), "sites": set(), "assessors": set()})
            for d in decisions:
                m = mine[d.candidate]
                m["units"].add(d.unit)
                m["methods"] |= d.methods
                m["assessors"].add(d.assessor)
                if d.site:
                    m["sites"].add(d.site)
            for reg in registrations:
                if (reg.centre_id, reg.qualification_id) != key:
                    continue
                m = mine.get(f"r{reg.pk}")
                if m is None:
                    continue
                for n in needs:
                    if n.kind == "unit" and n.key in m["units"]:
                        result[reg.pk].append(f"The sampling plan needs unit {n.key} sampled and agreed.")
                    elif n.kind == "method" and n.key in m["methods"]:
                        result[reg.pk].append(
                            f"The sampling plan needs a decision by {Method(n.key).label.lower()} sampled."
                        )
                    elif n.kind == "site" and n.key in m["sites"]:
                        result[reg.pk].append(f"The sampling plan needs a decision at site {n.key} sampled.")
                    elif n.kind == "assessor" and n.key in m["assessors"]:
                        result[reg.pk].append(
                            f"The sampling plan needs {n.needed} of {cov.people.get(n.key, n.key)}'s candidates "
                            f"sampled ({n.have} so far)."
                        )
    return result


def claim_checks(registrations) -> list[ClaimCheck]:
    """The claim gate for each registration: a constant number of queries per qualification and active plan
    involved, whatever the number of registrations, units or claims."""
    registrations = list(registrations)
    reg_ids = [r.pk for r in registrations]
    uas = defaultdict(list)
    for ua in (
        UnitAssessment.objects.filter(registration_id__in=reg_ids, status=UnitAssessment.Status.SIGNED)
        .select_related("unit")
        .order_by("unit__number")
    ):
        uas[ua.registration_id].append(ua)
    pending = defaultdict(set)
    for reg_id, ref, status in SampleItem.objects.filter(
        unit_assessment__registration_id__in=reg_ids
    ).values_list("unit_assessment__registration_id", "unit_assessment__unit__ref", "status"):
        if status != SampleItem.Status.AGREED:
            pending[reg_id].add(ref)
    for reg_id, ref in (
        VerificationDecision.objects.filter(
            unit_assessment__registration_id__in=reg_ids,
            outcome=VerificationDecision.Outcome.REFERRED,
        )
        .exclude(referral_status=VerificationDecision.ReferralStatus.CLOSED)
        .values_list("unit_assessment__registration_id", "unit_assessment__unit__ref")
    ):
        pending[reg_id].add(ref)
    claimed = defaultdict(set)
    for reg_id, refs in CertificationClaim.objects.filter(
        registration_id__in=reg_ids, status=CertificationClaim.Status.SUBMITTED
    ).values_list("registration_id", "units"):
        claimed[reg_id].update(refs)
    plan_reasons = _plan_reasons(registrations)
    specs, certifiable = {}, {}
    result = []
    for reg in registrations:
        q = reg.qualification
        if q.pk not in specs:
            specs[q.pk] = qualification_spec(q)
            certifiable[q.pk] = qualification_is_certifiable(q)
        signed = [ua.unit for ua in uas[reg.pk]]
        signed_refs = [u.ref for u in signed]
        verdict = evaluate(specs[q.pk], signed_refs)  # a transferred unit is signed: it counts at once
        transfers = [ua.unit.ref for ua in uas[reg.pk] if ua.transfer_pending]
        claimable = [
            u
            for u in signed
            if u.ref not in pending[reg.pk] and u.ref not in claimed[reg.pk] and u.ref not in transfers
        ]
        ok, reasons = certifiable[q.pk]
        result.append(
            ClaimCheck(
                registration=reg,
                signed_refs=signed_refs,
                claimable_refs=[u.ref for u in claimable],
                credits=sum(u.credits or 0 for u in claimable),
                verdict=verdict,
                pending=sorted(pending[reg.pk]),
                certifiable=ok,
                certifiable_reasons=list(reasons),
                claimed_refs=sorted(claimed[reg.pk]),
                unit_credits={u.ref: u.credits or 0 for u in signed},
                plan_reasons=plan_reasons.get(reg.pk, []),
                transfers_pending=transfers,
            )
        )
    return result


@dataclass(frozen=True)
class ClaimSummary:
    """What a certification claim states, printed identically on the claim PDF and in the CSV export."""

    kind: str  # "full" / "units" / "exit"
    kind_label: str
    units: tuple[str, ...]  # refs of the units claimed, in the claim's order
    credits: int
    engine_status: str  # the rules engine's verdict status: achieved / not_achieved / cannot_decide
    engine_words: str  # "ACHIEVED", "NOT ACHIEVED", "CANNOT DECIDE"
    engine_reasons: tuple[str, ...]
    claimed_on: object
    claimed_by: str
    unit_labels: tuple[str, ...] = ()  # "TV-101 (R/601/6071)": the unit with its accreditation number
    status_label: str = ""

    @property
    def units_text(self) -> str:
        return "; ".join(self.unit_labels or self.units)


def claim_summary(claim, accreditation: dict[str, str] | None = None) -> ClaimSummary:
    """One claim's statement, from the claim row (the verdict recorded at claim time, not a new one) and the
    units' accreditation numbers (`accreditation`: {ref: number}, read here when not given)."""
    if accreditation is None:
        accreditation = dict(
            Unit.objects.filter(ref__in=list(claim.units)).values_list("ref", "accreditation_number")
        )
    verdict = claim.verdict or {}
    status = verdict.get("status", "")
    reasons = [u.get("message", "") for u in verdict.get("unmet", [])] + list(verdict.get("reasons", []))
    return ClaimSummary(
        kind=claim.kind,
        kind_label=claim.get_kind_display(),
        units=tuple(claim.units),
        credits=claim.credits,
        engine_status=status,
        engine_words=STATUS_WORDS.get(status, status.upper()),
        engine_reasons=tuple(r for r in reasons if r),
        claimed_on=claim.claimed_at,
        claimed_by=str(claim.claimed_by),
        unit_labels=tuple(
            f"{ref} ({accreditation[ref]})" if accreditation.get(ref) else ref for ref in claim.units
        ),
        status_label=claim.get_status_display(),
    )


def claim_summaries(claims) -> list[tuple[object, ClaimSummary]]:
    """[(claim, summary)] for many claims with one query for every unit's accreditation number."""
    claims = list(claims)
    refs = {ref for c in claims for ref in c.units}
    accreditation = (
        dict(Unit.objects.filter(ref__in=refs).values_list("ref", "accreditation_number")) if refs else {}
    )
    return [(c, claim_summary(c, accreditation)) for c in claims]


def claim_candidates_for(user) -> list[ClaimCheck]:
    """Registrations of the user's centres with at least one signed unit that a claim can still be made for
    (active ones; withdrawn ones for an exit claim), with their gate."""
    return claim_checks(claim_candidate_registrations(user))


def claim_candidate_registrations(user) -> QuerySet[Registration]:
    """The registrations `claim_candidates_for` checks, as a queryset to search and page before checking."""
    closed = CertificationClaim.objects.filter(
        kind__in=[CertificationClaim.Kind.FULL, CertificationClaim.Kind.EXIT],
        status=CertificationClaim.Status.SUBMITTED,
    )
    # EXISTS rather than a join to the signed units made distinct: DISTINCT over every column of the centre's
    # registrations (18 ms at 5,000 candidates), and a distinct queryset cannot have its page's rows picked first
    signed = UnitAssessment.objects.filter(
        registration_id=OuterRef("pk"), status=UnitAssessment.Status.SIGNED
    )
    registrations = (
        Registration.objects.filter(
            Exists(signed),
            centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN]),
            status__in=[Registration.Status.ACTIVE, Registration.Status.WITHDRAWN],
        )
        .exclude(pk__in=closed.values("registration_id"))
        .select_related("candidate", "qualification", "centre")
        .order_by("candidate__last_name", "id")
    )
    return registrations


def today() -> date:
    return timezone.localdate()

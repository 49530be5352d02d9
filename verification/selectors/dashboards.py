"""The home pages of the internal verifier, the centre admin and the external verifier."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.models import Registration, UnitAssessment

from ..models import CertificationClaim, VerificationDecision
from .coverage import describe_need, plan_coverage
from .decisions import decisions_waiting_for, open_referrals_for
from .external_verifier import active_grants_for, ev_registrations_visible_to
from .visibility import plans_visible_to


def iv_dashboard(user) -> dict:
    plans = list(plans_visible_to(user).filter(period_end__gte=timezone.localdate()))
    coverage_rows = []
    for plan in plans[:5]:
        # The coverage only, counted by the database: the dashboard shows no proposal, so none is computed.
        cov = plan_coverage(plan)
        coverage_rows.append(
            {
                "plan": plan,
                "met": cov.met,
                "total": len(cov.needs),
                "open": [describe_need(n, cov.people) for n in cov.needs if not n.met][:5],
            }
        )
    return {
        "coverage_rows": coverage_rows,
        "open_referrals": list(open_referrals_for(user)[:20]),
        "waiting": decisions_waiting_for(user, limit=20),
    }


def centre_admin_dashboard(user) -> dict:
    """Candidates by stage, registration to certification and the assessors' referral rates: four aggregate
    queries, whatever the number of registrations, claims or decisions (no row of them reaches Python)."""
    centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
    registrations = Registration.objects.filter(centre__in=centres).order_by()
    stages = Counter()
    for status, n in (
        registrations.exclude(status=Registration.Status.ACTIVE)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    ):
        stages[Registration.Status(status).label] += n
    signed = Q(unit_assessments__status=UnitAssessment.Status.SIGNED)
    active = (
        registrations.filter(status=Registration.Status.ACTIVE)
        .annotate(total=Count("unit_assessments"), signed=Count("unit_assessments", filter=signed))
        .aggregate(
            none=Count("pk", filter=Q(signed=0)),
            some=Count("pk", filter=Q(signed__gt=0, signed__lt=F("total"))),
            every=Count("pk", filter=Q(signed__gt=0, signed__gte=F("total"))),
        )
    )
    for label, key in (
        ("Not started / no unit signed", "none"),
        ("Units signed, in progress", "some"),
        ("Every unit signed", "every"),
    ):
        if active[key]:
            stages[label] += active[key]
    # days from registration to claim, on the claim's local date: the database subtracts the dates
    days = (
        CertificationClaim.objects.filter(centre__in=centres)
        .order_by()
        .annotate(
            days=ExpressionWrapper(
                TruncDate("claimed_at") - F("registration__registered_on"), output_field=DurationField()
            )
        )
        .aggregate(n=Count("pk"), total=Sum("days"), shortest=Min("days"), longest=Max("days"))
    )
    count = days["n"]
    rates = (
        VerificationDecision.objects.filter(item__plan__centre__in=centres)
        .order_by()
        .values("assessor_id", "assessor__first_name", "assessor__last_name", "assessor__username")
        .annotate(n=Count("pk"), r=Count("pk", filter=Q(outcome=VerificationDecision.Outcome.REFERRED)))
    )
    return {
        "stages": sorted(stages.items()),
        "certified_count": count,
        "average_days": round(days["total"].days / count) if count else None,
        "shortest_days": days["shortest"].days if count else None,
        "longest_days": days["longest"].days if count else None,
        "referral_rates": sorted(
            (
                {
                    "assessor": f"{row['assessor__first_name']} {row['assessor__last_name']}".strip()
                    or row["assessor__username"],
                    "decisions": row["n"],
                    "referred": row["r"],
                    "percent": round(100 * row["r"] / row["n"]),
                }
                for row in rates
            ),
            key=lambda row: (-row["percent"], row["assessor"]),
        ),
        "ready_to_claim": None,
    }


def ev_dashboard(user) -> dict:
    return {
        "grants": list(active_grants_for(user).select_related("centre").order_by("expires_on")),
        "registrations": list(ev_registrations_visible_to(user).order_by("candidate__last_name", "id")),
    }

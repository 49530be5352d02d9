"""The home pages of the internal verifier, the centre admin and the external verifier."""

from __future__ import annotations

from collections import Counter, defaultdict

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
    centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
    registrations = Registration.objects.filter(centre__in=centres)
    signed_counts = Counter(
        UnitAssessment.objects.filter(
            registration__in=registrations, status=UnitAssessment.Status.SIGNED
        ).values_list("registration_id", flat=True)
    )
    unit_totals = Counter(
        UnitAssessment.objects.filter(registration__in=registrations).values_list(
            "registration_id", flat=True
        )
    )
    stages = Counter()
    for reg_id, status in registrations.values_list("pk", "status"):
        if status != Registration.Status.ACTIVE:
            stages[Registration.Status(status).label] += 1
        elif not signed_counts[reg_id]:
            stages["Not started / no unit signed"] += 1
        elif signed_counts[reg_id] < unit_totals[reg_id]:
            stages["Units signed, in progress"] += 1
        else:
            stages["Every unit signed"] += 1
    durations = [
        (timezone.localtime(at).date() - registered_on).days
        for registered_on, at in CertificationClaim.objects.filter(centre__in=centres).values_list(
            "registration__registered_on", "claimed_at"
        )
    ]
    rates = defaultdict(lambda: [0, 0])
    names = {}
    for assessor_id, first, last, username, outcome in VerificationDecision.objects.filter(
        item__plan__centre__in=centres
    ).values_list(
        "assessor_id", "assessor__first_name", "assessor__last_name", "assessor__username", "outcome"
    ):
        names[assessor_id] = f"{first} {last}".strip() or username
        rates[assessor_id][0] += 1
        rates[assessor_id][1] += outcome == VerificationDecision.Outcome.REFERRED
    return {
        "stages": sorted(stages.items()),
        "certified_count": len(durations),
        "average_days": round(sum(durations) / len(durations)) if durations else None,
        "shortest_days": min(durations) if durations else None,
        "longest_days": max(durations) if durations else None,
        "referral_rates": sorted(
            (
                {"assessor": names[a], "decisions": n, "referred": r, "percent": round(100 * r / n)}
                for a, (n, r) in rates.items()
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

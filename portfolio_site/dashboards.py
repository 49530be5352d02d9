"""Each role's landing page. Later features add their panels through each app's selectors."""

from django.shortcuts import render

from accounts.selectors import centres_of
from verification.selectors import referrals_for_assessor


def _render(request, template, role, **context):
    context.setdefault("centres", centres_of(request.user, roles=[role]))
    return render(request, template, context)


def candidate(request):
    return _render(request, "dashboards/candidate.html", "candidate")


def assessor(request):
    referrals = referrals_for_assessor(request.user)
    return _render(
        request,
        "dashboards/assessor.html",
        "assessor",
        referrals_open=referrals.filter(referral_status="open").count(),
        referrals_answered=referrals.filter(referral_status="answered").count(),
    )


def internal_verifier(request):
    return _render(request, "dashboards/internal_verifier.html", "internal_verifier")


def centre_admin(request):
    return _render(request, "dashboards/centre_admin.html", "centre_admin")


def external_verifier(request):
    return _render(request, "dashboards/external_verifier.html", "external_verifier")

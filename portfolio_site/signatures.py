"""The signature verification page: staff of the signature's centre, and external verifiers of centres they hold
a grant at, type a code from a printed form and see what was signed and whether the content still matches."""

from django.shortcuts import render

from accounts.models import Membership, Role
from audit.models import Signature
from audit.signatures import UNKNOWN_CODE, normalise_code, signature_check, signature_report
from verification.selectors import active_grants_for


def signatures_visible_to(user):
    """Signatures of the centres where the user is staff, or (external verifier) holds a grant for a candidate."""
    if not user.is_authenticated:
        return Signature.objects.none()
    centres = set(
        Membership.objects.filter(
            user=user, role__in=[Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]
        ).values_list("centre_id", flat=True)
    )
    if Role.EXTERNAL_VERIFIER in user.role_set:
        centres |= set(active_grants_for(user).values_list("centre_id", flat=True))
    return Signature.objects.filter(centre_id__in=centres).select_related("signer", "centre")


def signature_verify(request):
    code = request.GET.get("code", "").strip()
    context = {"code": code}
    if code:
        signature = signatures_visible_to(request.user).filter(code=normalise_code(code)).first()
        if signature is None:  # the same answer for "no such code" and "not yours"
            context["error"] = UNKNOWN_CODE.format(code=code)
        else:
            check = signature_check(signature)
            context |= {"check": check, "lines": signature_report(check)}
    return render(request, "signatures/verify.html", context, status=404 if context.get("error") else 200)

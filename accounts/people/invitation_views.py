"""The public end of an invitation: set a password from the emailed link, or ask for a new link."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import Invitation

from . import services
from .forms import InvitationRequestForm
from .tokens import invitation_token

LINK_USED = "This invitation link has already been used to set a password. Sign in, or use 'Forgotten your password?'."
LINK_REFUSED = (
    "This invitation link has expired, was replaced by a newer one, or is not complete. "
    "Ask for a new one below, or ask your centre admin."
)
REQUEST_SENT = (
    "If an invitation is waiting for that address, a new link is on its way. "
    "Check your email; if nothing arrives, ask your centre admin."
)


def _invitation(uidb64):
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return Invitation.objects.select_related("user", "centre").filter(pk=pk).first()


def _refused(request, reason):
    return render(
        request,
        "accounts/invitations/refused.html",
        {"reason": reason, "form": InvitationRequestForm()},
        status=400,
    )


def accept(request, uidb64, token):
    invitation = _invitation(uidb64)
    if invitation is not None and invitation.accepted_at is not None:
        return _refused(request, LINK_USED)
    if (
        invitation is None
        or not invitation.is_pending
        or not invitation.user.is_active
        or not invitation_token.check_token(invitation, token)
    ):
        return _refused(request, LINK_REFUSED)
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.invitation_accept(
            invitation=invitation, password=form.cleaned_data["new_password1"]
        )
        messages.success(request, f"Your password is set. Sign in with your username, {person.username}.")
        return redirect("accounts:login")
    return render(request, "accounts/invitations/accept.html", {"form": form, "invitation": invitation})


def request_new(request):
    form = InvitationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_request_new(email=form.cleaned_data["email"])
        messages.info(request, REQUEST_SENT)
        return redirect("invitations:request_new")
    return render(request, "accounts/invitations/request.html", {"form": form})

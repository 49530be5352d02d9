from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .lockout import client_ip, cool_off_minutes, one_attempt_at_a_time

LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts for this username from your network. Wait {minutes} minutes and "
    "try again, or reset your password now with the link below: a completed reset lifts the lock at once."
)


def locked_out_message() -> str:
    return LOCKED_OUT_MESSAGE.format(minutes=cool_off_minutes())


class LockoutMixin:
    """django-axes (first authentication backend) refuses locked-out pairs; this runs the whole attempt
    under the (username, client address) lock, so parallel attempts cannot all pass the lockout check
    before any of them is counted, and says plainly why a locked-out attempt was refused."""

    def clean(self):
        username = (self.data.get("username") or "").strip()
        refused = None
        with one_attempt_at_a_time(username=username, ip=client_ip(self.request)):
            try:
                cleaned = super().clean()
            except forms.ValidationError as error:
                refused = error  # raised after the block: the failure it counted must be committed
        if refused is None:
            return cleaned
        if getattr(self.request, "axes_locked_out", False):
            raise forms.ValidationError(locked_out_message(), code="locked_out")
        raise refused


class SignInForm(LockoutMixin, AuthenticationForm):
    """The site's sign-in form."""


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The Django admin's sign-in form, under the same lockout."""


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from .services import THROTTLED_MESSAGE, login_failure_record, login_is_throttled


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form plus throttling and an audit row for every failure."""

    def clean(self):
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and login_is_throttled(username=username, ip_address=ip):
            login_failure_record(username=username, ip_address=ip, throttled=True)
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            raise forms.ValidationError(THROTTLED_MESSAGE.format(minutes=minutes), code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip)
            raise

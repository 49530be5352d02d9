"""Sign-in and sign-out through any door (the site's sign-in page, the Django admin's) are audited here;
failed sign-ins are counted.

Requests made by tests' force_login / logout carry no path and are not real sign-ins; they are skipped.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from audit.models import AnonymousEventKind
from audit.services import anonymous_event_count

from . import services
from .lockout import client_ip
from .middleware import session_started


def _real(request) -> bool:
    return request is not None and bool(getattr(request, "path", ""))


def _door(request) -> str:
    return "admin" if request.path.startswith("/admin/") else "site"


def on_logged_in(sender, request, user, **kwargs):
    session_started(request, user)  # a fresh sign-in is always checked for two-factor
    if _real(request):
        services.login_success_record(user=user, ip_address=client_ip(request), door=_door(request))


def on_logged_out(sender, request, user, **kwargs):
    if _real(request) and user is not None:
        services.logout_record(user=user, ip_address=client_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Anybody can fail to sign in: a daily count, not an audit row each (django-axes keeps the details).
    anonymous_event_count(kind=AnonymousEventKind.LOGIN_FAILED)


def connect():
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.count_login_failed")

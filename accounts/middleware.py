"""Per-request account guards: staff sessions end after a spell of inactivity; centres that require
two-factor sign-in get it before anything else (see accounts.two_factor)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

from .models import STAFF_ROLES

IDLE_SIGNED_OUT_MESSAGE = (
    "You were signed out after {minutes} minutes without activity. Sign in again to go on."
)
LAST_SEEN_KEY = "staff_last_seen"
SESSION_TOUCH_SECONDS = 60
TWO_FACTOR_CHECKED_KEY = "two_factor_checked_at"
# How long "nothing asked of this person" holds before the two-factor state is read again (it is read at
# every sign-in too): a centre that turns the requirement on reaches signed-in staff within this time.
TWO_FACTOR_RECHECK_SECONDS = 300


def is_staff_person(user) -> bool:
    return user.is_authenticated and (user.is_staff or bool(user.role_set & STAFF_ROLES))


class StaffIdleTimeoutMiddleware:
    """Signs out assessors, internal verifiers, centre admins, external verifiers and admin-site users
    after STAFF_SESSION_IDLE_SECONDS without a request. Candidates keep the ordinary session length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_staff_person(user):
            now = int(time.time())
            idle = settings.STAFF_SESSION_IDLE_SECONDS
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > idle:
                logout(request)
                messages.info(request, IDLE_SIGNED_OUT_MESSAGE.format(minutes=max(1, idle // 60)))
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= SESSION_TOUCH_SECONDS:
                request.session[LAST_SEEN_KEY] = now  # a session write at most once a minute
        return self.get_response(request)


# What a person may reach after the password but before the second factor.
TWO_FACTOR_OPEN = {"accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout"}


class TwoFactorMiddleware:
    """After the password: a person with an authenticator app enters a code before anything else; staff of
    a centre that requires two-factor sign-in set one up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.shortcuts import redirect

        from . import two_factor

        user = getattr(request, "user", None)
        if user is None or not is_staff_person(user) or user.is_verified():
            return None
        match = request.resolver_match
        name = match.view_name if match else None
        if name in TWO_FACTOR_OPEN:
            if name == "accounts:two_factor_setup" and two_factor.has_two_factor(user):
                return redirect("accounts:two_factor_verify")  # a second app only after the first one's code
            return None
        # Nothing asked of this person a moment ago: no query until the minute is over.
        now = int(time.time())
        checked = request.session.get(TWO_FACTOR_CHECKED_KEY)
        if checked is not None and now - checked < TWO_FACTOR_RECHECK_SECONDS:
            return None
        has_device, required = two_factor.two_factor_state(user)
        if has_device:
            return redirect_to_login(request.get_full_path(), login_url="accounts:two_factor_verify")
        if required:
            return redirect("accounts:two_factor_setup")
        request.session[TWO_FACTOR_CHECKED_KEY] = now
        return None


def session_started(request, user) -> None:
    """At sign-in: start the idle clock and read the two-factor state once, so that the requests that
    follow write nothing to the session until a minute (idle clock) or five (two-factor) have passed."""
    from . import two_factor

    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(TWO_FACTOR_CHECKED_KEY, None)
    if not is_staff_person(user):
        return
    now = int(time.time())
    session[LAST_SEEN_KEY] = now
    has_device, required = two_factor.two_factor_state(user)
    if not has_device and not required:
        session[TWO_FACTOR_CHECKED_KEY] = now

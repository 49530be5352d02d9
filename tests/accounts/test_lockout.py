"""Sign-in lockout, reproduced the way it was broken: behind the README's TLS proxy, from many clients.

The lockout is keyed on (username, client address); the client address comes from X-Forwarded-For only
through DJANGO_TRUSTED_PROXY_COUNT proxies, so one client's failures never lock anybody else out.
"""

from contextlib import ExitStack, contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

PROXY = "10.0.0.2"  # the TLS proxy: REMOTE_ADDR of every request behind it
ATTACKER = "203.0.113.66"
REAL_USER = "198.51.100.7"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.DJANGO_TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5


def sign_in(username, password, *, client_ip, forwarded=None, client=None):
    client = client or Client()
    xff = forwarded if forwarded is not None else client_ip
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=xff,
    )


@contextmanager
def clock_at(moment):
    """Every clock the sign-in path reads (Django's, and django-axes' own imports of it) says `moment`."""
    with ExitStack() as stack:
        for target in ["django.utils.timezone.now", "axes.handlers.proxy.now", "axes.attempts.now"]:
            stack.enter_context(mock.patch(target, return_value=moment))
        yield


def signed_in(response):
    return response.status_code == 302 and "/accounts/login/" not in response["Location"]


def test_made_up_usernames_through_the_proxy_do_not_lock_out_real_users(role_users):
    for i in range(20):
        sign_in(f"nobody{i}", "guess", client_ip=ATTACKER)
    for username in ["u_assessor", "u_centre_admin", "u_candidate"]:
        assert signed_in(sign_in(username, PASSWORD, client_ip=REAL_USER)), username


def test_failures_from_one_client_never_lock_the_account_for_another_client(role_users):
    for _ in range(12):
        sign_in("u_assessor", "wrong", client_ip=ATTACKER)
    # The attacker is locked out even with the right password...
    locked = sign_in("u_assessor", PASSWORD, client_ip=ATTACKER)
    assert not signed_in(locked)
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # ...the assessor, from their own address, is not.
    assert signed_in(sign_in("u_assessor", PASSWORD, client_ip=REAL_USER))


def test_a_forged_x_forwarded_for_does_not_move_the_attacker_to_another_address(role_users):
    for _ in range(5):
        sign_in("u_assessor", "wrong", client_ip=ATTACKER)
    # The client prepends the real user's address; the proxy appends the attacker's own.
    forged = sign_in("u_assessor", PASSWORD, client_ip=ATTACKER, forwarded=f"{REAL_USER}, {ATTACKER}")
    assert not signed_in(forged)
    assert signed_in(sign_in("u_assessor", PASSWORD, client_ip=REAL_USER))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(role_users, settings):
    settings.DJANGO_TRUSTED_PROXY_COUNT = 0
    for i in range(5):
        # Rotating X-Forwarded-For does not give a direct client fresh attempts.
        sign_in("u_assessor", "wrong", client_ip=f"192.0.2.{i}")
    assert not signed_in(sign_in("u_assessor", PASSWORD, client_ip="192.0.2.99"))


def test_the_lockout_message_says_what_to_do_and_is_true(role_users, settings):
    for _ in range(5):
        sign_in("u_candidate", "wrong", client_ip=ATTACKER)
    page = sign_in("u_candidate", PASSWORD, client_ip=ATTACKER)
    text = page.content.decode()
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in text
    assert "reset your password" in text and "15 minutes" in text


def test_attempts_while_locked_do_not_renew_the_lock(role_users):
    start = timezone.now()
    with clock_at(start):
        for _ in range(5):
            sign_in("u_candidate", "wrong", client_ip=ATTACKER)
    with clock_at(start + timedelta(minutes=10)):
        for _ in range(5):
            assert not signed_in(sign_in("u_candidate", "wrong-again", client_ip=ATTACKER))
    # 15 minutes after the failures that caused it, the lock is over, whatever was tried meanwhile.
    with clock_at(start + timedelta(minutes=16)):
        assert signed_in(sign_in("u_candidate", PASSWORD, client_ip=ATTACKER))


def test_a_completed_password_reset_lifts_the_lock(role_users, mailoutbox):
    user = role_users["candidate"]
    user.email = "cand@example.org"
    user.save()
    for _ in range(5):
        sign_in("u_candidate", "wrong", client_ip=REAL_USER)
    assert not signed_in(sign_in("u_candidate", PASSWORD, client_ip=REAL_USER))

    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "cand@example.org"})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    form_page = client.get("/accounts/" + link.split("/accounts/", 1)[1].strip(), follow=True)
    new = "a-brand-new-passphrase-42"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert signed_in(sign_in("u_candidate", new, client_ip=REAL_USER))

"""Staff are signed out after STAFF_SESSION_IDLE_SECONDS without a request; candidates are not."""

import time
from unittest import mock

import pytest

from accounts.middleware import IDLE_SIGNED_OUT_MESSAGE

START = time.time()  # the idle clock starts at sign-in, on the real clock


def at(seconds):
    return mock.patch("accounts.middleware.time.time", return_value=START + seconds)


@pytest.mark.parametrize("role", ["assessor", "internal_verifier", "centre_admin", "external_verifier"])
def test_a_staff_session_ends_after_30_idle_minutes(client, role_users, role, settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    client.force_login(role_users[role])
    with at(0):
        assert client.get("/").status_code == 302 and "/dashboard/" in client.get("/")["Location"]
    with at(29 * 60):
        assert "/dashboard/" in client.get("/")["Location"]  # activity keeps it alive
    with at(58 * 60):
        assert "/dashboard/" in client.get("/")["Location"]
    with at(89 * 60):
        response = client.get("/", follow=True)
    assert "/accounts/login/" in response.redirect_chain[0][0]
    assert IDLE_SIGNED_OUT_MESSAGE.format(minutes=30) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_candidate_keeps_the_default_session(client, role_users):
    client.force_login(role_users["candidate"])
    with at(0):
        client.get("/")
    with at(5 * 60 * 60):
        assert client.get("/")["Location"] == "/dashboard/candidate/"

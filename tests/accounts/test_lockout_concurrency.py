"""40 sign-in attempts at once for one account from one client: no more password checks than the limit.

On PostgreSQL the attempts really run at once, in threads with their own connections (each password check
is slowed down so they overlap); elsewhere they run one after the other.
"""

import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.assessment.test_concurrency import run_together

ATTEMPTS = 40


@pytest.mark.postgres
def test_parallel_attempts_never_get_more_password_checks_than_the_limit(
    transactional_db, settings, centre, make_user
):
    settings.AXES_FAILURE_LIMIT = 5
    make_user("target", centre)
    checks = []
    real_check = User.check_password

    def slow_check(self, raw_password):
        checks.append(raw_password)
        time.sleep(0.05)  # a real hasher takes this long or longer: the window the race needs
        return real_check(self, raw_password)

    def attempt(i):
        def call():
            return (
                Client()
                .post(
                    reverse("accounts:login"),
                    {"username": "target", "password": f"guess-{i}"},
                    REMOTE_ADDR="203.0.113.66",
                )
                .status_code
            )

        return call

    with mock.patch.object(User, "check_password", slow_check):
        statuses = run_together(*[attempt(i) for i in range(ATTEMPTS)])
    print(f"{len(checks)} password checks, {statuses.count(429)} refused (429) of {ATTEMPTS}")
    assert len(checks) <= 5, f"{len(checks)} password checks for a limit of 5"
    assert statuses.count(429) >= ATTEMPTS - 5

"""Two-factor sign-in (TOTP): open to every staff role, compulsory for staff of a centre that requires it."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import ERR_WRONG_CODE
from audit.actions import Action
from audit.models import AuditEntry
from tests.conftest import PASSWORD


def code_for(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def set_up(client, user, used=None):
    """Confirm a new device with a fresh code; `used`, a list, receives the code (the same code, not one
    computed again later, which a slow run could take from the next 30-second window)."""
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = code_for(device)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": code})
    assert response.status_code == 302, response.content.decode()
    if used is not None:
        used.append(code)
    return TOTPDevice.objects.get(user=user, confirmed=True)


@pytest.mark.parametrize("role", ["assessor", "internal_verifier", "centre_admin", "external_verifier"])
def test_every_staff_role_can_set_up_two_factor_sign_in(client, role_users, role):
    user = role_users[role]
    client.force_login(user)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and 'id="totp-secret"' in text
    set_up(client, user)
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_ENABLED, actor=user).count() == 1


def test_candidates_have_no_two_factor_page(client, role_users):
    client.force_login(role_users["candidate"])
    assert client.get(reverse("accounts:two_factor_setup")).status_code == 404


def test_staff_of_a_centre_that_requires_it_must_set_it_up_before_anything_else(client, centre, role_users):
    centre.require_two_factor = True
    centre.save()
    user = role_users["assessor"]
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    for path in ["/", reverse("dashboards:assessor"), reverse("assessment:caseload"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor_setup"), (
            path
        )
    assert "requires two-factor sign-in" in client.get(reverse("accounts:two_factor_setup")).content.decode()
    set_up(client, user)
    assert client.get(reverse("dashboards:assessor")).status_code == 200


def test_candidates_of_such_a_centre_are_not_asked(client, centre, role_users):
    centre.require_two_factor = True
    centre.save()
    client.force_login(role_users["candidate"])
    assert client.get(reverse("dashboards:candidate")).status_code == 200


def test_after_the_password_a_person_with_an_app_enters_a_code_before_anything_else(client, role_users):
    user = role_users["internal_verifier"]
    client.force_login(user)
    device = set_up(client, user)
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    dashboard = reverse("dashboards:internal_verifier")
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:two_factor_verify")
    )
    assert (
        client.get(reverse("accounts:two_factor_setup")).status_code == 302
    )  # no swapping the app unverified
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert ERR_WRONG_CODE in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(
        reverse("accounts:two_factor_verify") + f"?next={dashboard}",
        {"code": code_for(device, steps_ahead=1)},
    )
    assert ok.status_code == 302 and ok["Location"] == dashboard
    assert client.get(dashboard).status_code == 200
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_VERIFIED, actor=user).count() == 1


def test_a_used_code_cannot_be_used_again(client, role_users):
    user = role_users["assessor"]
    client.force_login(user)
    codes = []
    set_up(client, user, used=codes)
    used = codes[0]
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:two_factor_verify"), {"code": used})
    assert ERR_WRONG_CODE in response.content.decode()

"""An assessor sets up two-factor sign-in from the QR page, signs out, and signs in with a code the test
computes from the key the page showed (as an authenticator app would)."""

import base64
import re
import time

from django_otp.oath import TOTP
from playwright.sync_api import expect


def code(secret: str, steps_ahead=0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_set_up_totp_sign_out_and_sign_in_with_a_code(page, live_server, demo, sign_in):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "assessor")
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.locator("svg.segno")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code from your authenticator app").fill(code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Two-factor sign-in is on")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    sign_in(page, "assessor")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    page.goto(f"{live_server.url}/dashboard/assessor/")  # nothing else opens before the code
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/\?next="))
    # The code of the next 30-second step: the one used at set-up cannot be used twice.
    page.get_by_label("6-digit code from your authenticator app").fill(code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/assessor/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessor dashboard")
    assert not violations, violations

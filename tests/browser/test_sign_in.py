import re

import pytest
from playwright.sync_api import expect

DASHBOARD_HEADINGS = {
    "candidate": ("/dashboard/candidate/", "My portfolio"),
    "assessor": ("/dashboard/assessor/", "Assessor dashboard"),
    "iv": ("/dashboard/internal-verifier/", "Internal verifier dashboard"),
    "admin": ("/dashboard/centre-admin/", "Centre admin dashboard"),
    "ev": ("/dashboard/external-verifier/", "External verifier dashboard"),
}


@pytest.mark.parametrize("username", list(DASHBOARD_HEADINGS))
def test_each_demo_role_signs_in_and_lands_on_its_dashboard(page, live_server, demo, sign_in, username):
    path, heading = DASHBOARD_HEADINGS[username]
    sign_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(live_server.url + path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Skip link is the first focusable element: keyboard users reach the content at once.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")


def test_wrong_password_shows_a_clear_message(page, live_server, demo, sign_in):
    sign_in(page, "assessor", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_sign_out_returns_to_sign_in(page, live_server, demo, sign_in):
    sign_in(page, "candidate")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/dashboard/candidate/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

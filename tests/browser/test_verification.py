"""An internal verifier samples a unit and refers it back; the assessor signs it off again; the internal
verifier agrees; the centre admin claims the certificate."""
import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from qualifications.models import Rule
from tests.assessment.factories import make_qualification, make_registration, make_unit
from tests.verification.conftest import map_evidence, sign
from verification import services


def _world(demo):
    centre = demo["centre"]
    people = {u.username: u for u in User.objects.all()}
    u101 = make_unit(scheme="BV", number="101", criteria=2, credits=3)
    u102 = make_unit(scheme="BV", number="102", criteria=2, credits=4)
    qualification = make_qualification(code="BV-01", mandatory=[u101, u102])
    Rule.objects.create(qualification=qualification, order=1, kind="min_total_credits", params={"credits": 7})
    registration = make_registration(centre=centre, candidate=people["candidate"], assessor=people["assessor"],
                                     internal_verifier=people["iv"], qualification=qualification)
    for unit in (u101, u102):
        map_evidence(registration, unit, people["assessor"])
        ua = registration.unit_assessments.get(unit=unit)
        ua.authenticity_signed_at = timezone.now()
        ua.save()
        sign(ua, people["assessor"])
    today = timezone.localdate()
    plan = services.plan_create(actor=people["iv"], centre=centre, qualification=qualification,
                                period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=30),
                                min_share_percent=50)
    return registration, u101, plan


def _switch(page, sign_in, username):
    page.context.clear_cookies()
    sign_in(page, username)


def test_iv_refers_back_assessor_fixes_iv_agrees_admin_claims(page, live_server, demo, sign_in):
    registration, unit, plan = _world(demo)

    sign_in(page, "iv")
    page.goto(f"{live_server.url}/verification/plans/{plan.pk}/")
    page.get_by_role("button", name="Sample BV-101 of Cara Candidate (summative)").click()
    expect(page.get_by_role("alert")).to_contain_text("1 unit(s) added to the sample")
    page.get_by_role("link", name=re.compile("^BV-101 ")).click()
    # One assessment decision first, from its row: agreed, with a comment.
    page.get_by_label(re.compile(r"^Note on 1\.1 ")).fill("Minutes show the greeting.")
    page.get_by_role("button", name=re.compile(r"^Agree 1\.1 ")).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Assessment decision 1\.1 .* agreed"))
    expect(page.locator("#verification-status")).to_have_text("Decision waiting")
    page.get_by_label("Referred back").check()
    page.get_by_label("Action points").fill("Observe the candidate greeting a second caller.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Referred back: the unit is open again")
    expect(page.locator("#verification-status")).to_have_text("Referred back")

    _switch(page, sign_in, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/units/{unit.pk}/")
    page.get_by_label("Your password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign off unit 101").click()
    expect(page.get_by_role("alert").first).to_contain_text("signed off and locked")

    _switch(page, sign_in, "iv")
    page.goto(f"{live_server.url}/dashboard/internal-verifier/")
    page.get_by_role("region", name="Open referrals").get_by_role("link", name=re.compile("BV-101")).click()
    page.get_by_label("Agreed").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#verification-status")).to_have_text("Agreed")

    _switch(page, sign_in, "admin")
    page.goto(f"{live_server.url}/verification/claims/")
    page.get_by_role("button", name="Claim the full qualification").click()
    expect(page.get_by_role("alert")).to_contain_text("Full qualification claimed for Cara Candidate: 2 unit(s), 7 credits")
    registration.refresh_from_db()
    assert registration.status == "certified"

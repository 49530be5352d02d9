"""The verification loop in the browser: the internal verifier refers one decision back, the assessor sees it
on the dashboard and answers with new evidence, the IV sees that evidence inline and agrees; the centre admin
claims unit certification twice while the candidate stays active, then the full qualification. And a
candidate who leaves: withdrawal with an exit claim."""

import base64
import datetime as dt
import re

from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from evidence.models import EvidenceItem
from qualifications.models import Rule
from tests.assessment.factories import make_qualification, make_registration, make_unit
from tests.verification.conftest import map_evidence, sign
from verification import services

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _world(demo, *, sign_second=False):
    centre = demo["centre"]
    people = {u.username: u for u in User.objects.all()}
    u101 = make_unit(scheme="BV", number="101", criteria=2, credits=3)
    u102 = make_unit(scheme="BV", number="102", criteria=2, credits=4)
    qualification = make_qualification(code="BV-01", mandatory=[u101, u102])
    Rule.objects.create(qualification=qualification, order=1, kind="min_total_credits", params={"credits": 7})
    registration = make_registration(
        centre=centre,
        candidate=people["candidate"],
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        qualification=qualification,
    )
    for unit in (u101, u102):
        map_evidence(registration, unit, people["assessor"])
        ua = registration.unit_assessments.get(unit=unit)
        ua.authenticity_signed_at = timezone.now()
        ua.save()
        if unit is u101 or sign_second:
            sign(ua, people["assessor"], password=DEMO_PASSWORD)
    today = timezone.localdate()
    plan = services.plan_create(
        actor=people["iv"],
        centre=centre,
        qualification=qualification,
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
        min_share_percent=50,
        interim=False,
    )
    return registration, u101, u102, plan


def _switch(page, sign_in, username):
    page.context.clear_cookies()
    sign_in(page, username)


def test_refer_answer_with_evidence_agree_then_two_unit_claims_and_the_full_claim(
    page, live_server, demo, sign_in
):
    registration, u101, u102, plan = _world(demo)
    photo = EvidenceItem.objects.create(
        centre=registration.centre,
        candidate=registration.candidate,
        title="Photo of the greeting card",
        kind="photo",
        content_type="image/png",
        original_name="card.png",
    )
    photo.file.save("card.png", ContentFile(PNG))

    # The IV samples 101 and refers back one decision, 1.1.
    sign_in(page, "iv")
    page.goto(f"{live_server.url}/verification/plans/{plan.pk}/")
    page.get_by_role("button", name="Sample BV-101 of Cara Candidate (Summative stage)").click()
    page.get_by_role("link", name=re.compile("^BV-101 ")).click()
    page.get_by_label(re.compile(r"^Note on 1\.1 ")).fill("Show the greeting itself, not only the minutes.")
    page.get_by_role("button", name=re.compile(r"^Refer back 1\.1 ")).click()
    expect(page.get_by_role("alert")).to_contain_text("referred back")

    # The assessor sees it on the dashboard and answers with new evidence, then signs the unit again.
    _switch(page, sign_in, "assessor")
    page.goto(f"{live_server.url}/dashboard/assessor/")
    page.get_by_role("link", name=re.compile("1 referral to answer")).click()
    expect(page.locator("#referrals")).to_contain_text("Referred back by IV")
    page.get_by_role("link", name="Answer the referral of BV-101").click()
    page.get_by_label("New evidence", exact=True).check()
    page.get_by_label("What you did, for the internal verifier").fill("Added the photo of the greeting card.")
    page.locator("#id_evidence").select_option(str(photo.pk))
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Referral answered")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/units/{u101.pk}/")
    page.get_by_label("Your password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign off unit 101").click()
    expect(page.get_by_role("alert").first).to_contain_text("signed off and locked")

    # The IV sees the new evidence inline, agrees the decision (closing the referral) and the unit.
    _switch(page, sign_in, "iv")
    page.goto(f"{live_server.url}/verification/plans/{plan.pk}/")
    page.get_by_role("link", name=re.compile("^BV-101 ")).click()
    expect(page.locator('img[alt="Photo of the greeting card"]').first).to_be_visible()
    expect(page.locator(".referral-answer")).to_contain_text("Added the photo of the greeting card.")
    page.get_by_label(re.compile(r"^Note on 1\.1 ")).first.fill("The photo shows the greeting.")
    page.get_by_role("button", name=re.compile(r"^Agree 1\.1 ")).first.click()
    expect(page.get_by_role("alert")).to_contain_text("agreed")
    page.get_by_label("Agreed").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#verification-status")).to_have_text("Agreed")

    # Unit claim for 101: the candidate stays active.
    _switch(page, sign_in, "admin")
    page.goto(f"{live_server.url}/verification/claims/")
    page.get_by_role("link", name=re.compile("Claim unit certification")).click()
    page.get_by_role("button", name="Make the claim").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Unit certification claimed for Cara Candidate: 1 unit(s), 3 credits"
    )
    registration.refresh_from_db()
    assert registration.status == "active"

    # Assessed on another unit: 102 signed, then a second unit claim.
    _switch(page, sign_in, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/units/{u102.pk}/")
    page.get_by_label("Your password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign off unit 102").click()
    expect(page.get_by_role("alert").first).to_contain_text("signed off and locked")
    _switch(page, sign_in, "admin")
    page.goto(f"{live_server.url}/verification/claims/")
    page.get_by_role("link", name=re.compile("Claim unit certification")).click()
    page.get_by_role("button", name="Make the claim").click()
    expect(page.get_by_role("alert")).to_contain_text("1 unit(s), 4 credits")

    # The full claim waits for the plan (unit 102 not sampled), with the reason shown.
    page.goto(f"{live_server.url}/verification/claims/{registration.pk}/claim/?kind=full")
    expect(page.locator("#claim-reasons")).to_contain_text("The sampling plan needs unit BV-102 sampled")
    _switch(page, sign_in, "iv")
    page.goto(f"{live_server.url}/verification/plans/{plan.pk}/")
    page.get_by_role("button", name="Sample BV-102 of Cara Candidate (Summative stage)").click()
    page.get_by_role("link", name=re.compile("^BV-102 ")).click()
    page.get_by_label("Agreed").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#verification-status")).to_have_text("Agreed")

    _switch(page, sign_in, "admin")
    page.goto(f"{live_server.url}/verification/claims/")
    page.get_by_role("link", name="Claim the full qualification").click()
    page.get_by_label(re.compile("I confirm: this claim closes the registration")).check()
    page.get_by_role("button", name="Make the claim").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Full qualification claimed for Cara Candidate: 2 unit(s), 7 credits"
    )
    registration.refresh_from_db()
    assert registration.status == "certified"
    expect(page.locator("#claims tbody tr")).to_have_count(3)


def test_withdrawal_with_an_exit_claim(page, live_server, demo, sign_in):
    registration, u101, u102, plan = _world(demo)
    sign_in(page, "admin")
    page.goto(f"{live_server.url}/verification/claims/")
    page.locator(f"#ready-{registration.pk}").get_by_role("link", name="Exit claim").click()
    page.get_by_label("Why the candidate leaves").fill("Left the company.")
    page.get_by_role("button", name="Make the claim").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the confirmation")
    page.get_by_label("Why the candidate leaves").fill("Left the company.")
    page.get_by_label(re.compile("I confirm: the candidate is withdrawn")).check()
    page.get_by_role("button", name="Make the claim").click()
    expect(page.get_by_role("alert")).to_contain_text("Exit claim")
    registration.refresh_from_db()
    assert registration.status == "withdrawn" and registration.status_reason == "Left the company."
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/status/")
    page.get_by_role("button", name="Reinstate the candidate").click()
    expect(page.get_by_role("alert")).to_contain_text("exit claim closed it")
    registration.refresh_from_db()
    assert registration.status == "withdrawn"

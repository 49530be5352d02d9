"""Journey: the candidate signs the authenticity statement; the assessor maps evidence to every criterion of a
4411 unit, records an observation, signs the unit off and leaves feedback; the candidate sees it all."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.waiting import every


@pytest.fixture
def registered(demo):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from evidence.models import EvidenceItem
    from qualifications.models import Qualification, Unit

    people = {u.username: u for u in User.objects.all()}
    registration = services.registration_create(
        actor=people["admin"],
        centre=demo["centre"],
        candidate=people["candidate"],
        qualification=Qualification.objects.get(code="4411-01"),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=datetime.date(2026, 1, 12),
        optional_units=list(Unit.objects.filter(ref__in=["4411-101", "4411-103", "4411-104"])),
    )
    EvidenceItem.objects.create(
        centre=demo["centre"],
        candidate=people["candidate"],
        kind="statement",
        title="My account of dressing for work",
        statement_text="Uniform, badge, tidy hair.",
    )
    return registration


def test_assessor_maps_observes_signs_and_candidate_sees_progress(page, live_server, sign_in, registered):
    # The candidate signs the unit's authenticity statement.
    sign_in(page, "candidate")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name="Sign the authenticity statement for unit 101").click()
    page.get_by_role("button", name="Sign the statement for unit 101").click()
    expect(page.locator("#unit-101")).to_contain_text("You signed the authenticity statement")
    page.context.clear_cookies()

    # Before any mapping, unit 101's page lists what is missing and the sign-off button says why it is disabled.
    sign_in(page, "assessor")
    page.get_by_role("link", name="Cara Candidate").first.click()
    page.get_by_role("link", name=re.compile(r"^101 ")).click()
    expect(page.locator("#sign-off-missing")).to_contain_text(
        "Criteria not yet met by accepted evidence: 1.1"
    )
    button = page.get_by_role("button", name="Sign off unit 101")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(re.compile("Criteria not yet met by accepted evidence"))
    page.get_by_role("link", name=re.compile("Cara Candidate")).first.click()

    # The assessor maps the statement to every criterion of unit 101.
    page.get_by_role("link", name="Map “My account of dressing for work”").click()
    boxes = page.locator("details", has_text="Unit 101").locator("input[type=checkbox]")
    for element in every(boxes):
        element.check()
    page.get_by_label("Assessment method").select_option("product_evidence")
    page.get_by_label("Location reference").fill("paragraph 1")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("alert")).to_contain_text("mapped")

    # ... records an observation of criterion 1.1.
    page.get_by_role("link", name=re.compile("Cara Candidate")).first.click()
    page.get_by_role("link", name="New observation record").click()
    page.get_by_label("Place").fill("Shop floor")
    page.get_by_label("What the candidate was seen doing").fill("Greeted customers in full uniform.")
    page.get_by_label(re.compile(r"^\s*101 1\.1 ")).check()
    page.get_by_role("button", name="Save observation record").click()
    expect(page.get_by_role("alert")).to_contain_text("Observation record saved")

    # Every criterion is met, but the candidate has not signed the observation record: still disabled, and why.
    page.get_by_role("link", name=re.compile(r"^101 ")).click()
    expect(page.locator("#coverage-matrix")).not_to_contain_text("Gap")
    expect(page.locator("#sign-off-missing")).to_have_text(
        re.compile(
            r"^\s*The candidate has not signed the records this unit relies on: Observation record \d\d/\d\d/\d{4}\.\s*$"
        )
    )
    expect(page.get_by_role("button", name="Sign off unit 101")).to_be_disabled()
    expect(page.get_by_role("button", name="Sign off unit 101")).to_have_accessible_description(
        re.compile("has not signed the records")
    )
    page.context.clear_cookies()
    sign_in(page, "candidate")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name=re.compile("^Observation record")).click()
    page.get_by_role("button", name="I agree this record is accurate: sign it").click()
    page.context.clear_cookies()

    # ... and, nothing missing now, signs unit 101 off with a password re-check.
    sign_in(page, "assessor")
    page.get_by_role("link", name="Cara Candidate").first.click()
    page.get_by_role("link", name=re.compile(r"^101 ")).click()
    expect(page.locator("#sign-off-ready")).to_be_visible()
    expect(page.get_by_role("button", name="Sign off unit 101")).to_be_enabled()
    confirmations = page.locator("input[name=confirmed]")
    for box in every(confirmations):
        box.check()
        ref = box.get_attribute("value")
        page.get_by_label(f"Note for {ref}").fill("Shown in the account, paragraph 1, and the observation.")
    page.get_by_label("Your password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign off unit 101").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and locked")
    expect(page.locator("#unit-status")).to_have_text("Signed off")

    page.get_by_role("link", name="Give feedback on this unit").click()
    page.get_by_role("textbox", name=re.compile("Feedback")).fill(
        "Unit 101 is complete: well presented evidence."
    )
    page.get_by_role("button", name="Send feedback").click()
    page.context.clear_cookies()

    # The candidate sees the feedback and the progress.
    sign_in(page, "candidate")
    page.get_by_role("link", name="My progress").first.click()
    unit = page.locator("#unit-101")
    expect(unit).to_contain_text("Signed off")
    expect(unit).to_contain_text("9 of 9 criteria met")
    expect(page.locator(".feedback")).to_contain_text("Unit 101 is complete")


def test_admin_registers_a_4430_04_candidate_with_the_tally_and_suggest_a_route(
    page, live_server, sign_in, demo
):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4430-04.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from assessment.models import Registration
    from qualifications.models import Qualification

    admin = User.objects.get(username="admin")
    services.awarding_body_extension_record(
        centre=demo["centre"],
        qualification=Qualification.objects.get(code="4430-04"),
        actor=admin,
        kind="registration",
        reference="CG-EXT-2026-01",
        new_date=datetime.date(2027, 7, 31),
    )
    sign_in(page, "admin")
    page.goto(f"{live_server.url}/assessment/registrations/new/?qualification=4430-04")
    expect(page.locator("#unit-choice")).to_contain_text("Development and Improvement")
    expect(page.locator("#unit-choice")).to_contain_text("not assessable yet")
    expect(page.locator("#tally-credits")).to_have_text("20")  # the mandatory 401 and 402
    page.get_by_label(re.compile(r"^403 Champion customer service")).check()
    expect(page.locator("#tally-credits")).to_have_text("30")  # live, as the box is ticked
    page.get_by_role("button", name="Suggest a route").click()
    expect(page.locator("#route")).to_contain_text("Suggested route: add")
    expect(page.locator("#tally-credits")).to_have_text("67")
    expect(page.locator("#tally-rules")).not_to_contain_text("Not yet")
    page.locator("#id_candidate").fill("candidate")  # the username (the form no longer lists every candidate)
    page.locator("#id_assessor").select_option(label="Adam Assessor (assessor)")
    page.locator("#id_internal_verifier").select_option(label="Ivy Verifier (iv)")
    for box in every(
        page.locator("#entry-conditions input[type=checkbox]")
    ):  # the handbook's entry conditions
        box.check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert").first).to_contain_text("registered on 4430-04")
    registration = Registration.objects.get(candidate__username="candidate", qualification__code="4430-04")
    assert sorted(u.number for u in registration.optional_units.all()) == ["403", "405", "407", "410", "413"]

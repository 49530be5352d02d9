"""Journey: at induction the assessor records a skills scan, makes the assessment plan from it (unit, venue, date
and time, methods), the candidate agrees both, the assessor reviews the plan and downloads its PDF; an
assessment report is recorded and signed."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.printing.pdftext import pdf_text


@pytest.fixture
def registered(demo):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from qualifications.models import Qualification, Unit

    people = {u.username: u for u in User.objects.all()}
    return services.registration_create(
        actor=people["admin"],
        centre=demo["centre"],
        candidate=people["candidate"],
        qualification=Qualification.objects.get(code="4411-01"),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=datetime.date(2026, 1, 12),
        optional_units=list(Unit.objects.filter(ref__in=["4411-101", "4411-103", "4411-104"])),
    )


def test_skills_scan_to_plan_to_review_and_report(page, live_server, sign_in, registered):
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/assessment/registrations/{registered.pk}/")
    page.get_by_role("link", name="New skills scan").click()
    page.get_by_label("Unit 101: candidate's rating").select_option("1")
    page.get_by_label("Unit 101: assessor's rating").select_option("2")
    page.get_by_label("Unit 102: candidate's rating").select_option("3")
    page.get_by_label("Agreed actions").fill("Start with unit 101: plan an observation.")
    page.get_by_role("button", name="Save skills scan").click()
    expect(page.get_by_role("alert")).to_contain_text("Skills scan saved")

    page.get_by_role("link", name="Make an assessment plan from this scan").click()
    expect(page.get_by_label("Activity", exact=True).first).to_have_value(
        "Start with unit 101: plan an observation."
    )
    page.get_by_label("Unit", exact=True).select_option(label="101 Create a good impression to customers")
    page.get_by_label("Venue").fill("Shop floor")
    page.get_by_label("Date and time").fill("2026-03-02T10:30")
    page.get_by_label("Direct /e-Observation").check()
    page.get_by_label("Oral questioning").check()
    page.get_by_label("Target date").first.fill("2026-03-02")
    page.get_by_role("button", name="Save assessment plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Assessment plan saved")
    page.get_by_label("Progress against the plan").fill("Observation booked.")
    next_review = timezone.localdate() + datetime.timedelta(days=30)
    page.get_by_label("Next review date").fill(next_review.isoformat())
    page.get_by_role("button", name="Save review").click()
    expect(page.locator("#reviews")).to_contain_text("Observation booked.")
    expect(page.locator("#next-review")).to_have_text(next_review.strftime("%d/%m/%Y"))
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the assessment plan (PDF)").click()
    with open(info.value.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "Assessment action plan" in text and "Venue Shop floor" in text and "✓ Oral questioning" in text

    page.goto(f"{live_server.url}/assessment/registrations/{registered.pk}/")
    page.get_by_role("link", name="New assessment report").click()
    page.locator("#id_unit").select_option(label="101 Create a good impression to customers")
    page.get_by_label("Are more skills and techniques evidence required?").select_option("no")
    page.get_by_label("Outcome of assessment").fill("Competent.")
    page.get_by_role("button", name="Save assessment report").click()
    expect(page.get_by_role("alert")).to_contain_text("Assessment report saved")
    page.context.clear_cookies()

    sign_in(page, "candidate")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name="Skills scan of").click()
    page.get_by_role("button", name="I agree this skills scan").click()
    expect(page.get_by_role("alert")).to_contain_text("You agreed the skills scan")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name="Assessment plan of").click()
    page.get_by_role("button", name="I agree this action plan").click()
    expect(page.get_by_role("alert")).to_contain_text("You agreed the action plan")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name="Assessment report, unit 101").click()
    page.get_by_role("button", name="I have read this report: sign it").click()
    expect(page.get_by_role("alert")).to_contain_text("You signed the assessment report")

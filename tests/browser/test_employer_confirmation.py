"""Issue 15 item 4: the assessor asks the employer by email; the employer (not signed in) confirms the summary of
unit achievement from the link; the assessor, the IV and the external verifier see "confirmed by", and the printed
summary carries the confirmation and its verification code."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.printing.pdftext import pdf_text


@pytest.fixture
def achieved(demo, live_server):
    """Cara on 4411-01 with unit 101 signed off."""
    settings.SITE_URL = live_server.url
    settings.WITNESS_LINK_RATE_LIMIT = 1000
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from assessment.models import UnitAssessment
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
    UnitAssessment.objects.update_or_create(
        registration=registration,
        unit=Unit.objects.get(ref="4411-101"),
        defaults={"status": "signed", "signed_by": people["assessor"], "signed_at": timezone.now()},
    )
    return registration


def test_employer_confirms_the_summary_by_link(page, live_server, sign_in, achieved):
    from accounts.models import User
    from verification import services as verification_services

    registration_page = f"{live_server.url}{reverse('assessment:registration_detail', args=[achieved.pk])}"
    sign_in(page, "assessor")
    page.goto(registration_page)
    section = page.locator("#employer-confirmation")
    expect(section).to_contain_text("Not asked yet.")
    section.get_by_label("Employer's name").fill("Erin Employer")
    section.get_by_label("Employer's email").fill("erin@example.org")
    section.get_by_label("Organisation").fill("Market Street Stores")
    section.get_by_role("button", name="Email the employer a link to confirm").click()
    expect(page.get_by_role("alert").filter(has_text="Emailed Erin Employer")).to_be_visible()
    expect(page.locator("#employer-confirmations")).to_contain_text("not yet confirmed")
    page.context.clear_cookies()

    # The employer, with no account, confirms from the link in the email.
    assert mail.outbox[-1].to == ["erin@example.org"]
    link = re.search(r"http\S+/assessment/employer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    request = page.locator("#employer-request")
    expect(request).to_contain_text("Cara Candidate")
    expect(request).to_contain_text("4411-01")
    expect(request).to_contain_text("4411-101")
    page.get_by_label("Your job title").fill("Store manager")
    page.get_by_label(
        "I can confirm the candidate has personally completed the work as part of regular duties in "
        "the workplace."
    ).check()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("confirmed by Erin Employer, Store manager")
    code = re.search(r"[A-Z2-9]{5}-[A-Z2-9]{5}", page.get_by_role("status").inner_text()).group(0)
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already been used")

    # The assessor sees "confirmed by" and prints the summary: the confirmation and its code.
    sign_in(page, "assessor")
    page.goto(registration_page)
    expect(page.locator("#employer-confirmations")).to_contain_text(
        "Confirmed by Erin Employer, Store manager"
    )
    expect(page.locator("#employer-confirmations")).to_contain_text(code)
    summary = page.request.get(
        live_server.url + reverse("printing:completed", args=[achieved.pk, "unit-summary"])
    )
    assert summary.ok
    text = pdf_text(summary.body())
    assert (
        f"Signed electronically by Erin Employer on {timezone.localdate():%d/%m/%Y} · verification code {code}"
        in text
    )
    page.context.clear_cookies()

    # The internal verifier sees it on the registration page, the external verifier on theirs.
    sign_in(page, "iv")
    page.goto(registration_page)
    expect(page.locator("#employer-confirmations")).to_contain_text("Confirmed by Erin Employer")
    expect(page.get_by_role("button", name="Email the employer a link to confirm")).to_have_count(0)
    page.context.clear_cookies()
    verification_services.grant_create(
        actor=User.objects.get(username="admin"),
        centre=achieved.centre,
        external_verifier=User.objects.get(username="ev"),
        scope="candidates",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        registrations=[achieved],
    )
    sign_in(page, "ev")
    page.goto(f"{live_server.url}{reverse('verification:ev_registration', args=[achieved.pk])}")
    expect(page.locator("#employer-confirmation")).to_contain_text(
        "confirmed by Erin Employer, Store manager"
    )
    expect(page.locator("#employer-confirmation")).to_contain_text(code)

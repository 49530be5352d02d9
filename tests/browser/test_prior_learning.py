"""The receiving assessor re-signs a unit that was signed at the sending centre: the provenance page says it was
signed there and is to be re-signed here; the assessor confirms its prior evidence, follows the link to the unit,
signs it off with a password re-check, and both pages then name the original and the new signature."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from assessment import services as assessment_services
from assessment.models import UnitAssessment
from portability.models import PassportImport
from tests.conftest import PASSWORD
from tests.portability.conftest import claimed_world  # noqa: F401 - fixture
from tests.verification.conftest import plan, signed_world, world  # noqa: F401 - fixtures


@pytest.fixture
def imported(transactional_db, claimed_world, other_centre, tmp_path):  # noqa: F811
    w = claimed_world
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    candidate = w.make_user("cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving")
    w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER)
    w.make_user("radmin", other_centre, Role.CENTRE_ADMIN)
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "cara2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
        stdout=io.StringIO(),
    )
    registration = PassportImport.objects.get().registration
    ua = UnitAssessment.objects.get(registration=registration, unit=w.u101)
    assessment_services.authenticity_sign(
        unit_assessment=ua, actor=candidate
    )  # the candidate declares it here
    w.received = registration
    return w


def test_receiving_assessor_re_signs_an_imported_signed_unit(page, live_server, imported, sign_in):
    w = imported
    signed_on = timezone.localtime(w.ua(w.reg1, w.u101).signed_at).strftime("%d/%m/%Y")
    there = f"Signed at Test Centre on {signed_on} by Ann Assessor"
    sign_in(page, "rosa", PASSWORD)
    page.goto(f"{live_server.url}/passports/imported/{w.received.pk}/")
    unit_card = page.locator("section.card", has=page.get_by_role("heading", name=re.compile(r"^Unit 101 ")))
    expect(unit_card.locator(".prior-signature")).to_contain_text(f"{there}, to be re-signed here")
    unit_card.get_by_role("button", name="Confirm unit 101 as prior learning").click()
    expect(page.get_by_role("alert").filter(has_text="prior evidence confirmed")).to_be_visible()
    unit_card.get_by_role("link", name="re-sign unit 101 here").click()

    expect(page.locator("#prior-signature")).to_contain_text(f"{there}, to be re-signed here")
    expect(page.locator("#unit-status")).to_have_text("In progress")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign off unit 101").click()
    expect(page.locator("#unit-status")).to_have_text("Signed off")
    today = timezone.localdate().strftime("%d/%m/%Y")
    expect(page.locator("#prior-signature")).to_contain_text(
        f"{there}; re-signed here by Rosa Receiving on {today}"
    )

    page.goto(f"{live_server.url}/passports/imported/{w.received.pk}/")
    expect(unit_card.locator(".prior-signature")).to_contain_text("re-signed here by Rosa Receiving")
    unit_102 = page.locator("section.card", has=page.get_by_role("heading", name=re.compile(r"^Unit 102 ")))
    expect(unit_102.locator(".prior-signature")).to_contain_text("to be re-signed here")

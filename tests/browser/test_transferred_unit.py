"""Units signed at the sending centre stay signed: a centre admin imports a passport in the browser; the receiving
assessor finds unit 101 signed with its original signature and confirms it on the prior-learning page (it stays
signed, now confirmed here), and rejects unit 102 with a note (it opens, to be assessed here)."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from assessment.models import UnitAssessment
from portability.models import PassportImport
from tests.conftest import PASSWORD
from tests.portability.conftest import claimed_world  # noqa: F401 - fixture
from tests.verification.conftest import plan, signed_world, world  # noqa: F401 - fixtures


@pytest.fixture
def passport_file(transactional_db, claimed_world, other_centre, tmp_path):  # noqa: F811
    w = claimed_world
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    w.make_user("cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate")
    w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving")
    w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER, first_name="Ian", last_name="Verifier")
    w.make_user("radmin", other_centre, Role.CENTRE_ADMIN, first_name="Rita", last_name="Admin")
    w.passport = path
    return w


def test_a_transferred_unit_arrives_signed_and_the_receiving_assessor_confirms_or_rejects(
    page, live_server, passport_file, sign_in
):
    w = passport_file
    sign_in(page, "radmin", PASSWORD)
    page.goto(f"{live_server.url}/passports/import/")
    page.get_by_label("Portfolio passport (ZIP)").set_input_files(str(w.passport))
    page.get_by_role("textbox", name=re.compile(r"^Candidate")).fill("cara2")
    page.get_by_role("combobox", name=re.compile(r"^Assessor")).select_option(label="Rosa Receiving")
    page.get_by_role("combobox", name=re.compile(r"^Internal verifier")).select_option(label="Ian Verifier")
    page.get_by_role("button", name="Verify and import").click()
    expect(page.get_by_role("alert").filter(has_text="Imported from Test Centre")).to_be_visible()
    registration = PassportImport.objects.get().registration

    page.context.clear_cookies()
    sign_in(page, "rosa", PASSWORD)
    signed_on = {
        unit.number: timezone.localtime(w.ua(w.reg1, unit).signed_at).strftime("%d/%m/%Y")
        for unit in (w.u101, w.u102)
    }
    there = f"Signed at Test Centre (T001) on {signed_on['101']} by Ann Assessor"
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/")
    row = page.get_by_role("row", name=re.compile(r"^101 "))
    expect(row).to_contain_text("Signed at the sending centre (transferred)")
    expect(row).to_contain_text(f"{there}; waiting for the assessor here to confirm or reject it")
    row.get_by_role("link", name=re.compile(r"^101 ")).click()
    expect(page.locator("#unit-status")).to_have_text("Signed off")
    expect(page.locator("#transferred-signature")).to_contain_text(there)
    expect(page.get_by_role("button", name="Sign off unit 101")).to_have_count(0)
    page.locator("#transferred-signature").get_by_role("link", name="Prior learning from Test Centre").click()

    unit_101 = page.locator("section.card", has=page.get_by_role("heading", name=re.compile(r"^Unit 101 ")))
    expect(unit_101.locator(".prior-signature")).to_contain_text(there)
    unit_101.get_by_role("button", name="Confirm unit 101 as signed at the sending centre").click()
    expect(page.get_by_role("alert").filter(has_text="Unit 101: prior evidence confirmed")).to_be_visible()
    today = timezone.localdate().strftime("%d/%m/%Y")
    expect(unit_101.locator(".prior-signature")).to_contain_text(
        f"{there}; confirmed here by Rosa Receiving on {today}"
    )

    unit_102 = page.locator("section.card", has=page.get_by_role("heading", name=re.compile(r"^Unit 102 ")))
    unit_102.get_by_label("Note").fill("The observation is older than the centre accepts.")
    unit_102.get_by_role("button", name="Reject unit 102").click()
    expect(page.get_by_role("alert").filter(has_text="Unit 102: prior evidence rejected")).to_be_visible()
    expect(unit_102).to_contain_text("The observation is older than the centre accepts.")
    expect(unit_102.locator(".prior-signature")).to_contain_text(
        "it is open here (its prior evidence was rejected)"
    )

    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/units/{w.u102.pk}/")
    expect(page.locator("#unit-status")).to_have_text("In progress")
    expect(page.locator("#transferred-signature")).to_have_count(0)
    page.goto(f"{live_server.url}/assessment/registrations/{registration.pk}/units/{w.u101.pk}/")
    expect(page.locator("#transferred-signature")).to_contain_text(
        f"confirmed here by Rosa Receiving on {today}"
    )
    statuses = dict(UnitAssessment.objects.filter(registration=registration).values_list("unit_id", "status"))
    assert statuses == {w.u101.pk: "signed", w.u102.pk: "open"}

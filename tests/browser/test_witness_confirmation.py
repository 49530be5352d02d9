"""Journey (issue 15): the candidate asks a witness by email; the witness, not signed in, confirms from the link;
the assessor sees "confirmed by" and maps it; the unit is signed; the printed witness status list and recording
form carry the confirmation and verification codes; verify_signature reports the match, then the mismatch once
the signed content was altered in the database behind the application's back."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.waiting import every
from tests.printing.pdftext import pdf_text

CODE = r"[A-Z2-9]{5}-[A-Z2-9]{5}"


def squashed(content: bytes) -> str:
    """The PDF's text without any whitespace: a narrow table cell may wrap anywhere."""
    return re.sub(r"\s+", "", pdf_text(content))


@pytest.fixture
def registered(demo, live_server):
    settings.SITE_URL = live_server.url
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


def test_witness_confirms_by_link_and_the_signatures_verify(page, live_server, sign_in, registered, capsys):
    from evidence.models import EvidenceItem, WitnessTestimony

    # The candidate records the witness and the testimony, and asks the witness to confirm it.
    sign_in(page, "candidate")
    page.goto(f"{live_server.url}{reverse('evidence:witness_new')}")
    page.get_by_label("Witness name").fill("Sam Supervisor")
    page.get_by_label("Job title").fill("Store manager")
    page.get_by_label("Professional relationship").fill("Line manager")
    page.get_by_label("Witness's email address").fill("sam@example.org")
    page.locator("input[name=suggested_status_category][value='3']").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    page.goto(f"{live_server.url}{reverse('evidence:testimony_new')}")
    page.locator("select[name=witness]").select_option(label="Sam Supervisor")
    page.locator("input[name=title]").fill("Dressing for work")
    page.get_by_label("The witness's statement").fill("Cara wore her uniform and badge every day.")
    boxes = page.locator("input[name=criteria]")
    for box in every(boxes):
        if "4411-101" in (page.locator(f"label[for={box.get_attribute('id')}]").inner_text()):
            box.check()
    expect(page.get_by_label(re.compile("Email the witness a link"))).to_be_checked()
    page.get_by_label("I confirm that the evidence provided is a result of my own work.").check()
    page.get_by_role("button", name="Save witness testimony").click()
    expect(page.locator("#testimony-confirmation")).to_contain_text("Not confirmed by the witness")
    page.context.clear_cookies()

    # The witness, with no account, confirms from the link in the email, in their own words.
    assert mail.outbox[-1].to == ["sam@example.org"]
    link = re.search(r"http\S+/evidence/witness/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.locator("#witness-request")).to_contain_text("Cara Candidate")
    expect(page.locator("#witness-request")).to_contain_text("Dressing for work")
    expect(page.locator("#witness-request")).to_contain_text("4411-101")
    page.get_by_label("Your statement").fill("Cara wore her uniform and badge every day; her hair was tidy.")
    page.get_by_label("Your job title").fill("Store manager")
    page.get_by_label(re.compile("I confirm that the details above are correct")).check()
    page.get_by_role("button", name="Confirm the testimony").click()
    expect(page.get_by_role("status")).to_contain_text("confirmed by Sam Supervisor, Store manager")
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already been used")

    # The candidate signs the unit's authenticity statement (over the evidence as the witness confirmed it).
    sign_in(page, "candidate")
    page.get_by_role("link", name="My progress").first.click()
    page.get_by_role("link", name="Sign the authenticity statement for unit 101").click()
    page.get_by_role("button", name="Sign the statement for unit 101").click()
    page.context.clear_cookies()

    # The assessor sees "confirmed by", maps the testimony to every criterion of unit 101 and signs it off.
    sign_in(page, "assessor")
    page.get_by_role("link", name="Cara Candidate").first.click()
    page.get_by_role("link", name="Map “Dressing for work”").click()
    expect(page.locator("#testimony-confirmation")).to_contain_text(
        "confirmed by Sam Supervisor, Store manager"
    )
    boxes = page.locator("details", has_text="Unit 101").locator("input[type=checkbox]")
    for element in every(boxes):
        element.check()
    page.get_by_label("Assessment method").select_option("witness_testimony")
    page.get_by_label("Location reference").fill("whole statement")
    page.get_by_role("button", name="Save mapping").click()
    expect(page.get_by_role("alert")).to_contain_text("mapped")
    page.get_by_role("link", name=re.compile("Cara Candidate")).first.click()
    page.get_by_role("link", name="New observation record").click()
    page.get_by_label("Place").fill("Shop floor")
    page.get_by_label("What the candidate was seen doing").fill("Greeted customers in full uniform.")
    page.get_by_label(re.compile(r"^\s*101 1\.1 ")).check()
    page.get_by_role("button", name="Save observation record").click()
    expect(page.get_by_role("alert")).to_contain_text("Observation record saved")
    # The candidate signs the observation record (their page for it is tested in test_assessment.py).
    from assessment import services as assessment_services
    from assessment.models import AssessmentRecord

    record = AssessmentRecord.objects.select_related("registration__candidate").get(registration=registered)
    assessment_services.record_candidate_sign(record=record, actor=record.registration.candidate)
    page.get_by_role("link", name=re.compile(r"^101 ")).click()
    confirmations = page.locator("input[name=confirmed]")
    for element in every(confirmations):
        element.check()
    notes = page.locator("input[name^=note_]")
    for note in every(notes):  # each confirmed requirement says where the evidence shows it
        note.fill("Shown in the witness testimony.")
    expect(page.locator("#sign-off-statement")).to_contain_text("demonstrated competence")
    page.get_by_label("Your password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign off unit 101").click()
    expect(page.locator("#unit-status")).to_have_text("Signed off")

    # The printed witness status list and recording form carry the confirmation and the codes.
    from qualifications.models import Unit

    unit = Unit.objects.get(ref="4411-101")
    listing = page.request.get(
        live_server.url + reverse("printing:completed", args=[registered.pk, "witness-status-list"])
    )
    assert listing.ok
    listing_text = squashed(listing.body())
    assert re.search(rf"ConfirmedbySamSupervisor,Storemanager,\d\d/\d\d/\d{{4}}·code{CODE}", listing_text)
    form = page.request.get(
        live_server.url + reverse("printing:completed_unit", args=[registered.pk, unit.pk, "recording-form"])
    )
    assert form.ok
    form_text = squashed(form.body())
    witness_code = re.search(
        rf"confirmedbySamSupervisor,Storemanager,[\d/]+·verificationcode({CODE})", form_text
    ).group(1)
    assert witness_code in listing_text
    sign_off_codes = re.findall(rf"Signedelectronicallyby[^·]+?on[\d/]+·verificationcode({CODE})", form_text)
    assert len(sign_off_codes) == 2  # the candidate's authenticity statement and the assessor's sign-off
    assert "Iconfirmthattheevidenceprovidedisaresultofmyownwork." in form_text

    # verify_signature: the content matches; then altered behind the application's back, it does not.
    for code in [witness_code, *sign_off_codes]:
        call_command("verify_signature", code)
        assert "still matches" in capsys.readouterr().out
    testimony = WitnessTestimony.objects.get(signature__code=witness_code.replace("-", ""))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EvidenceItem._meta.db_table} SET statement_text = %s WHERE id = %s",
            ["Cara was late and untidy.", testimony.evidence_id],
        )
    for code in [witness_code, sign_off_codes[1]]:
        with pytest.raises(CommandError, match="changed"):
            call_command("verify_signature", code)
        assert "DOES NOT MATCH" in capsys.readouterr().out

    # ... and the verification page for staff says the same.
    page.goto(f"{live_server.url}{reverse('signature_verify')}?code={witness_code}")
    expect(page.locator("#signature-report")).to_contain_text("DOES NOT MATCH")
    expect(page.locator("#signature-report")).to_contain_text("Cara was late and untidy.")

"""The centre admin runs the centre: creates a candidate who sets a password from the emailed invitation and
signs in; imports a 50-row file (refused with both bad rows named, then the corrected file)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Centre, Membership, Role, User
from assessment.models import Registration

ADMIN_PASSWORD = "demo-pass-2026"
NEW_PASSWORD = "priya-chooses-this-2026"


@pytest.fixture
def centre_admin(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    centre = Centre.objects.create(name="Northfield College", number="N100")
    admin = User.objects.create_user("head", password=ADMIN_PASSWORD, first_name="Hana", last_name="Head")
    Membership.objects.create(user=admin, centre=centre, role=Role.CENTRE_ADMIN)
    return centre


def test_admin_creates_a_candidate_who_sets_a_password_from_the_email_and_signs_in(
    page, live_server, sign_in, centre_admin
):
    sign_in(page, "head")
    page.get_by_role("link", name="People at Northfield College").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Patel")
    expect(page.get_by_label("Username")).to_have_value("priya.patel")  # suggested from the name
    page.get_by_label("Email").fill("priya@example.org")
    page.get_by_label("Candidate", exact=True).check()
    page.get_by_label("Candidate (enrolment) number").fill("CN-2026-001")
    page.get_by_role("button", name="Create and send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "an invitation to set a password was sent to priya@example.org"
    )
    page.get_by_role("link", name="People at Northfield College").click()
    expect(page.get_by_role("row", name=re.compile("Priya Patel"))).to_contain_text("not accepted")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["priya@example.org"]
    link = re.search(r"(http://\S+/invitation/\S+/\S+/)", mail.outbox[0].body).group(1)
    assert link.startswith(live_server.url)
    page.get_by_role("button", name="Sign out").click()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("priya.patel")
    sign_in(page, "priya.patel", password=NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My portfolio")

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)  # used once already
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    expect(page.get_by_role("button", name="Send me a new link")).to_be_visible()


def people_csv(rows, bad=()):
    lines = [
        "role,username,first_name,last_name,email,candidate_number,qualification,assessor,internal_verifier,"
        "optional_units,registered_on"
    ]
    for i in range(rows):
        assessor = "ass.one" if i % 2 else "ass.two"
        iv = "iv.one"
        qualification = "4411-01"
        if i == 11 and "assessor" in bad:
            assessor = "ghost"  # not an assessor here
        if i == 36 and "qualification" in bad:
            qualification = "4411-99"
        lines.append(
            f"candidate,learner{i:02d},Learner{i:02d},Mis,learner{i:02d}@example.org,CN{i:03d},{qualification},"
            f"{assessor},{iv},{'101 103' if i % 2 else ''},01/09/2026"
        )
    return ("\n".join(lines) + "\n").encode()


def test_admin_imports_50_people_refused_with_two_bad_rows_then_corrected(
    page, live_server, sign_in, centre_admin, tmp_path
):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    for username, role in (
        ("ass.one", Role.ASSESSOR),
        ("ass.two", Role.ASSESSOR),
        ("iv.one", Role.INTERNAL_VERIFIER),
    ):
        user = User.objects.create_user(
            username, first_name=username.split(".")[0], last_name=username.split(".")[1]
        )
        Membership.objects.create(user=user, centre=centre_admin, role=role)
    bad, good = tmp_path / "mis-bad.csv", tmp_path / "mis.csv"
    bad.write_bytes(people_csv(50, bad=("assessor", "qualification")))
    good.write_bytes(people_csv(50))
    before = User.objects.count()

    sign_in(page, "head")
    page.get_by_role("link", name="People at Northfield College").click()
    page.get_by_role("link", name="Import people from a file").click()
    page.get_by_label("People file (CSV UTF-8 or .xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("#import-errors li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("Row 13, column assessor")
    expect(errors.nth(1)).to_contain_text("Row 38, column qualification")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert User.objects.count() == before

    page.get_by_label("People file (CSV UTF-8 or .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("50 people and 50 registrations will be created")
    assert User.objects.count() == before  # the preview creates nothing
    page.get_by_role("button", name="Import 50 people").click()
    expect(page.get_by_role("alert")).to_contain_text("Imported 50 people and 50 registrations")
    expect(page.get_by_text("54 people.")).to_be_visible()
    assert User.objects.count() == before + 50
    assert Registration.objects.filter(centre=centre_admin, qualification__code="4411-01").count() == 50
    assert len(mail.outbox) == 50

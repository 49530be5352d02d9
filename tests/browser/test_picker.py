"""The centre admin registers a candidate by typing part of the name and choosing a suggestion (the register form
no longer lists every candidate of the centre)."""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Centre, Membership, Role, User
from assessment.models import Registration

PASSWORD = "demo-pass-2026"


def test_admin_picks_a_candidate_from_the_suggestions_and_registers_them(
    page, live_server, sign_in, transactional_db
):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    centre = Centre.objects.create(name="Northfield College", number="N100")
    for username, role, first, last in (
        ("head", Role.CENTRE_ADMIN, "Hana", "Head"),
        ("priya.patel", Role.CANDIDATE, "Priya", "Patel"),
        ("paul.price", Role.CANDIDATE, "Paul", "Price"),
        ("asha", Role.ASSESSOR, "Asha", "Assessor"),
        ("ivan", Role.INTERNAL_VERIFIER, "Ivan", "Verifier"),
    ):
        user = User.objects.create_user(username, password=PASSWORD, first_name=first, last_name=last)
        Membership.objects.create(user=user, centre=centre, role=role)
    sign_in(page, "head")
    page.goto(f"{live_server.url}/assessment/registrations/new/?qualification=4411-01")
    field = page.locator("#id_candidate")
    field.fill("pat")
    choice = page.get_by_role("button", name="Priya Patel (priya.patel)")
    expect(choice).to_be_visible()
    expect(page.get_by_role("button", name="Paul Price (paul.price)")).to_have_count(0)
    choice.click()
    expect(field).to_have_value("priya.patel")
    page.locator("#id_assessor").select_option(label="Asha Assessor (asha)")
    page.locator("#id_internal_verifier").select_option(label="Ivan Verifier (ivan)")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("registered on 4411-01")
    assert Registration.objects.get().candidate.username == "priya.patel"

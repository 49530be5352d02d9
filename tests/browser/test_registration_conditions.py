"""Journey (issue 19): a centre admin registers a 4430-04 candidate; the form asks for the handbook's entry
conditions (age 18 or over; not already holding a qualification of the same type, content and level) in the
handbook's words, refuses the registration until both are confirmed, and the registration records who
confirmed them."""

import datetime
import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect


def test_admin_confirms_4430_04s_entry_conditions_before_the_registration_is_taken(
    page, live_server, sign_in, demo
):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4430-04.json"), verbosity=0)
    from accounts.models import User
    from assessment import services
    from assessment.models import Registration
    from audit.models import AuditEntry
    from qualifications.models import Qualification

    admin = User.objects.get(username="admin")
    services.awarding_body_extension_record(
        centre=demo["centre"],
        qualification=Qualification.objects.get(code="4430-04"),
        actor=admin,
        kind="registration",
        reference="CG-EXT-2026-02",
        new_date=datetime.date(2027, 7, 31),
    )
    sign_in(page, "admin")
    page.goto(f"{live_server.url}/assessment/registrations/new/?qualification=4430-04")
    conditions = page.locator("#entry-conditions")
    expect(conditions).to_contain_text("not approved for use by candidates under the age of 18")
    expect(conditions).to_contain_text("a qualification they already hold")
    expect(conditions).to_contain_text("2.2 Candidate entry requirements")
    page.get_by_role("button", name="Suggest a route").click()
    expect(page.locator("#tally-credits")).to_have_text("67")
    page.locator("#id_candidate").fill("candidate")  # the username (the form no longer lists every candidate)
    page.locator("#id_assessor").select_option(label="Adam Assessor (assessor)")
    page.locator("#id_internal_verifier").select_option(label="Ivy Verifier (iv)")
    age = page.get_by_label(re.compile("under the age of 18"))
    held = page.get_by_label(re.compile("a qualification they already hold"))
    age.check()
    page.get_by_role("button", name="Register").click()
    refused = page.locator("#registration-refused")
    expect(refused).to_contain_text("only once you confirm each entry condition")
    expect(refused).to_contain_text("a qualification they already hold")
    expect(refused).not_to_contain_text("under the age of 18")
    assert not Registration.objects.filter(
        qualification__code="4430-04", candidate__username="candidate"
    ).exists()
    expect(age).to_be_checked()  # what was confirmed stays confirmed
    held.check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert").first).to_contain_text("registered on 4430-04")
    expect(page.locator("#entry-conditions-confirmed")).to_contain_text("Entry conditions confirmed by")
    registration = Registration.objects.get(qualification__code="4430-04", candidate__username="candidate")
    assert [c["key"] for c in registration.entry_conditions_confirmed] == ["age_18", "not_already_held"]
    assert registration.entry_conditions_confirmed_by == admin
    audit = AuditEntry.objects.filter(action="registration_created").order_by("-id").first()
    assert len(audit.details["entry_conditions_confirmed"]) == 2

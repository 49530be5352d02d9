"""A centre admin prints a candidate's recording form and a cohort batch from the Forms page."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from assessment.models import Registration
from qualifications.models import Qualification
from tests.printing.pdftext import pdf_text


def test_admin_prints_forms_and_a_cohort_batch(page, live_server, demo, sign_in):
    call_command("loaddata", "fixtures/4430-04.json", verbosity=0)
    Registration.objects.create(
        centre=demo["centre"],
        candidate=User.objects.get(username="candidate"),
        qualification=Qualification.objects.get(code="4430-04"),
        assessor=User.objects.get(username="assessor"),
        internal_verifier=User.objects.get(username="iv"),
        registered_on=dt.date(2026, 1, 5),
    )
    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Forms", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forms")
    page.get_by_role("link", name="Forms for Cara Candidate (4430-04)").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Recording form for unit 401 (PDF)").click()
    download = info.value
    assert download.suggested_filename.startswith("recording-form_reg")
    with open(download.path(), "rb") as handle:
        text = pdf_text(handle.read())
    assert "Cara Candidate" in text and "Unit 401" in text and "Page 1 of" in text

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Forms", exact=True
    ).click()
    page.get_by_label("Form", exact=True).select_option("unit-summary")
    page.get_by_label("Qualification", exact=True).select_option("4430-04")
    page.get_by_role("button", name="Start printing").click()
    expect(page.get_by_text("Done: 1 of 1 PDFs")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the zip file").click()
    assert info.value.suggested_filename.endswith(".zip")


def test_a_form_that_fails_to_render_shows_a_message(page, live_server, demo, sign_in, monkeypatch):
    """The reported break: a failed download with no message (HTTP 500)."""
    from printing import registry

    call_command("loaddata", "fixtures/4430-04.json", verbosity=0)
    registration = Registration.objects.create(
        centre=demo["centre"],
        candidate=User.objects.get(username="candidate"),
        qualification=Qualification.objects.get(code="4430-04"),
        assessor=User.objects.get(username="assessor"),
        internal_verifier=User.objects.get(username="iv"),
        registered_on=dt.date(2026, 1, 5),
    )

    def broken(*args, **kwargs):
        raise KeyError(41)

    monkeypatch.setattr(registry, "completed_context", broken)
    sign_in(page, "assessor")
    page.goto(f"{live_server.url}/forms/registration/{registration.pk}/")
    page.get_by_role("link", name="Witness status list (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forms for Cara Candidate")
    expect(page.get_by_text("The witness status list of Cara Candidate")).to_contain_text(
        "could not be printed"
    )


def test_an_external_verifiers_form_that_fails_to_render_shows_a_message(
    page, live_server, demo, sign_in, monkeypatch
):
    """The EV's downloads answered HTTP 500 (a failed download, no message) when a render failed."""
    from printing import registry
    from verification import services

    call_command("loaddata", "fixtures/4430-04.json", verbosity=0)
    registration = Registration.objects.create(
        centre=demo["centre"],
        candidate=User.objects.get(username="candidate"),
        qualification=Qualification.objects.get(code="4430-04"),
        assessor=User.objects.get(username="assessor"),
        internal_verifier=User.objects.get(username="iv"),
        registered_on=dt.date(2026, 1, 5),
    )
    services.grant_create(
        actor=User.objects.get(username="admin"),
        centre=demo["centre"],
        external_verifier=User.objects.get(username="ev"),
        scope="candidates",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        registrations=[registration],
    )

    def broken(*args, **kwargs):
        raise KeyError(41)

    sign_in(page, "ev")
    page.goto(f"{live_server.url}/verification/ev/registrations/{registration.pk}/")
    with page.expect_download() as info:  # a working render is a download
        page.get_by_role("link", name="Summary of unit achievement (PDF)").click()
    assert info.value.suggested_filename.startswith("unit-summary_reg")
    monkeypatch.setattr(registry, "completed_context", broken)
    page.get_by_role("link", name="Summary of unit achievement (PDF)").click()
    expect(page.get_by_role("heading", level=2, name="Printed forms")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="could not be printed")).to_contain_text(
        "The summary of unit achievement of"
    )

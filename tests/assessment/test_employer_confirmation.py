# ruff: noqa: F811  (the printing tests' fixtures, imported, are redefined as arguments)
"""The employer confirms the summary of unit achievement themselves, by a single-use link, without an account
(issue 15 item 4): the same link mechanism as witnesses (evidence/links.py), a signature with the logbook's
statement, printed on the summary with its verification code."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessment import employer
from assessment.models import EmployerConfirmation, UnitAssessment
from audit.models import AuditEntry, Signature
from audit.signatures import STATEMENTS, Kind
from printing import registry
from qualifications.models import Unit
from tests.printing.conftest import catalogue, completed, people, registration  # noqa: F401 (fixtures)
from tests.printing.pdftext import pdf_text

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver/assessment/employer/([\w-]+)/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"
    settings.WITNESS_LINK_RATE_LIMIT = 1000


@pytest.fixture
def asked(completed, registration, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        confirmation, _ = employer.employer_confirmation_request(
            registration=registration,
            actor=people["assessor"],
            employer_name="Erin Employer",
            email="erin@example.org",
            organisation="Tom & Jerry's Shop",
        )
    return confirmation


def _token():
    return LINK.search(mail.outbox[-1].body).group(1)


def _page(client, token=None):
    return reverse("assessment:employer_confirm", args=[token or _token()])


def test_the_employer_is_emailed_a_link_for_the_achieved_units(asked):
    assert mail.outbox[-1].to == ["erin@example.org"]
    token = _token()
    assert (
        token not in asked.token_hash
        and EmployerConfirmation.objects.filter(token_hash=asked.token_hash).exists()
    )
    assert [u.ref for u in asked.units.all()] == ["4430-401"]  # the signed unit, not the others
    assert AuditEntry.objects.filter(action=employer.AUDIT_REQUESTED).count() == 1


def test_the_employer_sees_what_they_are_asked_and_confirms_once(client, asked, capsys):
    page = client.get(_page(client))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert "Cara Candidate" in text and "4430-04" in text and "4430-401" in text
    assert STATEMENTS[Kind.EMPLOYER] in text
    assert "CG123456" not in text  # nothing beyond the request
    refused = client.post(
        _page(client), {"name": "Erin Employer", "job_title": "Store manager", "confirm": "1"}
    )
    assert refused.status_code == 400 and employer.ERR_DECLARATION in refused.content.decode()
    url = _page(client)
    done = client.post(
        url,
        {"name": "Erin Employer", "job_title": "Store manager", "declaration": "on", "confirm": "1"},
        REMOTE_ADDR="192.0.2.9",
    )
    asked.refresh_from_db()
    assert done.status_code == 200 and asked.is_confirmed
    assert asked.signature.display_code in done.content.decode()
    signature = asked.signature
    assert (signature.kind, signature.signer_name, signature.signer_job_title, signature.client_ip) == (
        Kind.EMPLOYER,
        "Erin Employer",
        "Store manager",
        "192.0.2.9",
    )
    assert signature.signer is None and signature.statement == STATEMENTS[Kind.EMPLOYER]
    assert [u["unit"] for u in signature.content["units"]] == ["4430-401"]
    assert not User.objects.filter(email="erin@example.org").exists()  # no account made
    assert AuditEntry.objects.filter(action=employer.AUDIT_CONFIRMED).count() == 1
    again = client.get(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    call_command("verify_signature", signature.code)
    assert "still matches" in capsys.readouterr().out


def test_the_summary_prints_the_employer_confirmation_and_its_code(client, asked, registration, capsys):
    employer.employer_confirm(token=_token(), name="Erin Employer", job_title="Store manager", declared=True)
    asked.refresh_from_db()
    text = pdf_text(registry.render_completed(registry.get_form("unit-summary"), registration))
    block = text[text.index(registry.EMPLOYER_CONFIRMATION) :]
    assert f"Signed electronically by Erin Employer on {timezone.localdate():%d/%m/%Y}" in block
    assert f"verification code {asked.signature.display_code}" in block
    assert "Store manager, Tom & Jerry's Shop · units 401" in block
    # The signed unit reopened behind the application's back: the signature no longer matches.
    UnitAssessment.objects.filter(registration=registration, unit__ref="4430-401").update(status="open")
    with pytest.raises(CommandError):
        call_command("verify_signature", asked.signature.display_code)
    assert "units[0].achieved" in capsys.readouterr().out


def test_the_employer_declines_with_a_reason(client, asked):
    response = client.post(_page(client), {"reason": "Cara does not work here any more.", "decline": "1"})
    asked.refresh_from_db()
    assert response.status_code == 200 and asked.outcome == "declined" and asked.signature is None
    assert asked.decline_reason == "Cara does not work here any more."
    assert AuditEntry.objects.filter(action=employer.AUDIT_DECLINED).count() == 1
    assert not Signature.objects.filter(kind=Kind.EMPLOYER).exists()


def test_expired_replaced_and_forged_links_are_refused_with_who_to_contact(
    client, asked, registration, people, django_capture_on_commit_callbacks
):
    first = _token()
    EmployerConfirmation.objects.filter(pk=asked.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(_page(client, first))
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert "Adam Assessor or Test Centre" in page.content.decode()
    EmployerConfirmation.objects.filter(pk=asked.pk).update(expires_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        employer.employer_confirmation_request(
            registration=registration,
            actor=people["admin"],
            employer_name="Erin Employer",
            email="erin@example.org",
        )
    page = client.get(_page(client, first))
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    assert client.get(_page(client)).status_code == 200  # the new link works
    forged = client.get(_page(client, "not-a-real-token"))
    assert (
        forged.status_code == 410 and forged.content.decode().count(employer.LINK_UNKNOWN.split(".")[0]) == 1
    )
    assert "Cara" not in forged.content.decode()


def test_only_the_assessor_or_a_centre_admin_asks_and_only_for_achieved_units(registration, people):
    for who in ("candidate", "iv"):
        with pytest.raises(ValidationError, match="Only the candidate's assessor"):
            employer.employer_confirmation_request(
                registration=registration, actor=people[who], employer_name="E", email="e@example.org"
            )
    with pytest.raises(ValidationError, match="No unit of this registration is signed off yet"):
        employer.employer_confirmation_request(
            registration=registration, actor=people["assessor"], employer_name="E", email="e@example.org"
        )


def test_the_assessor_asks_from_the_registration_page_and_sees_the_outcome(
    client, completed, registration, people, django_capture_on_commit_callbacks
):
    client.force_login(people["assessor"])
    page_url = reverse("assessment:registration_detail", args=[registration.pk])
    assert "Not asked yet." in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:employer_confirmation_request", args=[registration.pk]),
            {"employer_name": "Erin Employer", "email": "erin@example.org"},
            follow=True,
        )
    assert "Emailed Erin Employer (erin@example.org)" in response.content.decode()
    assert "not yet confirmed" in response.content.decode()
    employer.employer_confirm(token=_token(), name="Erin Employer", job_title="Store manager", declared=True)
    client.force_login(people["iv"])  # the IV sees it, without the form
    page = client.get(page_url).content.decode()
    assert f"Confirmed by Erin Employer, Store manager, {timezone.localdate():%d/%m/%Y}" in page
    assert "Email the employer a link" not in page


def test_the_employer_page_keeps_a_constant_number_of_queries(
    client, asked, registration, people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_page(client)).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for unit in Unit.objects.filter(ref__in=["4430-402", "4430-403"]):
        UnitAssessment.objects.create(
            registration=registration,
            unit=unit,
            status="signed",
            signed_by=people["assessor"],
            signed_at=timezone.now(),
        )
    with django_capture_on_commit_callbacks(execute=True):
        employer.employer_confirmation_request(
            registration=registration,
            actor=people["assessor"],
            employer_name="Erin Employer",
            email="erin@example.org",
        )
    assert EmployerConfirmation.objects.filter(withdrawn_at__isnull=True).get().units.count() == 3
    assert count() == one

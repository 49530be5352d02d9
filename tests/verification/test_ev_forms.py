"""External verifiers print the forms of the candidates granted to them, through their own pages only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import Action
from audit.models import AuditEntry
from tests.printing.pdftext import pdf_text
from verification import services
from verification.models import ExternalAccessGrant, ExternalAccessLog

from .conftest import map_evidence, sign

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def grant(world):
    map_evidence(world.reg1, world.u101, world.ann)
    sign(world.ua(world.reg1, world.u101), world.ann)
    return services.grant_create(
        actor=world.admin,
        centre=world.centre,
        external_verifier=world.ev,
        scope="candidates",
        expires_on=TOMORROW,
        registrations=[world.reg1],
    )


def form_url(registration, slug):
    return reverse("verification:ev_form", args=[registration.pk, slug])


@pytest.mark.parametrize(
    "slug, title",
    [
        ("unit-summary", "Summary of unit achievement"),
        ("iv-sampling-record", "Internal verification sampling record"),
        ("portfolio", "Candidate portfolio"),
        ("recording-form", "Unit 101"),
    ],
)
def test_ev_downloads_the_forms_of_a_granted_candidate_and_each_download_is_logged(
    client, world, grant, slug, title
):
    client.force_login(world.ev)
    response = client.get(form_url(world.reg1, slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.content)
    assert title in text and "Cara Candidate" in text
    log = ExternalAccessLog.objects.get(user=world.ev)
    assert (log.grant, log.registration_id_seen, log.view_name) == (
        grant,
        world.reg1.pk,
        "verification:ev_form",
    )
    assert log.path == form_url(world.reg1, slug)
    audit = AuditEntry.objects.get(action=Action.EV_PAGE_VIEWED)
    assert audit.details["path"] == form_url(world.reg1, slug)


def test_ev_downloads_one_units_recording_form(client, world, grant):
    client.force_login(world.ev)
    response = client.get(reverse("verification:ev_unit_form", args=[world.reg1.pk, world.u101.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Unit 101" in text and "Signed electronically by Ann Assessor" in text
    assert "Unit 102" not in text
    assert ExternalAccessLog.objects.filter(user=world.ev, view_name="verification:ev_unit_form").count() == 1
    page = client.get(reverse("verification:ev_unit", args=[world.reg1.pk, world.u101.pk])).content.decode()
    assert reverse("verification:ev_unit_form", args=[world.reg1.pk, world.u101.pk]) in page


def test_the_granted_candidates_page_offers_the_downloads(client, world, grant):
    client.force_login(world.ev)
    page = client.get(reverse("verification:ev_registration", args=[world.reg1.pk])).content.decode()
    for slug in ("portfolio", "unit-summary", "iv-sampling-record", "recording-form"):
        assert form_url(world.reg1, slug) in page


def test_another_candidate_an_unknown_unit_or_another_form_is_404(client, world, grant):
    client.force_login(world.ev)
    assert client.get(form_url(world.reg2, "portfolio")).status_code == 404
    assert (
        client.get(reverse("verification:ev_unit_form", args=[world.reg2.pk, world.u101.pk])).status_code
        == 404
    )
    from tests.assessment.factories import make_unit

    stray = make_unit(scheme="TV", number="999", criteria=1)
    assert client.get(reverse("verification:ev_unit_form", args=[world.reg1.pk, stray.pk])).status_code == 404
    for slug in ("certification-claim", "witness-status-list", "no-such-form"):
        assert client.get(form_url(world.reg1, slug)).status_code == 404
    assert not ExternalAccessLog.objects.filter(registration_id_seen=world.reg2.pk).exists()


def test_expired_or_revoked_grant_is_404(client, world, grant):
    client.force_login(world.ev)
    url = form_url(world.reg1, "unit-summary")
    ExternalAccessGrant.objects.filter(pk=grant.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(url).status_code == 404
    ExternalAccessGrant.objects.filter(pk=grant.pk).update(expires_on=TOMORROW)
    assert client.get(url).status_code == 200
    services.grant_revoke(grant=grant, actor=world.admin)
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("verification:ev_unit_form", args=[world.reg1.pk, world.u101.pk])).status_code
        == 404
    )


def test_no_other_read_path_to_the_forms_for_an_external_verifier(client, world, grant):
    """The printing app's pages and downloads stay closed to an external verifier, granted or not."""
    client.force_login(world.ev)
    for url in [
        reverse("printing:index"),
        reverse("printing:registration", args=[world.reg1.pk]),
        reverse("printing:completed", args=[world.reg1.pk, "portfolio"]),
        reverse("printing:completed_unit", args=[world.reg1.pk, world.u101.pk, "recording-form"]),
        reverse("printing:blank", args=[world.qualification.code, "unit-summary"]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["cara", "ann", "pat", "admin"])
def test_centre_people_do_not_use_the_external_verifiers_downloads(client, world, grant, who):
    client.force_login(getattr(world, who))
    assert client.get(form_url(world.reg1, "unit-summary")).status_code == 404
    assert (
        client.get(reverse("verification:ev_unit_form", args=[world.reg1.pk, world.u101.pk])).status_code
        == 404
    )


def _broken(*args, **kwargs):
    raise KeyError(41)


@pytest.mark.parametrize("slug", ["unit-summary", "recording-form"])
def test_a_failed_render_shows_the_ev_a_message_not_a_server_error(
    client, world, grant, slug, monkeypatch, caplog
):
    """The assessor-side downloads already answered a failed render in words; the EV's answered HTTP 500."""
    from printing import registry

    monkeypatch.setattr(registry, "completed_context", _broken)
    client.force_login(world.ev)
    page_url = reverse("verification:ev_registration", args=[world.reg1.pk])
    response = client.get(form_url(world.reg1, slug), HTTP_REFERER=f"http://testserver{page_url}")
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page_url}"
    page = client.get(
        form_url(world.reg1, slug), follow=True
    ).content.decode()  # no referrer: the candidate's page
    assert "Printed forms" in page
    assert "could not be printed: KeyError 41" in page and "Cara Candidate" in page
    assert "logged for the centre" in page
    assert any(
        "could not be printed" in r.getMessage() and r.name == "verification.views" for r in caplog.records
    )
    # a referrer elsewhere is not followed
    response = client.get(form_url(world.reg1, slug), HTTP_REFERER="https://evil.example/")
    assert response["Location"] == page_url


def test_a_failed_unit_render_shows_the_ev_a_message(client, world, grant, monkeypatch):
    from printing import registry

    monkeypatch.setattr(registry, "completed_context", _broken)
    client.force_login(world.ev)
    url = reverse("verification:ev_unit_form", args=[world.reg1.pk, world.u101.pk])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The recording form of unit 101 of Cara Candidate could not be printed: KeyError 41" in page

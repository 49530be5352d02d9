"""Portability pages: who reaches what, and the pages doing their job."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from portability import services


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_centre_admin_downloads_a_passport_that_verifies_on_the_upload_page(client, claimed_world):
    w = claimed_world
    c = client_for(client, w.admin)
    response = c.get(reverse("portability:passport_export", args=[w.reg1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    page = c.post(
        reverse("portability:passport_verify"),
        {"passport": SimpleUploadedFile("p.zip", data, "application/zip")},
    )
    assert "Passport verified" in page.content.decode()


@pytest.mark.django_db
def test_passport_of_another_centre_or_by_a_candidate_is_not_found(client, claimed_world, other_centre):
    w = claimed_world
    stranger = w.make_user("otheradmin", other_centre, Role.CENTRE_ADMIN)
    assert (
        client_for(client, stranger).get(reverse("portability:passport_export", args=[w.reg1.pk])).status_code
        == 404
    )
    client.logout()
    assert client_for(client, w.cara).get(
        reverse("portability:passport_export", args=[w.reg1.pk])
    ).status_code in (403, 404)


@pytest.mark.django_db
def test_public_key_page_and_public_credential_check(client, claimed_world):
    w = claimed_world
    credential = services.credential_issue(claim=w.claim, actor=w.admin, unit=w.u101)
    page = client.get(reverse("portability:centre_key", args=[w.centre.number]))
    assert page.status_code == 200 and w.centre.signing_key.fingerprint in page.content.decode()
    assert client.get(reverse("portability:centre_key", args=["NOPE"])).status_code == 404
    verified = client.post(
        reverse("portability:credential_verify"), {"text": json.dumps(credential.document)}
    )
    assert "Credential verified" in verified.content.decode()
    status = client.get(reverse("portability:credential_status", args=[credential.uuid])).json()
    assert status["revoked"] is False


@pytest.mark.django_db
def test_candidate_downloads_only_their_own_credentials(client, claimed_world):
    w = claimed_world
    mine = services.credential_issue(claim=w.claim, actor=w.admin, unit=w.u101)
    c = client_for(client, w.cara)
    assert c.get(reverse("portability:credential_list")).status_code == 200
    assert (
        c.get(reverse("portability:credential_download", args=[mine.uuid]))
        .json()["id"]
        .endswith(str(mine.uuid))
    )
    client.logout()
    assert (
        client_for(client, w.dan)
        .get(reverse("portability:credential_download", args=[mine.uuid]))
        .status_code
        == 404
    )

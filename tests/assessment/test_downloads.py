"""The PDF download buttons on the assessment pages: shown, and the links answer the people who see them."""

import pytest
from django.urls import reverse

from accounts.models import Centre, Role

from .factories import make_registration

pytestmark = pytest.mark.django_db


def test_the_unit_page_offers_the_recording_form_and_it_is_a_pdf_for_the_assessor_only(client, world):
    link = reverse("printing:completed_unit", args=[world.registration.pk, world.unit.pk, "recording-form"])
    client.force_login(world.assessor)
    page = client.get(reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk]))
    assert f'href="{link}"' in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    elsewhere = Centre.objects.create(name="Elsewhere", number="E9")
    stranger = world.make_user("ass_elsewhere", elsewhere, Role.ASSESSOR)
    other_candidate = world.make_user("cand_elsewhere", elsewhere, Role.CANDIDATE)
    other_iv = world.make_user("iv_elsewhere", elsewhere, Role.INTERNAL_VERIFIER)
    make_registration(
        centre=elsewhere,
        candidate=other_candidate,
        assessor=stranger,
        internal_verifier=other_iv,
        qualification=world.qualification,
    )
    client.force_login(stranger)
    assert client.get(link).status_code == 404


def test_the_registration_and_progress_pages_offer_the_portfolio(client, world):
    link = reverse("printing:completed", args=[world.registration.pk, "portfolio"])
    client.force_login(world.assessor)
    assert (
        f'href="{link}"'
        in client.get(
            reverse("assessment:registration_detail", args=[world.registration.pk])
        ).content.decode()
    )
    client.force_login(world.candidate)
    assert (
        f'href="{link}"'
        in client.get(reverse("assessment:progress_detail", args=[world.registration.pk])).content.decode()
    )
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    other_candidate = world.make_user("cand2", world.centre, Role.CANDIDATE)
    client.force_login(other_candidate)
    assert client.get(link).status_code == 404

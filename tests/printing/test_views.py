"""Download buttons' endpoints: who may print what (404 for what is not yours)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from assessment.models import Registration
from printing import registry
from tests.printing.pdftext import pdf_text


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["candidate", "assessor", "iv", "admin"])
def test_people_of_the_registration_download_its_forms(client, completed, registration, people, who):
    c = client_for(client, people[who])
    response = c.get(
        reverse("printing:completed_unit", args=[registration.pk, completed["unit"].pk, "recording-form"])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "Cara Candidate" in pdf_text(response.content)
    page = c.get(reverse("printing:registration", args=[registration.pk]))
    assert "Summary of unit achievement (PDF)" in page.content.decode()


def test_others_get_404(client, registration, centre, make_user, other_centre):
    outsiders = [
        make_user("other_cand", centre, Role.CANDIDATE),
        make_user("other_assessor", centre, Role.ASSESSOR),
        make_user("other_admin", other_centre, Role.CENTRE_ADMIN),
    ]
    for user in outsiders:
        c = client_for(client, user)
        assert c.get(reverse("printing:completed", args=[registration.pk, "unit-summary"])).status_code == 404
        assert c.get(reverse("printing:registration", args=[registration.pk])).status_code == 404
        assert c.get(reverse("printing:completed", args=[999999, "unit-summary"])).status_code == 404
        c.logout()


def test_blank_forms_for_centre_staff_not_candidates(client, catalogue, people):
    url = reverse("printing:blank_unit", args=["4430-04", "401", "recording-form"])
    assert client_for(client, people["candidate"]).get(url).status_code == 404
    client.logout()
    response = client_for(client, people["admin"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="recording-form_4430-04_401.pdf"'
    assert (
        client.get(reverse("printing:blank_unit", args=["4430-04", "999", "recording-form"])).status_code
        == 404
    )
    assert client.get(reverse("printing:blank", args=["4430-04", "portfolio"])).status_code == 404
    assert client.get(reverse("printing:blank", args=["4430-04", "no-such-form"])).status_code == 404


def test_forms_page_lists_only_visible_registrations(
    client, registration, people, centre, make_user, django_assert_max_num_queries
):
    c = client_for(client, people["admin"])
    with django_assert_max_num_queries(12) as small:
        page = c.get(reverse("printing:index")).content.decode()
    assert "Forms for Cara Candidate (4430-04)" in page
    for i in range(8):  # the same queries with nine registrations
        other = make_user(f"more{i}", centre, Role.CANDIDATE)
        Registration.objects.create(
            centre=centre,
            candidate=other,
            qualification=registration.qualification,
            assessor=registration.assessor,
            internal_verifier=registration.internal_verifier,
            registered_on=registration.registered_on,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(reverse("printing:index")).status_code == 200
    assert "Start printing" in page
    client.logout()
    stranger = make_user("stranger", centre, Role.CANDIDATE)
    page = client_for(client, stranger).get(reverse("printing:index")).content.decode()
    assert "Cara Candidate" not in page and "Start printing" not in page


def _broken(*args, **kwargs):
    raise KeyError(41)


def test_a_failed_render_shows_a_message_not_a_server_error(
    client, completed, registration, people, monkeypatch
):
    """The reported break: a form whose context raised KeyError gave a 500 and a failed download."""
    monkeypatch.setattr(registry, "completed_context", _broken)
    c = client_for(client, people["assessor"])
    unit_page = reverse("assessment:unit_matrix", args=[registration.pk, completed["unit"].pk])
    url = reverse("printing:completed", args=[registration.pk, "witness-status-list"])
    response = c.get(url, HTTP_REFERER=f"http://testserver{unit_page}")
    assert response.status_code == 302 and response["Location"] == f"http://testserver{unit_page}"
    page = c.get(url, follow=True).content.decode()  # no referrer: the registration's forms page
    assert "Forms for Cara Candidate" in page
    assert (
        f"The witness status list of Cara Candidate (registration {registration.pk}) could not be printed: "
        "KeyError 41."
    ) in page
    # A referrer elsewhere is not followed.
    response = c.get(url, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == reverse("printing:registration", args=[registration.pk])


def test_a_failed_blank_render_shows_a_message(client, catalogue, people, monkeypatch):
    monkeypatch.setattr(registry, "render_pdf", _broken)
    c = client_for(client, people["admin"])
    page = c.get(reverse("printing:blank", args=["4430-04", "unit-summary"]), follow=True).content.decode()
    assert "The blank summary of unit achievement of 4430-04 could not be printed: KeyError 41." in page

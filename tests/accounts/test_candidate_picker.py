"""Candidate pickers: a typed username or candidate number, validated by the server, with suggestions from a
small JSON endpoint limited to the admin's own centre; the forms no longer carry every candidate."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Role, User
from assessment.models import Registration
from tests.assessment.factories import make_candidates

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(centre, other_centre, make_user):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    return {
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "other_admin": make_user("oadm", other_centre, Role.CENTRE_ADMIN),
        "candidate": make_user(
            "priya.patel",
            centre,
            Role.CANDIDATE,
            first_name="Priya",
            last_name="Patel",
            candidate_number="CN-77",
        ),
        "theirs": make_user(
            "priya.other", other_centre, Role.CANDIDATE, first_name="Priya", last_name="Other"
        ),
        "assessor": make_user("ass", centre, Role.ASSESSOR, first_name="Priya", last_name="Assessor"),
        "iv": make_user("iv", centre, Role.INTERNAL_VERIFIER),
        "centre": centre,
        "other_centre": other_centre,
    }


def suggest(client, centre, q):
    return client.get(reverse("people:candidate_suggest", args=[centre.pk]), {"q": q})


def test_suggestions_are_the_centres_candidates_only_and_few(client, people):
    client.force_login(people["admin"])
    results = suggest(client, people["centre"], "priya").json()["results"]
    assert [r["username"] for r in results] == ["priya.patel"]  # not the assessor, not the other centre's
    assert results[0]["label"] == "Priya Patel (priya.patel, CN-77)"
    assert suggest(client, people["centre"], "CN-7").json()["results"][0]["username"] == "priya.patel"
    assert suggest(client, people["centre"], "p").json()["results"] == []
    for n in range(15):
        user = User.objects.create(username=f"priya{n}", first_name="Priya", last_name=f"N{n}")
        Membership.objects.create(user=user, centre=people["centre"], role=Role.CANDIDATE)
    assert len(suggest(client, people["centre"], "priya").json()["results"]) == 10


def test_suggestions_of_another_centre_or_for_other_roles_are_refused(client, people):
    client.force_login(people["other_admin"])
    assert suggest(client, people["centre"], "priya").status_code == 404
    client.force_login(people["assessor"])
    assert suggest(client, people["centre"], "priya").status_code in (403, 404)
    client.logout()
    assert suggest(client, people["centre"], "priya").status_code in (302, 403, 404)


def registration_post(people, candidate, **extra):
    return {
        "qualification": "4411-01",
        "centre": people["centre"].pk,
        "candidate": candidate,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": "2026-02-10",
        **extra,
    }


@pytest.mark.parametrize("name", ["priya.patel", "PRIYA.PATEL", " CN-77 "])
def test_register_by_username_or_candidate_number(client, people, name):
    client.force_login(people["admin"])
    response = client.post(
        reverse("assessment:registration_new") + "?qualification=4411-01", registration_post(people, name)
    )
    assert response.status_code == 302
    assert Registration.objects.get().candidate == people["candidate"]


@pytest.mark.parametrize("name", ["nobody", "priya.other", "ass"])
def test_an_unknown_or_other_centres_name_is_refused_with_a_clear_message(client, people, name):
    client.force_login(people["admin"])
    response = client.post(
        reverse("assessment:registration_new") + "?qualification=4411-01", registration_post(people, name)
    )
    assert response.status_code == 200
    assert f"No candidate &#x27;{name}&#x27; at your centre" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("count", [3, 60])
def test_register_form_does_not_carry_every_candidate(client, people, count, django_assert_num_queries):
    make_candidates(
        centre=people["centre"],
        count=count,
        qualification=_qualification(),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
    )
    client.force_login(people["admin"])
    with django_assert_num_queries(13):
        response = client.get(reverse("assessment:registration_new") + "?qualification=4411-01")
    body = response.content.decode()
    assert "crowd001" not in body and "Member 001" not in body
    assert f'data-suggest-url="/people/{people["centre"].pk}/candidates.json"' in body


def _qualification():
    from qualifications.models import Qualification

    return Qualification.objects.get(code="4411-01")


def test_grant_form_names_candidates_by_username_and_refuses_unknown_ones(client, people):
    from verification.models import ExternalAccessGrant

    reg = make_candidates(
        centre=people["centre"],
        count=2,
        qualification=_qualification(),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
    )
    client.force_login(people["admin"])
    page = client.get(reverse("verification:grant_create")).content.decode()
    assert "crowd000" not in page and "data-suggest-url" in page
    data = {
        "centre": people["centre"].pk,
        "email": "ev@example.org",
        "first_name": "Eve",
        "last_name": "Ext",
        "scope": "candidates",
        "expires_on": "01/01/2099",
    }
    refused = client.post(
        reverse("verification:grant_create"), {**data, "candidates": "crowd000, priya.other"}
    )
    assert "No candidate &#x27;priya.other&#x27; at your centre" in refused.content.decode()
    assert not ExternalAccessGrant.objects.exists()
    response = client.post(reverse("verification:grant_create"), {**data, "candidates": "crowd000\ncrowd001"})
    assert response.status_code == 302
    assert set(ExternalAccessGrant.objects.get().registrations.all()) == set(reg)

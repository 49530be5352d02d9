"""The staff view of a candidate's witness status list: the registration's assessor and internal verifier and
the centre's admins see it; everyone else gets 404."""

import pytest
from django.urls import reverse

from evidence import services
from evidence.services import EvidenceDetails

pytestmark = pytest.mark.django_db


@pytest.fixture
def witnessed(people, catalogue):
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisor",
        contact="2 Market Street",
        suggested_status_category=3,
        relationship="Line manager",
    )
    services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[catalogue.units[0].criteria.first()],
        declared=True,
        details=EvidenceDetails(statement_text="I saw Cara greet customers."),
    )
    return witness


def test_who_sees_the_candidates_witness_status_list(client, people, witnessed):
    url = reverse("evidence:registration_witnesses", args=[people.registration.pk])
    expected = {
        "assessor": 200,
        "iv": 200,
        "admin": 200,
        "candidate": 404,
        "peer": 404,
        "stranger_assessor": 404,
        "other_assessor": 404,
        "other_iv": 404,
        "other_admin": 404,
        "other_candidate": 404,
        "ev": 404,
    }
    seen = {}
    for name in expected:
        client.force_login(getattr(people, name))
        seen[name] = client.get(url).status_code
    assert seen == expected


def test_the_list_shows_each_witness_and_is_linked_from_the_registration_page(
    client, people, witnessed, django_assert_max_num_queries
):
    client.force_login(people.assessor)
    url = reverse("evidence:registration_witnesses", args=[people.registration.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "Sam Supervisor" in page and "Line manager" in page and "T-101" in page
    assert (
        reverse("evidence:witness_edit", args=[witnessed.pk]) not in page
    )  # staff read; only the candidate edits
    hub = client.get(
        reverse("assessment:registration_detail", args=[people.registration.pk])
    ).content.decode()
    assert f'href="{url}"' in hub


def test_a_missing_registration_is_404_too(client, people):
    client.force_login(people.admin)
    assert client.get(reverse("evidence:registration_witnesses", args=[999999])).status_code == 404


def test_the_list_does_the_same_number_of_queries_with_1_and_6_witnesses(
    client, people, catalogue, witnessed
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.iv)
    url = reverse("evidence:registration_witnesses", args=[people.registration.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = count()
    for n in range(5):
        witness = services.witness_create(
            candidate=people.candidate,
            centre=people.centre,
            name=f"Witness {n}",
            contact="x",
            suggested_status_category=5,
            relationship="Colleague",
        )
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=witness,
            declared=True,
            criteria=[catalogue.units[1].criteria.first()],
            details=EvidenceDetails(statement_text="Seen."),
        )
    assert count() == small

"""The centre admin's registrations list: paged, searched, filtered and sorted by GET parameters, with the same
queries whatever the number of registrations, and HTML bounded by the page."""

import pytest
from django.urls import reverse

from .factories import make_candidates

URL = reverse("assessment:registration_list")


def crowd(world, count):
    return make_candidates(
        centre=world.centre,
        count=count,
        qualification=world.qualification,
        assessor=world.assessor,
        internal_verifier=world.iv,
    )


@pytest.mark.parametrize("count", [3, 60])
def test_registration_list_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    crowd(world, count)
    client.force_login(world.admin)
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count('/edit/">change</a>') == min(count + 1, 50)


def test_registration_list_is_paged_and_bounded(client, world):
    crowd(world, 120)
    client.force_login(world.admin)
    first = client.get(URL)
    assert len(first.content) < 60_000
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(URL, {"page": 3})
    assert "Page 3 of 3" in last.content.decode()
    assert "Member 119" in last.content.decode() and "Member 000" not in last.content.decode()


def test_registration_list_search_filter_and_sort_keep_the_query_in_the_pager(client, world):
    crowd(world, 70)
    client.force_login(world.admin)
    response = client.get(URL, {"q": "crowd06", "sort": "candidate"})
    body = response.content.decode()
    assert "Member 060" in body and "Member 069" in body and "Member 059" not in body
    assert "10 matching" in body
    paged = client.get(URL, {"q": "crowd", "status": "active"}).content.decode()
    assert "q=crowd&amp;status=active&amp;page=2" in paged
    assert "Cara" not in client.get(URL, {"q": "crowd"}).content.decode()


def test_registration_list_bad_page_sort_and_filter_are_not_errors(client, world):
    crowd(world, 3)
    client.force_login(world.admin)
    for params in (
        {"page": "999"},
        {"page": "x"},
        {"sort": "password"},
        {"status": "nonsense"},
        {"qualification": "NOPE"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert "Member 002" in response.content.decode()
    assert "Select a valid choice" in client.get(URL, {"sort": "password"}).content.decode()


def test_registration_list_filters_by_qualification_and_status(client, world):
    from assessment.models import Registration

    regs = crowd(world, 4)
    Registration.objects.filter(pk=regs[0].pk).update(status=Registration.Status.WITHDRAWN)
    client.force_login(world.admin)
    body = client.get(URL, {"status": "withdrawn"}).content.decode()
    assert "Member 000" in body and "Member 001" not in body
    body = client.get(URL, {"qualification": world.qualification.code}).content.decode()
    assert "Member 003" in body


@pytest.mark.parametrize("count", [3, 60])
def test_caseload_same_queries_at_two_sizes_and_paged(client, world, count, django_assert_num_queries):
    crowd(world, count)
    client.force_login(world.assessor)
    with django_assert_num_queries(22):
        response = client.get(reverse("assessment:caseload"))
    body = response.content.decode()
    assert body.count('<th scope="row"><a href="/assessment/registrations/') == min(count + 1, 50)
    assert len(response.content) < 120_000
    found = client.get(reverse("assessment:caseload"), {"q": "crowd001"}).content.decode()
    assert found.count('<th scope="row"><a href="/assessment/registrations/') == 1


@pytest.mark.parametrize("count", [3, 60])
def test_people_list_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    crowd(world, count)
    client.force_login(world.admin)
    with django_assert_num_queries(8):
        response = client.get(reverse("people:list", args=[world.centre.pk]))
    assert response.status_code == 200 and len(response.content) < 100_000

"""audit.paging.page_of: a page of a queryset is picked before it is joined, and it is exactly the rows plain
slicing gives, in the same order, for every sort, on every page, in the same two queries."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from assessment.forms import RegistrationListQuery
from assessment.models import Registration
from audit.paging import first_of, page_of
from tests.assessment.factories import make_candidates, make_qualification, make_unit


@pytest.fixture
def crowd(centre, make_user):
    """25 registrations, every one on the same date: the sorts' last key ("id") decides the ties."""
    assessor = make_user("ass", centre, Role.ASSESSOR, first_name="Adam", last_name="Assessor")
    iv = make_user("iv1", centre, Role.INTERNAL_VERIFIER)
    qualification = make_qualification(mandatory=[make_unit(number="101", criteria=1)])
    make_candidates(
        centre=centre, count=25, qualification=qualification, assessor=assessor, internal_verifier=iv
    )


@pytest.mark.parametrize("sort", list(RegistrationListQuery.SORTS))
def test_every_page_is_the_plain_slice_of_the_sorted_list(crowd, sort):
    queryset = RegistrationListQuery({"sort": sort}).apply(
        Registration.objects.select_related("candidate", "qualification", "assessor")
    )
    every = list(queryset)
    rows = []
    for number in (1, 2, 3, 4):
        request = RequestFactory().get("/", {"page": number})
        with CaptureQueriesContext(connection) as queries:
            page = page_of(request, queryset.all(), per_page=10)
            shown = list(page.object_list)
            names = [str(r.candidate) for r in shown]  # the joined rows came with the page
        assert len(queries) == 2  # the count and the page
        assert names == [str(r.candidate) for r in every[(page.number - 1) * 10 : page.number * 10]]
        if number <= 3:
            rows += shown
    assert [r.pk for r in rows] == [r.pk for r in every]  # page 4 is past the end: the last page again


def test_a_list_and_a_distinct_queryset_are_sliced_as_they_are(crowd):
    request = RequestFactory().get("/", {"page": 2})
    assert list(page_of(request, list(range(25)), per_page=10).object_list) == list(range(10, 20))
    distinct = Registration.objects.order_by("id").distinct()
    assert [r.pk for r in page_of(request, distinct, per_page=10).object_list] == list(
        distinct.values_list("pk", flat=True)[10:20]
    )


def test_the_first_rows_are_the_plain_slice_in_one_query(crowd):
    queryset = Registration.objects.select_related("candidate").order_by("-created_at", "-id")
    with CaptureQueriesContext(connection) as queries:
        rows = first_of(queryset, 5)
        names = [str(r.candidate) for r in rows]
    assert len(queries) == 1
    assert names == [str(r.candidate) for r in queryset[:5]]

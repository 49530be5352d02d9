"""The candidate's evidence list: a page at a time, newest first, filtered by type, unit and status."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceItem
from evidence.views import EVIDENCE_PER_PAGE

pytestmark = pytest.mark.django_db


def _statements(people, n, *, start=0, kind=EvidenceItem.Kind.STATEMENT, locked=False, units=()):
    items = EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                centre=people.centre,
                candidate=people.candidate,
                kind=kind,
                title=f"Account {i:04d}",
                statement_text="What I did.",
                locked_at=timezone.now() if locked else None,
            )
            for i in range(start, start + n)
        ]
    )
    for item in items:
        item.units.set(units)
    return items


def _titles(page: str) -> list[str]:
    return re.findall(r">(Account \d{4})</a>", page)


def test_the_list_shows_a_page_of_the_newest_evidence_and_links_to_the_rest(client, people):
    _statements(people, EVIDENCE_PER_PAGE * 2 + 7)
    client.force_login(people.candidate)
    first = client.get(reverse("evidence:list")).content.decode()
    assert _titles(first) == [f"Account {i:04d}" for i in range(106, 56, -1)]
    assert f"1–50 of {EVIDENCE_PER_PAGE * 2 + 7} items" in first
    pages = first[first.index('id="evidence-pages"') :]
    assert 'aria-current="page"' in pages and 'href="?page=2"' in pages and 'href="?page=3"' in pages
    last = client.get(reverse("evidence:list"), {"page": 3}).content.decode()
    assert _titles(last) == [f"Account {i:04d}" for i in range(6, -1, -1)]
    assert "101–107 of 107 items" in last
    # A page number out of range or not a number shows the last or first page, never an error.
    assert _titles(client.get(reverse("evidence:list"), {"page": 99}).content.decode()) == _titles(last)
    assert _titles(client.get(reverse("evidence:list"), {"page": "x"}).content.decode()) == _titles(first)


def test_a_short_list_has_no_page_links(client, people):
    _statements(people, 3)
    client.force_login(people.candidate)
    page = client.get(reverse("evidence:list")).content.decode()
    assert len(_titles(page)) == 3 and 'id="evidence-pages"' not in page


def test_every_page_makes_the_same_queries_and_the_same_size_whatever_the_portfolio(
    client, people, catalogue
):
    client.force_login(people.candidate)
    _statements(people, EVIDENCE_PER_PAGE, units=[catalogue.units[0]])

    def measure(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("evidence:list"), params)
        assert response.status_code == 200
        return len(ctx), len(_titles(response.content.decode()))

    small = measure()
    _statements(people, EVIDENCE_PER_PAGE * 6, start=1000, units=[catalogue.units[0]])
    assert measure() == small
    assert measure(page=4) == small
    assert measure(page=4, unit=catalogue.units[0].pk, status="editable") == small


def test_filters_by_type_unit_and_status_and_page_links_keep_them(client, people, catalogue):
    unit, other = catalogue.units[0], catalogue.units[1]
    _statements(people, EVIDENCE_PER_PAGE + 5, units=[unit])
    _statements(people, 2, start=500, kind=EvidenceItem.Kind.PHOTO, units=[other])
    _statements(people, 3, start=600, locked=True, units=[other])
    client.force_login(people.candidate)
    url = reverse("evidence:list")
    photos = client.get(url, {"kind": "photo"}).content.decode()
    assert _titles(photos) == ["Account 0501", "Account 0500"]
    assert "2 items matching your filters" in photos
    used = client.get(url, {"status": "used"}).content.decode()
    assert _titles(used) == ["Account 0602", "Account 0601", "Account 0600"]
    in_other = client.get(url, {"unit": other.pk, "status": "editable"}).content.decode()
    assert _titles(in_other) == ["Account 0501", "Account 0500"]
    in_unit = client.get(url, {"unit": unit.pk}).content.decode()
    assert len(_titles(in_unit)) == EVIDENCE_PER_PAGE
    assert f'href="?unit={unit.pk}&amp;page=2"' in in_unit
    second = client.get(url, {"unit": unit.pk, "page": 2}).content.decode()
    assert _titles(second) == [f"Account {i:04d}" for i in range(4, -1, -1)]
    assert f'<option value="{unit.pk}" selected>' in second
    nothing = client.get(url, {"kind": "video"}).content.decode()
    assert _titles(nothing) == [] and "None of your evidence matches these filters" in nothing


def test_unknown_filter_values_show_the_whole_list(client, people, catalogue):
    _statements(people, 4)
    client.force_login(people.candidate)
    page = client.get(
        reverse("evidence:list"), {"kind": "spreadsheet", "unit": catalogue.other_unit.pk, "status": "maybe"}
    ).content.decode()
    assert len(_titles(page)) == 4 and "matching your filters" not in page


def test_the_list_never_shows_another_candidates_evidence_even_filtered(client, people, catalogue):
    _statements(people, 2, units=[catalogue.units[0]])
    client.force_login(people.peer)
    page = client.get(reverse("evidence:list"), {"unit": catalogue.units[0].pk}).content.decode()
    assert _titles(page) == [] and "You have no evidence yet" in page

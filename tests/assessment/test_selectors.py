"""Reads that summarise a portfolio: one row per criterion met, however many items cover it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import selectors, services

from .factories import make_evidence

pytestmark = pytest.mark.django_db


def _map_many(world, criterion, n, decision="accepted"):
    for i in range(n):
        item = make_evidence(registration=world.registration, title=f"Call {i}")
        services.mapping_add(registration=world.registration, evidence=item, actor=world.assessor,
                             criteria=[criterion], method="product_evidence", decision=decision,
                             reason="" if decision == "accepted" else "Say what you said.")


def test_a_criterion_covered_by_many_items_is_one_row(world):
    first, second = world.unit.criteria.order_by("number")
    _map_many(world, first, 4)
    _map_many(world, second, 1, decision="not_yet")
    rows = list(selectors.criteria_met_rows([world.registration.pk]))
    assert rows == [(world.registration.pk, first.pk)]


def test_caseload_and_progress_ask_for_distinct_criteria_without_sort_columns(world):
    first = world.unit.criteria.order_by("number").first()
    _map_many(world, first, 5)
    with CaptureQueriesContext(connection) as ctx:
        caseload = selectors.caseload_for(world.assessor)
        progress = selectors.registration_progress(world.registration)
    assert caseload[0].criteria_met == 1 and caseload[0].criteria_total == 4
    assert [p.criteria_met for p in progress] == [1, 0]
    distinct = [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    assert len(distinct) == 2 and not any("ORDER BY" in sql for sql in distinct)


def test_caseload_page_counts_each_criterion_once(client, world):
    first = world.unit.criteria.order_by("number").first()
    _map_many(world, first, 3)
    client.force_login(world.assessor)
    page = client.get(reverse("assessment:caseload")).content.decode()
    assert "1 of 4 (25%)" in page

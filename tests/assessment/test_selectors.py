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
        services.mapping_add(
            registration=world.registration,
            evidence=item,
            actor=world.assessor,
            criteria=[criterion],
            method="product_evidence",
            decision=decision,
            reason="" if decision == "accepted" else "Say what you said.",
        )


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
        row = selectors.caseload_for(world.assessor)[0]  # the row's counts are read when it is read
        progress = selectors.registration_progress(world.registration)
    assert row.criteria_met == 1 and row.criteria_total == 4
    assert [p.criteria_met for p in progress] == [1, 0]
    distinct = [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    # The caseload's criteria met and its "ready to sign" criteria met per unit, the progress page's.
    assert len(distinct) == 3 and not any("ORDER BY" in sql for sql in distinct)


def test_caseload_page_counts_each_criterion_once(client, world):
    first = world.unit.criteria.order_by("number").first()
    _map_many(world, first, 3)
    client.force_login(world.assessor)
    page = client.get(reverse("assessment:caseload")).content.decode()
    assert "1 of 4 (25%)" in page


def _matrix(client, world):
    return client.get(
        reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk])
    ).content.decode()


def test_the_matrix_lists_the_first_few_items_of_a_criterion_and_links_to_the_rest(client, world):
    first, second = world.unit.criteria.order_by("number")
    _map_many(world, first, selectors.MATRIX_SHOWN)
    _map_many(world, first, 2, decision="not_yet")
    _map_many(world, second, 2, decision="not_yet")
    client.force_login(world.assessor)
    page = _matrix(client, world)
    row = page[page.index(f'data-criterion="{first.ref}"') : page.index(f'data-criterion="{second.ref}"')]
    assert row.count("Call ") == selectors.MATRIX_SHOWN and "Met" in row
    criterion_url = reverse("assessment:criterion_detail", args=[world.registration.pk, first.pk])
    assert f'href="{criterion_url}">+2 more' in row and "(2 not yet)" in row
    gap = page[page.index(f'data-criterion="{second.ref}"') :]
    gap = gap[: gap.index("</tr>")]
    assert f'<tr class="table-gap" data-criterion="{second.ref}">' in page
    assert "Gap" in gap and "more" not in gap and gap.count("Not yet: Say what you said.") == 2
    # The criterion's page lists every item, each with its decision buttons.
    detail = client.get(criterion_url).content.decode()
    covering = detail[
        detail.index("Evidence covering it") : detail.index("</ul>", detail.index("Evidence covering it"))
    ]
    assert covering.count("<li>") == selectors.MATRIX_SHOWN + 2
    assert (
        covering.count(">Accept</button>") == 2
        and covering.count(">Mark not yet</button>") == selectors.MATRIX_SHOWN
    )


def test_the_matrix_stays_the_same_size_as_the_portfolio_grows(client, world):
    first = world.unit.criteria.order_by("number").first()
    client.force_login(world.assessor)
    _map_many(world, first, selectors.MATRIX_SHOWN + 1)
    before = len(_matrix(client, world))
    _map_many(world, first, 40)
    page = _matrix(client, world)
    assert "+41 more" in page
    assert abs(len(page) - before) < 10  # only the count in "+N more" changed


def test_a_decision_from_the_criterion_page_comes_back_to_it(client, world):
    first = world.unit.criteria.order_by("number").first()
    _map_many(world, first, 1, decision="not_yet")
    mapping = world.registration.mappings.get()
    url = reverse("assessment:criterion_detail", args=[world.registration.pk, first.pk])
    client.force_login(world.assessor)
    response = client.post(
        reverse("assessment:mapping_decide", args=[mapping.pk]),
        {"decision": "accepted", "version": mapping.version, "next": url},
    )
    assert response.status_code == 302 and response["Location"] == url
    mapping.refresh_from_db()
    assert mapping.decision == "accepted"
    assert "1 of 2 met" in _matrix(client, world)


def test_sign_off_reads_every_accepted_mapping_not_just_those_listed(world):
    from .factories import add_requirement

    first, second = world.unit.criteria.order_by("number")
    add_requirement(
        world.unit,
        ref="R1",
        min_count=selectors.MATRIX_SHOWN + 2,
        method="product_evidence",
        criteria=[first.ref],
    )
    _map_many(world, first, selectors.MATRIX_SHOWN + 2)
    _map_many(world, second, 1)
    matrix = selectors.unit_matrix(world.registration, world.unit)
    requirement = matrix.coverage.requirements[0]
    assert requirement.count == selectors.MATRIX_SHOWN + 2 and requirement.met
    assert matrix.coverage.criteria_done == 2
    assert [row.more for row in matrix.rows] == [2, 0]


def test_progress_lists_the_newest_not_yet_decisions_and_counts_them_per_unit(client, world):
    first = world.unit.criteria.order_by("number").first()
    shown = selectors.PROGRESS_NOT_YET_SHOWN
    _map_many(world, first, shown + 5, decision="not_yet")
    client.force_login(world.candidate)
    page = client.get(reverse("assessment:progress_detail", args=[world.registration.pk])).content.decode()
    listed = page[page.index('id="notyet-heading"') : page.index('id="feedback-heading"')]
    assert listed.count("Say what you said.") == shown
    assert f"Call {shown + 4} for" in listed and "Call 0 for" not in listed  # newest first
    assert f"The newest {shown} of {shown + 5}" in listed
    unit_card = page[
        page.index(f'id="unit-{world.unit.number}"') : page.index(f'id="unit-{world.other_unit.number}"')
    ]
    assert f"{shown + 5} “not yet” decisions from your assessor" in unit_card

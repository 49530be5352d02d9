"""Readiness shown before the attempt (issue 17 item 2): the unit page, the caseload's "ready to sign" and the
sign-off service read one list of what stands between a unit and its sign-off."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from assessment import selectors, services
from assessment.models import UnitAssessment
from tests import factories

from ..conftest import PASSWORD
from .factories import make_qualification, make_registration, make_unit

pytestmark = pytest.mark.django_db


def _map_all(registration, unit, assessor, evidence=None):
    factories.map_unit(SimpleNamespace(registration=registration, assessor=assessor), unit, evidence=evidence)


def _ua(registration, unit):
    return UnitAssessment.objects.get(registration=registration, unit=unit)


def _unit_page(client, world):
    return client.get(
        reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk])
    ).content.decode()


def test_the_unit_page_lists_what_is_missing_and_disables_the_button_with_the_reason(client, world):
    client.force_login(world.assessor)
    page = _unit_page(client, world)
    assert "Criteria not yet met by accepted evidence: 1.1, 1.2." in page
    assert "The candidate has not signed the authenticity statement for this unit." in page
    assert 'id="sign-off-button" disabled aria-describedby="sign-off-blocked"' in page
    _map_all(world.registration, world.unit, world.assessor)
    record = services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="observation",
        date=dt.date(2026, 3, 1),
        description="Greeted callers",
        criteria=[world.unit.criteria.get(ref="1.1")],
    )
    services.authenticity_sign(unit_assessment=_ua(world.registration, world.unit), actor=world.candidate)
    page = _unit_page(client, world)
    assert "Criteria not yet met" not in page
    assert (
        "The candidate has not signed the records this unit relies on: Observation record 01/03/2026." in page
    )
    assert (
        "disabled"
        in page[page.index('id="sign-off-button"') : page.index(">", page.index('id="sign-off-button"'))]
    )
    # The service refuses with the very same words.
    assert services.sign_off_problems(_ua(world.registration, world.unit)) == [
        "The candidate has not signed the records this unit relies on: Observation record 01/03/2026."
    ]
    services.record_candidate_sign(record=record, actor=world.candidate)
    page = _unit_page(client, world)
    assert 'id="sign-off-ready"' in page and "sign-off-missing" not in page
    button = page[page.index('id="sign-off-button"') : page.index(">", page.index('id="sign-off-button"'))]
    assert "disabled" not in button


def _ready_markers(client):
    return (
        client.get(reverse("assessment:caseload"))
        .content.decode()
        .count('class="badge text-bg-success ready-to-sign"')
    )


def _add_candidate(world, n):
    candidate = world.make_user(f"cand{n}", world.centre, Role.CANDIDATE, first_name=f"C{n}")
    registration = make_registration(
        centre=world.centre,
        candidate=candidate,
        assessor=world.assessor,
        internal_verifier=world.iv,
        qualification=world.qualification,
    )
    for unit in (world.unit, world.other_unit):
        _map_all(registration, unit, world.assessor)
    services.authenticity_sign(unit_assessment=_ua(registration, world.unit), actor=candidate)
    return registration


def test_the_caseload_marks_units_ready_to_sign_in_constant_queries(client, world):
    client.force_login(world.assessor)
    _map_all(world.registration, world.unit, world.assessor)
    assert _ready_markers(client) == 0  # the authenticity statement is still to sign
    services.authenticity_sign(unit_assessment=_ua(world.registration, world.unit), actor=world.candidate)
    [row] = selectors.caseload_for(world.assessor)
    assert row.ready_to_sign == [world.unit]
    page = client.get(reverse("assessment:caseload")).content.decode()
    assert "Ready to sign: unit 101" in page and "Ready to sign: unit 102" not in page
    url = reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk])
    assert f'href="{url}">Ready to sign: unit 101' in page

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("assessment:caseload"))
    for n in range(4):
        _add_candidate(world, n)
    with CaptureQueriesContext(connection) as large:
        assert _ready_markers(client) == 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_signed_unit_is_not_ready_to_sign_again(world):
    _map_all(world.registration, world.unit, world.assessor)
    services.authenticity_sign(unit_assessment=_ua(world.registration, world.unit), actor=world.candidate)
    services.unit_sign_off(
        unit_assessment=_ua(world.registration, world.unit), actor=world.assessor, password=PASSWORD
    )
    [row] = selectors.caseload_for(world.assessor)
    assert row.ready_to_sign == []


def test_a_unit_taken_off_the_route_is_neither_ready_nor_an_error(client, world):
    """Two candidates on the page take optional unit 103; one of them met its criteria and signed its statement,
    then dropped it from the route. The caseload reads the dropped unit for no one (it was a 500)."""
    extra = make_unit(number="103", criteria=1)
    qualification = make_qualification(mandatory=[world.unit], optional=[extra])
    rows = []
    for n in range(2):
        candidate = world.make_user(f"opt{n}", world.centre, Role.CANDIDATE, first_name=f"O{n}")
        rows.append(
            make_registration(
                centre=world.centre,
                candidate=candidate,
                assessor=world.assessor,
                internal_verifier=world.iv,
                qualification=qualification,
                optional_units=[extra],
            )
        )
    _map_all(rows[1], extra, world.assessor)
    services.authenticity_sign(unit_assessment=_ua(rows[1], extra), actor=rows[1].candidate)
    rows[1].optional_units.remove(extra)
    client.force_login(world.assessor)
    response = client.get(reverse("assessment:caseload"))
    assert response.status_code == 200
    assert "Ready to sign: unit 103" not in response.content.decode()
    ready = {row.registration.pk: row.ready_to_sign for row in selectors.caseload_for(world.assessor)}
    assert ready[rows[0].pk] == [] and ready[rows[1].pk] == []
    rows[1].optional_units.add(extra)  # taken again: ready again
    ready = {row.registration.pk: row.ready_to_sign for row in selectors.caseload_for(world.assessor)}
    assert ready[rows[1].pk] == [extra]

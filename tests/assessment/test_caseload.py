"""The caseload's order is decided over every registration from a few aggregates; each row's figures are read
when the row is read. Both must be what a plain row-by-row reading of the registration gives."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from assessment import selectors, services
from assessment.models import EvidenceMapping, Registration, UnitAssessment
from evidence.models import EvidenceItem
from tests import factories

from .factories import make_candidates, make_evidence, make_qualification, make_registration, make_unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _register(world, username, last_name, qualification=None, optional_units=()):
    candidate = world.make_user(
        username, world.centre, Role.CANDIDATE, first_name="Case", last_name=last_name
    )
    return make_registration(
        centre=world.centre,
        candidate=candidate,
        assessor=world.assessor,
        internal_verifier=world.iv,
        qualification=qualification or world.qualification,
        optional_units=optional_units,
    )


def _map_all(registration, unit, assessor, evidence=None):
    factories.map_unit(SimpleNamespace(registration=registration, assessor=assessor), unit, evidence=evidence)


def _ua(registration, unit):
    return UnitAssessment.objects.get(registration=registration, unit=unit)


def _varied_caseload(world):
    """Waiting evidence, a unit awaiting countersignature, an expiring registration, an overdue plan review, a
    transferred signed unit, a unit ready to sign, an optional unit chosen, and quiet candidates."""
    make_evidence(registration=world.registration, title="Another")  # Cara: two items waiting
    countersign = _register(world, "counter", "Counter")
    _map_all(countersign, world.unit, world.assessor)
    UnitAssessment.objects.filter(registration=countersign, unit=world.unit).update(
        status=UnitAssessment.Status.AWAITING_COUNTERSIGNATURE,
        signed_by=world.assessor,
        signed_at=timezone.now(),
    )
    expiring = _register(world, "expiring", "Expiring")
    Registration.objects.filter(pk=expiring.pk).update(expires_on=TODAY + dt.timedelta(days=30))
    overdue = _register(world, "overdue", "Overdue")
    services.action_plan_create(
        registration=overdue,
        actor=world.assessor,
        items=[("Observe a busy Saturday", TODAY, [])],
        review_date=TODAY - dt.timedelta(days=3),
    )
    due = _register(world, "due", "Due")
    services.action_plan_create(
        registration=due,
        actor=world.assessor,
        items=[("Observe a quiet Monday", TODAY, [])],
        review_date=TODAY + dt.timedelta(days=2),
    )
    moved = _register(world, "moved", "Moved")
    _map_all(
        moved, world.unit, world.assessor
    )  # its mappings are left out: the transfer counts every criterion
    first = world.other_unit.criteria.order_by("number").first()
    services.mapping_add(
        registration=moved,
        evidence=make_evidence(registration=moved, title="Half of 102"),
        actor=world.assessor,
        criteria=[first],
        method="product_evidence",
        location="p. 2",
        decision="accepted",
    )
    UnitAssessment.objects.filter(registration=moved, unit=world.unit).update(
        status=UnitAssessment.Status.SIGNED, signed_at=timezone.now(), transferred_from="Elsewhere (E1)"
    )
    ready = _register(world, "ready", "Ready")
    _map_all(ready, world.other_unit, world.assessor)
    services.authenticity_sign(unit_assessment=_ua(ready, world.other_unit), actor=ready.candidate)
    extra = make_unit(number="201", criteria=3)
    _register(
        world,
        "optional",
        "Optional",
        qualification=make_qualification(mandatory=[world.unit], optional=[extra]),
        optional_units=[extra],
    )
    make_candidates(
        centre=world.centre,
        count=3,
        qualification=world.qualification,
        assessor=world.assessor,
        internal_verifier=world.iv,
    )
    someone_else = world.make_user("other_ass", world.centre, Role.ASSESSOR)
    other = _register(world, "notmine", "Notmine")
    Registration.objects.filter(pk=other.pk).update(assessor=someone_else)


def _is_current(item) -> bool:
    newer = EvidenceItem._base_manager.filter(previous_version=item).first()
    return newer is None or newer.deleted_at is not None


def _reference(assessor) -> list[tuple]:
    """Every figure the caseload shows, read one registration at a time, in the caseload's order."""
    rows = []
    for registration in Registration.objects.filter(assessor=assessor, status=Registration.Status.ACTIVE):
        units = selectors.registration_units(registration)
        evidence = list(
            EvidenceItem.objects.filter(candidate=registration.candidate, deleted_at__isnull=True)
        )
        waiting = sum(
            1 for e in evidence if _is_current(e) and not EvidenceMapping.objects.filter(evidence=e)
        )
        statuses = [ua.status for ua in UnitAssessment.objects.filter(registration=registration)]
        awaiting = statuses.count(UnitAssessment.Status.AWAITING_COUNTERSIGNATURE)
        mappings = EvidenceMapping.objects.filter(registration=registration)
        activity = [e.updated_at for e in evidence] + [m.assessed_at for m in mappings]
        last_activity = max(activity) if activity else None
        plan = registration.action_plans.order_by("-created_at", "-id").first()
        review = plan.next_review() if plan else None
        state = ""
        if review and review < TODAY:
            state = "overdue"
        elif review and (review - TODAY).days <= selectors.PLAN_REVIEW_DUE_DAYS:
            state = "due"
        expires_soon = (registration.expires_on - dt.date.today()).days <= 90  # noqa: DTZ011
        attention = []
        if waiting:
            attention.append(f"{waiting} evidence waiting for assessment")
        if awaiting:
            attention.append(f"{awaiting} unit(s) awaiting countersignature")
        if expires_soon:
            attention.append(f"registration expires {registration.expires_on:%d/%m/%Y}")
        if state:
            since = "since" if state == "overdue" else "on"
            attention.append(f"assessment plan review {state} ({since} {review:%d/%m/%Y})")
        criteria_total = sum(unit.criteria.count() for unit in units)
        criteria_met = len({c for _, c in selectors.criteria_met_rows([registration.pk])})
        ready = selectors.units_ready_to_sign([registration], {registration.pk: units}).get(
            registration.pk, []
        )
        key = (
            -waiting,
            -awaiting,
            state != "overdue",
            not expires_soon,
            last_activity.timestamp() if last_activity else 0,
            registration.candidate.last_name,
            registration.pk,
        )
        figures = (
            registration.pk,
            str(registration.candidate),
            registration.qualification.code,
            len(units),
            statuses.count(UnitAssessment.Status.SIGNED),
            criteria_total,
            criteria_met,
            round(100 * criteria_met / criteria_total) if criteria_total else 0,
            waiting,
            awaiting,
            last_activity,
            attention,
            review if state else None,
            state,
            expires_soon,
            [u.pk for u in ready],
        )
        rows.append((key, figures))
    return [figures for _, figures in sorted(rows, key=lambda r: r[0])]


def _figures(row) -> tuple:
    return (
        row.registration.pk,
        str(row.registration.candidate),
        row.registration.qualification.code,
        row.units_total,
        row.units_signed,
        row.criteria_total,
        row.criteria_met,
        row.percent,
        row.evidence_waiting,
        row.awaiting_countersignature,
        row.last_activity,
        row.attention,
        row.plan_review,
        row.plan_review_state,
        row.expires_soon,
        [u.pk for u in row.ready_to_sign],
    )


def test_the_caseload_shows_what_a_row_by_row_reading_gives_in_the_same_order(world):
    _varied_caseload(world)
    expected = _reference(world.assessor)
    assert len(expected) == 11
    states = {f[13] for f in expected}
    assert {"overdue", "due"} <= states and any(f[9] for f in expected) and any(f[15] for f in expected)
    assert any(f[14] for f in expected) and any(f[8] == 2 for f in expected)
    moved = next(f for f in expected if f[1] == "Case Moved")
    assert (moved[4], moved[5], moved[6]) == (1, 4, 3)  # the transferred unit's 2 criteria and 1 of unit 102

    rows = selectors.caseload_for(world.assessor)
    assert len(rows) == len(expected)
    page = rows[:2] + rows[2:4]
    assert [_figures(r) for r in page] == expected[:4]
    assert _figures(rows[5]) == expected[5]
    assert [_figures(r) for r in rows] == expected
    assert [_figures(r) for r in selectors.caseload_for(world.assessor)] == expected
    assert [r.registration.pk for r in selectors.caseload_for(world.assessor, search="case")] == [
        f[0] for f in expected if f[1].startswith("Case")
    ]


def test_a_page_of_the_caseload_costs_the_same_queries_for_3_and_9_candidates(world):
    make_candidates(
        centre=world.centre,
        count=2,
        qualification=world.qualification,
        assessor=world.assessor,
        internal_verifier=world.iv,
    )

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.caseload_for(world.assessor)
            page = rows[:2]
        assert len(page) == 2
        return len(rows), len(ctx.captured_queries)

    small = page_queries()
    registrations = make_candidates(
        centre=world.centre,
        count=6,
        qualification=world.qualification,
        assessor=world.assessor,
        internal_verifier=world.iv,
        start=2,
    )
    for registration in registrations[:3]:
        make_evidence(registration=registration)
        _map_all(registration, world.unit, world.assessor)
    large = page_queries()
    assert (small[0], large[0]) == (3, 9)
    assert large[1] == small[1]

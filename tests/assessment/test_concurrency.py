"""Two tabs (or two people) acting on the same unit at the same moment: one wins, the other is told.

On PostgreSQL the requests really run at once, in two threads with their own connections. SQLite allows one
writer at a time, so there the same two submissions run one after the other (the double-submit case).
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessment import services
from assessment.models import EvidenceMapping, UnitAssessment, UnitSignOff
from audit.actions import Action
from audit.models import AuditEntry
from tests.conftest import PASSWORD


def run_together(*calls):
    """Run the calls at once in threads on PostgreSQL, one after the other elsewhere; return their results."""
    results = [None] * len(calls)
    if connection.vendor != "postgresql":
        return [call() for call in calls]
    barrier = threading.Barrier(len(calls))

    def worker(index, call):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def ready(world):
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="observation",
        decision="accepted",
    )
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    return services.authenticity_sign(unit_assessment=ua, actor=world.candidate)


@pytest.mark.postgres
def test_two_tabs_signing_the_same_unit_sign_it_once(transactional_db, world):
    ua = ready(world)
    url = reverse("assessment:unit_sign", args=[world.registration.pk, world.unit.pk])
    data = {"password": PASSWORD, "version": ua.version}

    def submit():
        client = Client()
        client.force_login(world.assessor)
        return client.post(url, data).status_code

    statuses = run_together(submit, submit)
    assert sorted(statuses) == [302, 400]
    assert UnitSignOff.objects.filter(unit_assessment=ua).count() == 1
    assert AuditEntry.objects.filter(action=Action.UNIT_SIGNED_OFF).count() == 1
    ua.refresh_from_db()
    assert ua.status == "signed" and ua.version == data["version"] + 1


@pytest.mark.postgres
def test_two_tabs_deciding_the_same_mapping_never_lose_an_update(transactional_db, world):
    ready(world)
    mapping = EvidenceMapping.objects.first()
    url = reverse("assessment:mapping_decide", args=[mapping.pk])

    def decide(reason):
        def submit():
            client = Client()
            client.force_login(world.assessor)
            client.post(url, {"decision": "not_yet", "reason": reason, "version": mapping.version})
            return reason

        return submit

    run_together(decide("tab one"), decide("tab two"))
    mapping.refresh_from_db()
    assert mapping.version == 2  # exactly one decision applied; the other was refused as stale
    assert AuditEntry.objects.filter(action=Action.MAPPING_DECIDED).count() == 1
    assert mapping.reason in ("tab one", "tab two")

"""Pages: who reaches what (404 for everyone else), constant queries, and the forms that drive the services."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, Role
from assessment import services
from assessment.models import EvidenceMapping, UnitAssessment
from evidence.models import EvidenceItem
from tests.conftest import PASSWORD

from .factories import make_evidence, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    """The world plus outsiders: another candidate of the same centre with another assessor, and another
    centre's admin."""
    other_candidate = world.make_user("cand2", world.centre, Role.CANDIDATE)
    other_assessor = world.make_user("ass2", world.centre, Role.ASSESSOR)
    make_registration(
        centre=world.centre,
        candidate=other_candidate,
        assessor=other_assessor,
        internal_verifier=world.iv,
        qualification=world.qualification,
    )
    elsewhere = Centre.objects.create(name="Elsewhere", number="E1")
    other_admin = world.make_user("adm2", elsewhere, Role.CENTRE_ADMIN)
    mapping = services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=[world.unit.criteria.first()],
        method="observation",
        decision="accepted",
    )[0]
    record = services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="observation",
        date=dt.date(2026, 3, 1),
        description="Seen",
        criteria=[world.unit.criteria.first()],
    )
    plan = services.action_plan_create(
        registration=world.registration, actor=world.assessor, items=[("Do it", dt.date(2026, 5, 1), [])]
    )
    world.__dict__.update(
        other_candidate=other_candidate,
        other_assessor=other_assessor,
        other_admin=other_admin,
        mapping=mapping,
        record=record,
        plan=plan,
    )
    return world


def pages(w):
    reg, unit = w.registration.pk, w.unit.pk
    staff = {"assessor", "iv", "admin"}
    return [
        ("assessment:registration_detail", {"pk": reg}, staff),
        ("assessment:unit_matrix", {"pk": reg, "unit_pk": unit}, staff),
        ("assessment:criterion_detail", {"pk": reg, "criterion_pk": w.unit.criteria.first().pk}, staff),
        ("assessment:evidence_map", {"pk": reg, "evidence_pk": w.evidence.pk}, {"assessor"}),
        ("assessment:record_new", {"pk": reg, "kind": "observation"}, {"assessor"}),
        ("assessment:action_plan_new", {"pk": reg}, {"assessor"}),
        ("assessment:feedback_new", {"pk": reg}, {"assessor"}),
        ("assessment:registration_edit", {"pk": reg}, {"admin"}),
        ("assessment:record_detail", {"record_pk": w.record.pk}, staff | {"candidate"}),
        ("assessment:progress_detail", {"pk": reg}, {"candidate"}),
        ("assessment:authenticity_sign", {"pk": reg, "unit_pk": unit}, {"candidate"}),
    ]


def actions(w):
    reg, unit = w.registration.pk, w.unit.pk
    return [
        (
            "assessment:mapping_decide",
            {"mapping_pk": w.mapping.pk},
            {"decision": "not_yet", "reason": "x", "version": 1},
        ),
        ("assessment:mapping_remove", {"mapping_pk": w.mapping.pk}, {"version": 1}),
        ("assessment:unit_sign", {"pk": reg, "unit_pk": unit}, {"password": PASSWORD, "version": 1}),
        ("assessment:unit_reopen", {"pk": reg, "unit_pk": unit}, {"reason": "x"}),
        ("assessment:record_sign", {"record_pk": w.record.pk}, {}),
        ("assessment:action_plan_agree", {"plan_pk": w.plan.pk}, {}),
        ("assessment:authenticity_sign", {"pk": reg, "unit_pk": unit}, {}),
        ("assessment:evidence_map", {"pk": reg, "evidence_pk": w.evidence.pk}, {}),
        ("assessment:feedback_new", {"pk": reg}, {"text": "hi"}),
    ]


def test_who_reaches_each_page_everyone_else_gets_404(client, cast):
    people = {
        "assessor": cast.assessor,
        "iv": cast.iv,
        "admin": cast.admin,
        "candidate": cast.candidate,
        "other_assessor": cast.other_assessor,
        "other_candidate": cast.other_candidate,
        "other_admin": cast.other_admin,
    }
    for name, kwargs, allowed in pages(cast):
        url = reverse(name, kwargs=kwargs)
        for label, person in people.items():
            client.force_login(person)
            status = client.get(url).status_code
            assert status == (200 if label in allowed else 404), (name, label, status)


def test_outsiders_get_404_on_every_action_and_change_nothing(client, cast):
    outsiders = [cast.other_assessor, cast.other_candidate, cast.other_admin]
    for name, kwargs, data in actions(cast):
        for person in outsiders:
            client.force_login(person)
            assert client.post(reverse(name, kwargs=kwargs), data).status_code == 404, (name, person)
    cast.mapping.refresh_from_db()
    assert cast.mapping.decision == "accepted" and UnitAssessment.objects.filter(status="signed").count() == 0


def test_countersign_page_only_for_qualified_assessors_of_the_centre(client, world):
    world.assessor.is_trainee_assessor = True
    world.assessor.save()
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="observation",
        decision="accepted",
    )
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    services.authenticity_sign(unit_assessment=ua, actor=world.candidate)
    services.unit_sign_off(unit_assessment=ua, actor=world.assessor, password=PASSWORD)
    url = reverse("assessment:unit_countersign", args=[ua.pk])
    for person in (world.assessor, world.candidate, world.admin):
        client.force_login(person)
        assert client.get(url).status_code == 404
    qualified = world.make_user("senior", world.centre, Role.ASSESSOR)
    client.force_login(qualified)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"password": PASSWORD, "version": UnitAssessment.objects.get(pk=ua.pk).version}
    )
    assert response.status_code == 302
    assert UnitAssessment.objects.get(pk=ua.pk).status == "signed"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _grow_portfolio(world, n):
    now = timezone.now()
    items = EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                centre=world.centre, candidate=world.candidate, title=f"Item {i}", kind="work_product"
            )
            for i in range(n)
        ]
    )
    criteria = list(world.unit.criteria.all())
    EvidenceMapping.objects.bulk_create(
        [
            EvidenceMapping(
                registration=world.registration,
                evidence=item,
                criterion=criteria[i % len(criteria)],
                unit=world.unit,
                method="product_evidence",
                decision="accepted",
                assessed_by=world.assessor,
                assessed_at=now,
            )
            for i, item in enumerate(items[: n // 2])
        ]
    )


@pytest.mark.parametrize("which", ["caseload", "dashboard", "matrix", "registration", "progress", "map"])
def test_pages_do_the_same_number_of_queries_with_1_and_300_evidence_items(client, world, which):
    def url():
        return {
            "caseload": reverse("assessment:caseload"),
            "dashboard": reverse("dashboards:assessor"),
            "matrix": reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk]),
            "registration": reverse("assessment:registration_detail", args=[world.registration.pk]),
            "progress": reverse("assessment:progress_detail", args=[world.registration.pk]),
            "map": reverse("assessment:evidence_map", args=[world.registration.pk, world.evidence.pk]),
        }[which]

    client.force_login(world.candidate if which == "progress" else world.assessor)
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=[world.unit.criteria.first()],
        method="observation",
        decision="accepted",
    )
    small = _queries(client, url())
    _grow_portfolio(world, 300)
    assert _queries(client, url()) == small


def test_caseload_puts_waiting_evidence_first(client, world):
    quiet = world.make_user("quiet", world.centre, Role.CANDIDATE, first_name="Aaron")
    make_registration(
        centre=world.centre,
        candidate=quiet,
        assessor=world.assessor,
        internal_verifier=world.iv,
        qualification=world.qualification,
    )
    make_evidence(registration=world.registration, title="Another")
    client.force_login(world.assessor)
    page = client.get(reverse("assessment:caseload")).content.decode()
    assert page.index("Cara") < page.index("Aaron")
    assert "2 evidence waiting for assessment" in page


def test_mapping_form_then_sign_off_form(client, world):
    client.force_login(world.assessor)
    url = reverse("assessment:evidence_map", args=[world.registration.pk, world.evidence.pk])
    response = client.post(
        url,
        {
            "criteria": [c.pk for c in world.unit.criteria.all()],
            "method": "product_evidence",
            "location": "page 2",
            "decision": "accepted",
            "evidence_revision": 1,
        },
    )
    assert response.status_code == 302
    matrix = reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk])
    page = client.get(matrix).content.decode()
    assert "2 of 2 met" in page and "page 2" in page
    assert "has not signed the authenticity statement" in page
    sign = reverse("assessment:unit_sign", args=[world.registration.pk, world.unit.pk])
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    refused = client.post(sign, {"password": PASSWORD, "version": ua.version})
    assert refused.status_code == 400 and "authenticity statement" in refused.content.decode()
    client.force_login(world.candidate)
    client.post(reverse("assessment:authenticity_sign", args=[world.registration.pk, world.unit.pk]))
    client.force_login(world.assessor)
    ua.refresh_from_db()
    assert client.post(sign, {"password": PASSWORD, "version": ua.version}).status_code == 302
    assert "Signed off" in client.get(matrix).content.decode()


def test_not_yet_without_reason_is_refused_on_the_form(client, world):
    client.force_login(world.assessor)
    url = reverse("assessment:evidence_map", args=[world.registration.pk, world.evidence.pk])
    response = client.post(
        url,
        {
            "criteria": [world.unit.criteria.first().pk],
            "method": "observation",
            "decision": "not_yet",
            "reason": "",
            "evidence_revision": 1,
        },
    )
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert not EvidenceMapping.objects.exists()


def test_candidate_sees_feedback_progress_and_agrees_the_plan(client, world):
    services.feedback_give(
        registration=world.registration, actor=world.assessor, text="Nice greeting on the phone"
    )
    plan = services.action_plan_create(
        registration=world.registration,
        actor=world.assessor,
        items=[("Get a witness statement", dt.date(2026, 6, 1), [])],
    )
    client.force_login(world.candidate)
    page = client.get(reverse("assessment:progress_detail", args=[world.registration.pk])).content.decode()
    assert (
        "Nice greeting on the phone" in page
        and "Get a witness statement" in page
        and "0 of 2 criteria met" in page
    )
    client.post(reverse("assessment:action_plan_agree", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.agreed_at is not None
    dashboard = client.get(reverse("dashboards:candidate")).content.decode()
    assert "My progress" in dashboard and "0 of 4 criteria met" in dashboard

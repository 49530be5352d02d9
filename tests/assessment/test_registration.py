"""Registration by a centre admin, checked by the rules engine on the real 4411 catalogue."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from assessment.models import Registration, UnitAssessment
from audit.actions import Action
from audit.models import AuditEntry
from qualifications.models import Qualification, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(centre, make_user):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    return {
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "candidate": make_user("cand", centre, Role.CANDIDATE),
        "assessor": make_user("ass", centre, Role.ASSESSOR),
        "assessor2": make_user("ass2", centre, Role.ASSESSOR),
        "iv": make_user("iv", centre, Role.INTERNAL_VERIFIER, Role.ASSESSOR),
    }


def post_registration(client, people, units, **extra):
    client.force_login(people["admin"])
    data = {
        "qualification": "4411-01",
        "centre": people["admin"].memberships.get().centre_id,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": "2026-02-10",
        "optional_units": [Unit.objects.get(ref=f"4411-{n}").pk for n in units],
        **extra,
    }
    return client.post(reverse("assessment:registration_new") + "?qualification=4411-01", data)


def test_admin_registers_with_36_month_expiry_and_unit_rows(client, people):
    response = post_registration(client, people, ["101", "103", "104"])
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get()
    assert registration.expires_on == dt.date(2029, 2, 10)
    refs = set(UnitAssessment.objects.filter(registration=registration).values_list("unit__ref", flat=True))
    assert refs == {"4411-102", "4411-101", "4411-103", "4411-104"}
    assert AuditEntry.objects.filter(action=Action.REGISTRATION_CREATED).exists()


def test_barred_pair_is_refused_with_the_engine_explanation(client, people):
    # 4411-01 optional units include Entry 3 unit 002, barred with mandatory 102
    assert Qualification.objects.get(code="4411-01").memberships.filter(unit__ref="4411-002").exists()
    response = post_registration(client, people, ["002", "101", "103"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot lead to 4411-01" in page and "002" in page and "102" in page
    assert not Registration.objects.exists()


def test_suggest_route_shows_the_planner(client, people):
    response = post_registration(client, people, [], suggest="1")
    assert response.status_code == 200 and 'id="route"' in response.content.decode()
    assert "Suggested route: add" in response.content.decode()

"""The mapping screen built around the evidence (issue 17 item 1): the evidence beside the criteria of the
registration's units, grouped by unit and outcome, collapsed to the units with gaps, criteria met marked; fast
for a 4430-04 registration with every unit chosen."""
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.selectors import registration_units
from qualifications.models import Qualification, QualificationUnit, Unit

from .factories import make_evidence, make_registration

pytestmark = pytest.mark.django_db
PAGE_LIMIT = 150 * 1024


def _load_4430_04():
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4430-04.json"), verbosity=0)
    qualification = Qualification.objects.get(code="4430-04")
    optional = Unit.objects.filter(memberships__qualification=qualification,
                                   memberships__status=QualificationUnit.Status.OPTIONAL)
    return qualification, list(optional)


@pytest.fixture
def every_unit(centre, make_user):
    from accounts.models import Role

    qualification, optional = _load_4430_04()
    assessor = make_user("ass", centre, Role.ASSESSOR)
    registration = make_registration(
        centre=centre, candidate=make_user("cand", centre, Role.CANDIDATE), assessor=assessor,
        internal_verifier=make_user("iv1", centre, Role.INTERNAL_VERIFIER), qualification=qualification,
        optional_units=optional)
    return registration, assessor


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx)


def test_map_page_for_4430_04_with_every_unit_is_small_and_constant_in_queries(client, every_unit):
    registration, assessor = every_unit
    client.force_login(assessor)
    item = make_evidence(registration=registration, title="Complaint log")
    url = reverse("assessment:evidence_map", args=[registration.pk, item.pk])
    small, small_queries = _get(client, url)
    # Grow: more evidence, mappings in many units, some of it accepted (met) and some not yet.
    units = [u for u in registration_units(registration) if u.criteria.exists()]
    for n, unit in enumerate(units):
        other = make_evidence(registration=registration, title=f"Evidence for {unit.number}")
        services.mapping_add(registration=registration, evidence=other, actor=assessor,
                             criteria=list(unit.criteria.all()[:3]), method="product_evidence",
                             decision="accepted" if n % 2 else "not_yet", reason="" if n % 2 else "More detail")
    services.mapping_add(registration=registration, evidence=item, actor=assessor,
                         criteria=list(units[0].criteria.all()[:2]), method="product_evidence", decision="accepted")
    large, large_queries = _get(client, url)
    assert large_queries == small_queries
    size = len(large.content)
    print(f"4430-04 every unit: {size} bytes, {large_queries} queries, {len(units)} units with criteria")
    assert size < PAGE_LIMIT, size
    page = large.content.decode()
    assert page.count('name="criteria"') == sum(u.criteria.count() for u in units)
    assert re.search(r"\bmet\b", page)

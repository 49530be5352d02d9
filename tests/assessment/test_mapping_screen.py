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
    optional = Unit.objects.filter(
        memberships__qualification=qualification, memberships__status=QualificationUnit.Status.OPTIONAL
    )
    return qualification, list(optional)


@pytest.fixture
def every_unit(centre, make_user):
    from accounts.models import Role

    qualification, optional = _load_4430_04()
    assessor = make_user("ass", centre, Role.ASSESSOR)
    registration = make_registration(
        centre=centre,
        candidate=make_user("cand", centre, Role.CANDIDATE),
        assessor=assessor,
        internal_verifier=make_user("iv1", centre, Role.INTERNAL_VERIFIER),
        qualification=qualification,
        optional_units=optional,
    )
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
        services.mapping_add(
            registration=registration,
            evidence=other,
            actor=assessor,
            criteria=list(unit.criteria.all()[:3]),
            method="product_evidence",
            decision="accepted" if n % 2 else "not_yet",
            reason="" if n % 2 else "More detail",
        )
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=assessor,
        criteria=list(units[0].criteria.all()[:2]),
        method="product_evidence",
        decision="accepted",
    )
    large, large_queries = _get(client, url)
    assert large_queries == small_queries
    size = len(large.content)
    print(f"4430-04 every unit: {size} bytes, {large_queries} queries, {len(units)} units with criteria")
    assert size < PAGE_LIMIT, size
    page = large.content.decode()
    assert page.count('name="criteria"') == sum(u.criteria.count() for u in units)
    assert re.search(r"\bmet\b", page)


def _details(page, number):
    match = re.search(rf'<details class="picker-unit[^"]*" data-unit="{number}"( open)?>', page)
    assert match, number
    return match.group(1) == " open"


def test_map_page_shows_the_evidence_opens_the_units_with_gaps_and_marks_met_criteria(client, world):
    other = make_evidence(registration=world.registration, title="Earlier work")
    services.mapping_add(
        registration=world.registration,
        evidence=other,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="product_evidence",
        decision="accepted",
    )
    client.force_login(world.assessor)
    url = reverse("assessment:evidence_map", args=[world.registration.pk, world.evidence.pk])
    page = client.get(url).content.decode()
    assert 'id="evidence-statement"' in page and "What I did." in page
    assert not _details(page, "101") and _details(page, "102")  # 101 has no gaps left
    assert page.count('<span class="badge text-bg-success">met</span></label>') == 2
    assert "2 of 2 met" in page and "0 of 2 met" in page
    outcome = world.unit.criteria.first().outcome
    assert f"Outcome {outcome.number}: {outcome.title}" in page
    # The units the candidate named for the evidence open instead.
    world.evidence.units.set([world.unit])
    page = client.get(url).content.decode()
    assert _details(page, "101") and not _details(page, "102")
    # A refused POST keeps the ticked criteria ticked, their unit open.
    ticked = world.other_unit.criteria.first()
    world.evidence.units.set([world.unit])
    response = client.post(url, {"criteria": [ticked.pk], "method": "", "evidence_revision": 1})
    page = response.content.decode()
    assert response.status_code == 400 and f'value="{ticked.pk}" checked' in page and _details(page, "102")


def test_map_page_plays_audio_and_video_and_shows_images_from_the_access_checked_url(client, world):
    client.force_login(world.assessor)
    for content_type, tag in (
        ("audio/mpeg", "<audio controls"),
        ("video/mp4", "<video controls"),
        ("image/jpeg", "<img src"),
        ("application/pdf", "Open the PDF"),
    ):
        item = make_evidence(registration=world.registration, title=f"File {content_type}")
        item.file.name = f"evidence/xx/{item.pk}"
        item.content_type = content_type
        item.save()
        page = client.get(
            reverse("assessment:evidence_map", args=[world.registration.pk, item.pk])
        ).content.decode()
        file_url = reverse("evidence:download", args=[item.pk])
        assert tag in page and f'"{file_url}"' in page, content_type


def test_record_and_plan_forms_pick_criteria_grouped_by_unit(client, world):
    client.force_login(world.assessor)
    page = client.get(
        reverse("assessment:record_new", args=[world.registration.pk, "observation"])
    ).content.decode()
    assert _details(page, "101") and _details(page, "102") and "data-picker-filter" in page
    assert "criteria_picker.js" in page and "<select multiple" not in page
    first, second = world.unit.criteria.first(), world.other_unit.criteria.first()
    # A refused record keeps what was ticked.
    response = client.post(
        reverse("assessment:record_new", args=[world.registration.pk, "observation"]),
        {"date": "2026-03-01", "description": "", "criteria": [first.pk]},
    )
    assert response.status_code == 400 and f'value="{first.pk}" checked' in response.content.decode()

    url = reverse("assessment:action_plan_new", args=[world.registration.pk])
    page = client.get(url).content.decode()
    assert "<select multiple" not in page and page.count("data-picker-filter") == 3
    assert 'id="items-0-filter"' in page and 'name="items-1-criteria"' in page
    response = client.post(
        url,
        {
            "items-TOTAL_FORMS": 3,
            "items-INITIAL_FORMS": 0,
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 20,
            "items-0-activity": "Observe greeting customers",
            "items-0-target_date": "2026-05-01",
            "items-0-criteria": [first.pk, second.pk],
        },
    )
    assert response.status_code == 302
    from assessment.models import ActionPlan

    item = ActionPlan.objects.get(registration=world.registration).items.get()
    assert set(item.criteria.all()) == {first, second}

"""A way back from every page (issue 17 item 3): breadcrumbs from the registration down, and a Cancel on forms."""

import datetime as dt

import pytest
from django.urls import reverse

from assessment import services

pytestmark = pytest.mark.django_db


def _crumbs(page: str) -> str:
    return page[
        page.index('<nav aria-label="breadcrumb">') : page.index(
            "</nav>", page.index('aria-label="breadcrumb"')
        )
    ]


def test_record_detail_and_the_new_record_feedback_and_plan_forms_lead_back_to_the_registration(
    client, world
):
    registration_url = reverse("assessment:registration_detail", args=[world.registration.pk])
    record = services.record_create(
        registration=world.registration,
        actor=world.assessor,
        kind="observation",
        date=dt.date(2026, 3, 1),
        description="Greeted callers",
        criteria=[world.unit.criteria.first()],
    )
    client.force_login(world.assessor)
    pages = {
        reverse("assessment:record_detail", args=[record.pk]): "Observation record 01/03/2026",
        reverse(
            "assessment:record_new", args=[world.registration.pk, "observation"]
        ): "New observation record",
        reverse("assessment:feedback_new", args=[world.registration.pk]): "Give feedback",
        reverse("assessment:action_plan_new", args=[world.registration.pk]): "New assessment plan",
        reverse("assessment:assessment_report_new", args=[world.registration.pk]): "New assessment report",
        reverse("assessment:skills_scan_new", args=[world.registration.pk]): "Skills scan",
    }
    for url, here in pages.items():
        page = client.get(url).content.decode()
        crumbs = _crumbs(page)
        assert f'<a href="{registration_url}">Cara' in crumbs, url
        assert f'aria-current="page">{here}</li>' in crumbs, url
        if "/new/" in url:
            assert f'<a class="btn btn-link" href="{registration_url}">Cancel</a>' in page, url
    # Feedback on a unit goes back to that unit's page.
    unit_url = reverse("assessment:unit_matrix", args=[world.registration.pk, world.unit.pk])
    page = client.get(
        reverse("assessment:feedback_new", args=[world.registration.pk]) + f"?unit={world.unit.pk}"
    )
    page = page.content.decode()
    assert f'<a href="{unit_url}">Unit 101</a>' in _crumbs(page)
    assert f'<a class="btn btn-link" href="{unit_url}">Cancel</a>' in page
    # The candidate's trail starts at their own progress page.
    client.force_login(world.candidate)
    page = client.get(reverse("assessment:record_detail", args=[record.pk])).content.decode()
    assert (
        f'<a href="{reverse("assessment:progress_detail", args=[world.registration.pk])}">My progress'
        in _crumbs(page)
    )


def test_evidence_detail_leads_the_assessor_to_the_registration_and_the_candidate_to_their_evidence(
    client, world
):
    url = reverse("evidence:detail", args=[world.evidence.pk])
    client.force_login(world.assessor)
    crumbs = _crumbs(client.get(url).content.decode())
    assert reverse("assessment:registration_detail", args=[world.registration.pk]) in crumbs
    assert 'aria-current="page">Customer email</li>' in crumbs
    client.force_login(world.candidate)
    crumbs = _crumbs(client.get(url).content.decode())
    assert f'<a href="{reverse("evidence:list")}">My evidence</a>' in crumbs

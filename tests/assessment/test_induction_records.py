"""Skills scan at induction, the assessment plan made from it (methods, venue, reviews), the assessment report."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import selectors, services
from assessment.models import ActionPlanReview, AssessmentReport, PlanMethod, SkillsScan
from audit.actions import Action
from audit.models import AuditEntry

TODAY = timezone.localdate()


def _scan(w, **kw):
    return services.skills_scan_create(
        registration=w.registration,
        actor=kw.get("actor", w.assessor),
        ratings=kw.get("ratings", [(w.unit, 1, 2, "new to it"), (w.other_unit, 3, 3, "")]),
        agreed_actions=kw.get("agreed_actions", "Plan an observation of unit 101."),
    )


def _plan(w, **kw):
    return services.action_plan_create(
        registration=w.registration, actor=w.assessor, items=[("Observe a busy Saturday", TODAY, [])], **kw
    )


def test_skills_scan_rates_units_and_the_candidate_agrees(world):
    scan = _scan(world)
    assert [(r.unit.number, r.candidate_rating, r.assessor_rating) for r in scan.ratings.all()] == [
        ("101", 1, 2),
        ("102", 3, 3),
    ]
    assert AuditEntry.objects.filter(action=Action.SKILLS_SCAN_CREATED, object_id=str(scan.pk)).exists()
    with pytest.raises(ValidationError, match=services.NOT_CANDIDATE):
        services.skills_scan_agree(scan=scan, actor=world.assessor)
    assert services.skills_scan_agree(scan=scan, actor=world.candidate).candidate_agreed_at is not None
    with pytest.raises(ValidationError, match=services.SCAN_ALREADY_AGREED):
        services.skills_scan_agree(scan=scan, actor=world.candidate)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"ratings": [], "agreed_actions": "x"}, services.SCAN_NEEDS_RATINGS),
        ({"agreed_actions": "  "}, services.SCAN_NEEDS_ACTIONS),
    ],
)
def test_skills_scan_refuses_incomplete_input_and_saves_nothing(world, kw, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        _scan(world, **kw)
    assert not SkillsScan.objects.exists()


def test_only_the_assessor_records_a_skills_scan(world):
    with pytest.raises(ValidationError, match=services.NOT_ASSESSOR):
        _scan(world, actor=world.iv)


def test_plan_has_unit_venue_time_methods_and_comes_from_the_scan(world):
    scan = _scan(world)
    when = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    plan = _plan(
        world,
        unit=world.unit,
        venue="Store 4",
        scheduled_at=when,
        methods=["work_products", "observation"],
        skills_scan=scan,
    )
    assert plan.methods == ["observation", "work_products"]  # the seed's order
    boxes = dict(plan.method_boxes)
    assert len(boxes) == 11 and boxes["Direct /e-Observation"] and boxes["Work products"]
    assert not boxes["Case study"]
    assert plan.skills_scan == scan and plan.unit == world.unit and plan.venue == "Store 4"
    with pytest.raises(ValidationError, match="is not one of the assessment plan's methods"):
        _plan(world, methods=["telepathy"])
    assert set(PlanMethod.values) >= set(plan.methods)


def test_plan_reviews_move_the_next_review_date_and_are_checked(world):
    plan = _plan(world, review_date=TODAY + dt.timedelta(days=3))
    assert plan.next_review() == TODAY + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match=services.REVIEW_NEEDS_NOTES):
        services.action_plan_review(plan=plan, actor=world.assessor, reviewed_on=TODAY, notes=" ")
    with pytest.raises(ValidationError, match=services.NEXT_REVIEW_BEFORE_REVIEW):
        services.action_plan_review(
            plan=plan, actor=world.assessor, reviewed_on=TODAY, notes="ok", next_review_date=TODAY
        )
    with pytest.raises(ValidationError, match=services.NOT_ASSESSOR):
        services.action_plan_review(plan=plan, actor=world.candidate, reviewed_on=TODAY, notes="ok")
    assert not ActionPlanReview.objects.exists()
    services.action_plan_review(
        plan=plan,
        actor=world.assessor,
        reviewed_on=TODAY,
        notes="On track.",
        next_review_date=TODAY + dt.timedelta(days=40),
    )
    plan.refresh_from_db()
    assert plan.next_review() == TODAY + dt.timedelta(days=40)


def test_caseload_shows_plan_reviews_due_and_overdue(world):
    plan = _plan(world, review_date=TODAY - dt.timedelta(days=2))
    [row] = selectors.caseload_for(world.assessor)
    assert row.plan_review_state == "overdue"
    assert f"assessment plan review overdue (since {TODAY - dt.timedelta(days=2):%d/%m/%Y})" in row.attention
    services.action_plan_review(
        plan=plan,
        actor=world.assessor,
        reviewed_on=TODAY,
        notes="Done.",
        next_review_date=TODAY + dt.timedelta(days=5),
    )
    [row] = selectors.caseload_for(world.assessor)
    assert row.plan_review_state == "due"
    services.action_plan_review(
        plan=plan,
        actor=world.assessor,
        reviewed_on=TODAY,
        notes="Done.",
        next_review_date=TODAY + dt.timedelta(days=50),
    )
    [row] = selectors.caseload_for(world.assessor)
    assert row.plan_review_state == "" and not any("plan review" in a for a in row.attention)


def test_caseload_plan_reviews_cost_the_same_queries_for_more_candidates(
    world, django_assert_max_num_queries
):
    _plan(world, review_date=TODAY)
    # 7 for the caseload's order, 15 for its rows (9 of them their "ready to sign", issue 17: the sign-off rules
    # over every unit at once)
    with django_assert_max_num_queries(22):
        list(selectors.caseload_for(world.assessor))


def test_assessment_report_records_answers_and_the_candidate_signs(world):
    report = services.assessment_report_create(
        registration=world.registration,
        actor=world.assessor,
        unit=world.unit,
        date=TODAY,
        answers={"more_skills": True, "evidence_valid": False, "nonsense": True},
        outcome="Competent.",
        questions="Why?",
        candidate_answers="Because.",
    )
    assert report.answers == {"more_skills": True, "evidence_valid": False}
    rows = dict(report.answer_rows)
    assert rows["Are more skills and techniques evidence required?"] is True
    assert rows["Has the evidence been properly authenticated?"] is None
    with pytest.raises(ValidationError, match=services.REPORT_NEEDS_OUTCOME):
        services.assessment_report_create(
            registration=world.registration,
            actor=world.assessor,
            unit=world.unit,
            date=TODAY,
            answers={},
            outcome="",
        )
    assert AssessmentReport.objects.count() == 1
    assert services.assessment_report_sign(report=report, actor=world.candidate).candidate_signed_at
    with pytest.raises(ValidationError, match=services.REPORT_ALREADY_SIGNED):
        services.assessment_report_sign(report=report, actor=world.candidate)


def test_pages_create_and_show_the_records(client, world):
    client.force_login(world.assessor)
    reg = world.registration
    response = client.post(
        reverse("assessment:skills_scan_new", args=[reg.pk]),
        {
            f"candidate_{world.unit.pk}": "1",
            f"assessor_{world.unit.pk}": "2",
            "agreed_actions": "Observe 101.",
        },
    )
    scan = SkillsScan.objects.get()
    assert response["Location"] == reverse("assessment:skills_scan_detail", args=[scan.pk])
    page = client.get(
        reverse("assessment:action_plan_new", args=[reg.pk]) + f"?scan={scan.pk}"
    ).content.decode()
    assert "Observe 101." in page and "Direct /e-Observation" in page
    response = client.post(
        reverse("assessment:action_plan_new", args=[reg.pk]),
        {
            "scan": scan.pk,
            "unit": world.unit.pk,
            "venue": "Store 4",
            "scheduled_at": "2026-03-02T10:30",
            "methods": ["observation", "case_study"],
            "review_date": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-activity": "Observe 101.",
            "items-0-target_date": TODAY.isoformat(),
        },
    )
    plan = reg.action_plans.get()
    assert response["Location"] == reverse("assessment:action_plan_detail", args=[plan.pk])
    assert (
        plan.skills_scan == scan and plan.methods == ["observation", "case_study"] and plan.venue == "Store 4"
    )
    response = client.post(
        reverse("assessment:action_plan_detail", args=[plan.pk]),
        {"reviewed_on": TODAY.isoformat(), "notes": "Half done.", "next_review_date": ""},
    )
    assert response.status_code == 302 and plan.reviews.count() == 1
    response = client.post(
        reverse("assessment:assessment_report_new", args=[reg.pk]),
        {"unit": world.unit.pk, "date": TODAY.isoformat(), "q_more_skills": "yes", "outcome": "Competent."},
    )
    report = AssessmentReport.objects.get()
    assert response["Location"] == reverse("assessment:assessment_report_detail", args=[report.pk])
    detail = client.get(reverse("assessment:registration_detail", args=[reg.pk])).content.decode()
    assert "Skills scan of" in detail and "Unit 101," in detail
    client.logout()
    # The candidate sees and agrees / signs; others get 404.
    client.force_login(world.candidate)
    assert client.post(reverse("assessment:skills_scan_detail", args=[scan.pk])).status_code == 302
    assert client.post(reverse("assessment:assessment_report_detail", args=[report.pk])).status_code == 302
    scan.refresh_from_db()
    report.refresh_from_db()
    assert scan.candidate_agreed_at and report.candidate_signed_at
    assert (
        client.post(
            reverse("assessment:action_plan_detail", args=[plan.pk]),
            {"reviewed_on": TODAY.isoformat(), "notes": "x"},
        ).status_code
        == 404
    )
    client.logout()
    stranger = world.make_user("stranger", world.centre, "candidate")
    client.force_login(stranger)
    for url in [
        reverse("assessment:skills_scan_detail", args=[scan.pk]),
        reverse("assessment:action_plan_detail", args=[plan.pk]),
        reverse("assessment:assessment_report_detail", args=[report.pk]),
    ]:
        assert client.get(url).status_code in (403, 404)

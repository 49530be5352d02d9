"""Dates in the future refused where the handbook's activity must already have happened (issue 17 item 6), by the
one check (audit.dates.not_in_future), in the form beside the field and again in the service; dates of what is
planned (target dates, next reviews, the end of a registration or of access) may be in the future."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.competence import forms as competence_forms
from assessment import forms as assessment_forms
from assessment import services
from audit.dates import FUTURE_DATE, not_in_future
from evidence import forms as evidence_forms
from verification import forms as verification_forms

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)

HAPPENED = [
    (assessment_forms.RecordForm, "date"),  # observation, questioning, professional discussion
    (
        assessment_forms.AssessmentReportForm,
        "date",
    ),  # the assessment report (printing's assessment-report form)
    (assessment_forms.PlanReviewForm, "reviewed_on"),
    (evidence_forms.EvidenceDetailsForm, "activity_date"),
    (evidence_forms.UploadForm, "activity_date"),
    (evidence_forms.StatementForm, "activity_date"),
    (evidence_forms.WitnessTestimonyForm, "activity_date"),  # witness testimony and expert witness statements
    (evidence_forms.EditForm, "activity_date"),
    (evidence_forms.CorrectionForm, "activity_date"),
    (competence_forms.QualificationForm, "achieved_on"),
    (competence_forms.StatementForm, "reviewed_on"),
    (competence_forms.CpdForm, "date"),
    (competence_forms.MeetingForm, "date"),
]
PLANNED = [
    (assessment_forms.ActionPlanItemForm, "target_date"),
    (assessment_forms.ActionPlanForm, "review_date"),
    (assessment_forms.ActionPlanForm, "scheduled_at"),
    (assessment_forms.PlanReviewForm, "next_review_date"),
    (assessment_forms.RegistrationForm, "expires_on"),
    (assessment_forms.RegistrationExtensionForm, "new_expires_on"),
    (assessment_forms.AwardingBodyExtensionForm, "new_date"),
    (verification_forms.GrantForm, "expires_on"),
    (verification_forms.PlanForm, "period_end"),
]


@pytest.mark.parametrize(("form", "name"), HAPPENED, ids=lambda v: getattr(v, "__qualname__", v))
def test_the_day_of_something_that_happened_is_refused_tomorrow_and_accepted_today(form, name):
    field = form.base_fields[name]
    with pytest.raises(ValidationError) as caught:
        field.clean(f"{TOMORROW:%d/%m/%Y}")
    assert "future" in caught.value.messages[0]
    assert field.clean(f"{TODAY:%d/%m/%Y}") == TODAY
    assert field.clean(TODAY.isoformat()) == TODAY


@pytest.mark.parametrize(("form", "name"), PLANNED, ids=lambda v: getattr(v, "__qualname__", v))
def test_planned_dates_may_be_in_the_future(form, name):
    field = form.base_fields[name]
    value = f"{TOMORROW:%Y-%m-%d}T09:00" if isinstance(field, forms.DateTimeField) else TOMORROW.isoformat()
    field.clean(value)


def test_the_one_check():
    not_in_future(TODAY)
    not_in_future(None)
    with pytest.raises(ValidationError) as caught:
        not_in_future(TOMORROW)
    assert caught.value.messages == [FUTURE_DATE]
    with pytest.raises(ValidationError) as caught:
        not_in_future(TOMORROW, "Not yet.", field="date")
    assert caught.value.message_dict == {"date": ["Not yet."]}


@pytest.mark.django_db
def test_an_assessment_report_dated_tomorrow_is_refused_once_beside_the_date(client, world):
    from assessment.models import AssessmentReport

    client.force_login(world.assessor)
    url = reverse("assessment:assessment_report_new", args=[world.registration.pk])
    data = {
        "unit": world.unit.pk,
        "outcome": "Competent.",
        "q_skills_met": "yes",
        "date": TOMORROW.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 200 and not AssessmentReport.objects.exists()
    assert response.content.decode().count(services.REPORT_FUTURE_DATE.split(":")[0]) == 1
    assert client.post(url, {**data, "date": f"{TODAY:%d/%m/%Y}"}).status_code == 302
    assert AssessmentReport.objects.get().date == TODAY


@pytest.mark.django_db
def test_the_services_refuse_a_report_and_a_review_dated_tomorrow(world):
    with pytest.raises(ValidationError, match="an assessment report is of an assessment that has already"):
        services.assessment_report_create(
            registration=world.registration,
            actor=world.assessor,
            unit=world.unit,
            date=TOMORROW,
            answers={"skills_met": True},
            outcome="Competent.",
        )
    plan = services.action_plan_create(
        registration=world.registration, actor=world.assessor, items=[("Observe a complaint", TOMORROW, [])]
    )
    with pytest.raises(ValidationError, match="record a review once it has taken place"):
        services.action_plan_review(
            plan=plan, actor=world.assessor, reviewed_on=TOMORROW, notes="Going well."
        )
    services.action_plan_review(
        plan=plan, actor=world.assessor, reviewed_on=TODAY, notes="Going well.", next_review_date=TOMORROW
    )

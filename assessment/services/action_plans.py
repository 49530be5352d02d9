"""The assessment plan: activities with target dates, its reviews, and the candidate's agreement."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.dates import DATE, not_in_future
from audit.services import audit_record

from .. import permissions
from ..models import ActionPlan, ActionPlanItem, ActionPlanReview, PlanMethod
from .common import _lock_registration, _raise, _resubmitted
from .messages import (
    NEXT_REVIEW_BEFORE_REVIEW,
    NOT_ASSESSOR,
    NOT_CANDIDATE,
    PLAN_ALREADY_AGREED,
    PLAN_NEEDS_ITEMS,
    REVIEW_DATE_BEFORE_PLAN,
    REVIEW_FUTURE_DATE,
    REVIEW_NEEDS_NOTES,
    SCAN_OTHER_REGISTRATION,
    UNIT_NOT_IN_REGISTRATION,
    UNKNOWN_PLAN_METHOD,
)


# --- assessment plan --------------------------------------------------------------------------------
@transaction.atomic
def action_plan_create(
    *,
    registration,
    actor,
    items,
    review_date: date | None = None,
    unit=None,
    venue: str = "",
    scheduled_at=None,
    methods=(),
    skills_scan=None,
    token: str = "",
) -> ActionPlan:
    """items: [(activity, target_date, [criteria])]; methods: PlanMethod values (the boxes ticked)."""
    from ..selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(
        registration.pk
    )  # a concurrent resubmission waits here, then finds the first one's plan
    if (existing := _resubmitted(ActionPlan, registration, token)) is not None:
        return existing
    items = [(a.strip(), d, list(c)) for a, d, c in items if a and a.strip() and d]
    if not items:
        _raise(PLAN_NEEDS_ITEMS)
    for method in methods:
        if method not in PlanMethod.values:
            _raise(UNKNOWN_PLAN_METHOD, method=method)
    if unit is not None and unit.pk not in {u.pk for u in registration_units(registration)}:
        _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    if skills_scan is not None and skills_scan.registration_id != registration.pk:
        _raise(SCAN_OTHER_REGISTRATION)
    plan = ActionPlan(
        registration=registration,
        created_by=actor,
        review_date=review_date,
        unit=unit,
        venue=(venue or "").strip(),
        scheduled_at=scheduled_at,
        methods=[m for m in PlanMethod.values if m in set(methods)],
        skills_scan=skills_scan,
        submission_token=token or "",
    )
    plan.full_clean()
    plan.save()
    for activity, target_date, criteria in items:
        item = ActionPlanItem.objects.create(plan=plan, activity=activity, target_date=target_date)
        item.criteria.set(criteria)
    audit_record(
        actor=actor,
        action=Action.ACTION_PLAN_CREATED,
        obj=plan,
        centre=registration.centre,
        details={
            "items": [(a, d, [str(c) for c in cs]) for a, d, cs in items],
            "unit": unit.ref if unit else None,
            "methods": plan.methods,
            "skills_scan": skills_scan.pk if skills_scan else None,
        },
    )
    return plan


@transaction.atomic
def action_plan_review(
    *, plan, actor, reviewed_on: date, notes: str, next_review_date: date | None = None
) -> ActionPlanReview:
    """Record a review of an assessment plan; the next review date is what the caseload watches."""
    plan = ActionPlan.objects.select_for_update().select_related("registration").get(pk=plan.pk)
    if not permissions.is_assessor_of(actor, plan.registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(plan.registration_id)
    if not (notes or "").strip():
        _raise(REVIEW_NEEDS_NOTES)
    not_in_future(reviewed_on, REVIEW_FUTURE_DATE)
    made = timezone.localtime(plan.created_at).date()
    if reviewed_on < made:
        _raise(REVIEW_DATE_BEFORE_PLAN, made=made.strftime(DATE))
    if next_review_date is not None and next_review_date <= reviewed_on:
        _raise(NEXT_REVIEW_BEFORE_REVIEW)
    review = ActionPlanReview(
        plan=plan,
        reviewed_by=actor,
        reviewed_on=reviewed_on,
        notes=notes.strip(),
        next_review_date=next_review_date,
    )
    review.full_clean()
    review.save()
    audit_record(
        actor=actor,
        action=Action.ACTION_PLAN_REVIEWED,
        obj=plan,
        centre=plan.registration.centre,
        details={"reviewed_on": str(reviewed_on), "next_review_date": str(next_review_date or "")},
    )
    return review


@transaction.atomic
def action_plan_agree(*, plan, actor) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().select_related("registration").get(pk=plan.pk)
    if not permissions.is_candidate_of(actor, plan.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(plan.registration_id)
    if plan.agreed_at:
        _raise(PLAN_ALREADY_AGREED)
    plan.agreed_at = timezone.now()
    plan.save(update_fields=["agreed_at"])
    audit_record(actor=actor, action=Action.ACTION_PLAN_AGREED, obj=plan, centre=plan.registration.centre)
    return plan

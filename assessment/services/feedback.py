"""Feedback to the candidate (with its email and notification)."""

from __future__ import annotations

from django.db import transaction

from accounts.services import notify
from audit.actions import Action
from audit.services import audit_record

from .. import permissions
from ..models import Feedback
from .common import _lock_registration, _raise, _resubmitted
from .messages import NOT_ASSESSOR


@transaction.atomic
def feedback_give(*, registration, actor, text: str, unit=None, token: str = "") -> Feedback:
    """Feedback to the candidate; the email goes out once the transaction has committed. The same form sent
    again (same token) gives back the first feedback: no second one, no second email."""
    from ..tasks import send_feedback_email

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    if (existing := _resubmitted(Feedback, registration, token)) is not None:
        return existing
    feedback = Feedback(
        registration=registration,
        author=actor,
        text=(text or "").strip(),
        unit=unit,
        submission_token=token or "",
    )
    feedback.full_clean()
    feedback.save()
    audit_record(
        actor=actor,
        action=Action.FEEDBACK_GIVEN,
        obj=feedback,
        centre=registration.centre,
        details={"unit": unit.ref if unit else None},
    )
    feedback_id = feedback.pk
    transaction.on_commit(lambda: send_feedback_email.enqueue(feedback_id))
    from django.urls import reverse

    notify(
        user=registration.candidate,
        kind="feedback",
        email=False,  # the feedback email is sent above
        text=f"Feedback from {actor}{f' on unit {unit.ref}' if unit else ''}: {feedback.text[:200]}",
        url=reverse("assessment:progress_detail", args=[registration.pk]),
    )
    return feedback

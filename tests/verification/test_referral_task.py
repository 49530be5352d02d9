"""The referral email is sent by the task worker after the decision commits. Marked `tasks`: CI runs it again
with the job in Redis and a real RQ worker (.ci/run)."""

import pytest
from django.core import mail

from assessment.models import UnitAssessment
from verification import services

from .test_services import item_for

pytestmark = pytest.mark.tasks


def test_the_referral_email_is_sent_by_the_worker(
    signed_world, plan, task_worker, django_capture_on_commit_callbacks
):
    w = signed_world
    ua = w.ua(w.reg1, w.u101)
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(
            item=item_for(plan, ua),
            actor=w.pat,
            outcome="referred",
            action_points="Add a second observation.",
        )
    if task_worker.on_queue:  # enqueued after the commit, not sent by the request
        assert task_worker.waiting() == 1 and mail.outbox == []

    assert task_worker.run() == [("send_referral_email", "SUCCESSFUL")]
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"] and "Add a second observation." in message.body
    assert message.subject.startswith(f"Unit {ua.unit.ref} referred back")
    ua.refresh_from_db()
    assert ua.status == UnitAssessment.Status.OPEN

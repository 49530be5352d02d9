"""Emails carry absolute links built from settings.SITE_URL, so they work from a mail client."""

import pytest
from django.core import mail
from django.urls import reverse

from assessment import services
from assessment.tasks import send_feedback_email

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("site_url", ["https://portfolio.example.org", "https://portfolio.example.org/"])
def test_the_feedback_email_links_to_the_progress_page_on_the_site(
    world, settings, site_url, django_capture_on_commit_callbacks
):
    settings.SITE_URL = site_url
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_give(registration=world.registration, actor=world.assessor, text="Good start")
    (message,) = mail.outbox
    path = reverse("assessment:progress_detail", args=[world.registration.pk])
    assert f"Sign in to read it: https://portfolio.example.org{path}\n" in message.body


def test_the_feedback_email_goes_out_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_give(
            registration=world.registration, actor=world.assessor, text="Well done"
        )
    assert send_feedback_email.call(feedback.pk) is False  # already sent: not sent again
    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/assessment/progress/" in mail.outbox[0].body  # the default SITE_URL


@pytest.mark.tasks
def test_the_feedback_email_is_sent_by_the_worker(world, task_worker, django_capture_on_commit_callbacks):
    """Marked `tasks`: CI runs it again with the job in Redis and a real RQ worker (.ci/run)."""
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_give(
            registration=world.registration, actor=world.assessor, text="Good start"
        )
    if task_worker.on_queue:  # enqueued after the commit, not sent by the request
        assert task_worker.waiting() == 1 and mail.outbox == []

    assert task_worker.run() == [("send_feedback_email", "SUCCESSFUL")]
    (message,) = mail.outbox
    assert message.to == ["cand@example.org"] and message.subject == "New feedback from your assessor"
    feedback.refresh_from_db()
    assert feedback.emailed_at is not None

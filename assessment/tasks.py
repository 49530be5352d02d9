"""Background tasks (django_tasks): sent by the worker, never inside the request's transaction."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task


def absolute_url(path: str) -> str:
    """A link that works from a mail client: the site's address (settings.SITE_URL) plus the path."""
    return settings.SITE_URL.rstrip("/") + path


@task()
def send_feedback_email(feedback_id: int) -> bool:
    """Tell the candidate that their assessor has left feedback (the text stays on the site)."""
    from .models import Feedback

    feedback = (
        Feedback.objects.select_related(
            "registration__candidate", "registration__qualification", "author", "unit"
        )
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or feedback.emailed_at is not None:
        return False
    candidate = feedback.registration.candidate
    if not candidate.email:
        return False
    where = f" on unit {feedback.unit.ref}" if feedback.unit else ""
    link = absolute_url(reverse("assessment:progress_detail", args=[feedback.registration_id]))
    send_mail(
        subject=f"New feedback from your assessor{where}",
        message=(
            f"Hello {candidate.first_name or candidate.username},\n\n"
            f"{feedback.author} has left you feedback{where} for {feedback.registration.qualification.code}.\n"
            f"Sign in to read it: {link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[candidate.email],
    )
    Feedback.objects.filter(pk=feedback.pk).update(emailed_at=timezone.now())
    return True

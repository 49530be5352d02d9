"""Models of the printing app: background batch jobs (a cohort's forms rendered by the worker)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def print_job_storage_key(instance, filename: str) -> str:
    """A random key in private storage; the download view checks access and streams it."""
    return f"print-jobs/{uuid.uuid4().hex}.zip"


class PrintJob(models.Model):
    """One batch of forms: `total` PDFs to render, `done` so far; the result is a zip file."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.CASCADE, related_name="print_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    form = models.CharField(max_length=40, help_text="A form slug of printing.registry.FORMS")
    qualification = models.ForeignKey(
        "qualifications.Qualification", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registration_ids = models.JSONField(
        default=list, blank=True, help_text="The cohort, fixed when the job was requested"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    result = models.FileField(upload_to=print_job_storage_key, null=True, blank=True, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="print_job_done_not_above_total"),
        ]

    def __str__(self):
        return f"{self.form} batch {self.pk} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.status == "done" else 0)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

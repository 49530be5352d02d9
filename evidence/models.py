"""The candidate's portfolio: evidence items and their files."""
from django.conf import settings
from django.db import models


class EvidenceItem(models.Model):
    """One piece of evidence: a file (document, photo, audio, video) or a typed statement."""

    class Kind(models.TextChoices):
        WORK_PRODUCT = "work_product", "Work product"
        PHOTO = "photo", "Photo"
        VIDEO = "video", "Video"
        AUDIO = "audio", "Audio"
        STATEMENT = "statement", "Candidate statement / reflective account"
        WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
        OBSERVATION_RECORD = "observation_record", "Observation record"
        PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion recording"
        OTHER = "other", "Other"

    class Context(models.TextChoices):
        REAL_WORK = "real_work", "Real work"
        RWE = "rwe", "Realistic working environment"
        SIMULATION = "simulation", "Simulation"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="evidence_items")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    activity_date = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    context = models.CharField(max_length=20, choices=Context.choices, default=Context.REAL_WORK)
    statement_text = models.TextField(blank=True, help_text="A typed statement or reflective account")
    file = models.FileField(upload_to="evidence/%Y/%m/", null=True, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True, help_text="Sniffed from the content")
    units = models.ManyToManyField("qualifications.Unit", blank=True, related_name="+",
                                   help_text="Units the candidate means it for (optional)")
    authenticity_confirmed_at = models.DateTimeField(null=True, blank=True)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    locked_at = models.DateTimeField(null=True, blank=True, help_text="Set when an assessor first uses it")
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "deleted_at"])]

    def __str__(self):
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

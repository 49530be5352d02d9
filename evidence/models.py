"""The candidate's portfolio: evidence items, their files, and witness testimony."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.dates import DATE
from audit.signatures import STATEMENTS, Kind

# One wording, the logbook's: the same sentence on screen, in the signature record and in print.
AUTHENTICITY_DECLARATION = STATEMENTS[Kind.AUTHENTICITY]


def evidence_storage_key(instance, filename: str) -> str:
    """A random storage key: the original name is recorded on the row, never used as a path."""
    ext = os.path.splitext(filename)[1].lower()
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key}{ext}"


def preview_storage_key(instance, filename: str) -> str:
    key = uuid.uuid4().hex
    return f"previews/{key[:2]}/{key}.jpg"


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
        STAGED_DRILL = "staged_drill", "Staged emergency drill"

    class VirusScan(models.TextChoices):
        CLEAN = "clean", "Scanned for viruses: none found"
        NOT_SCANNED = "not_scanned", "Not scanned for viruses (virus scanning is off)"
        TOO_LARGE = "too_large", "Not scanned for viruses (larger than the scanner accepts)"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="evidence_items")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_items"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    activity_date = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    context = models.CharField(max_length=20, choices=Context.choices, default=Context.REAL_WORK)
    statement_text = models.TextField(blank=True, help_text="A typed statement or reflective account")
    file = models.FileField(upload_to=evidence_storage_key, null=True, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True, help_text="Sniffed from the content")
    virus_scan = models.CharField(
        max_length=20,
        choices=VirusScan.choices,
        blank=True,
        help_text="What the virus scan said when the file was uploaded",
    )
    preview = models.FileField(
        upload_to=preview_storage_key,
        null=True,
        blank=True,
        max_length=300,
        help_text="A small JPEG thumbnail (images) or first-page preview (PDF), made in the background",
    )
    units = models.ManyToManyField(
        "qualifications.Unit",
        blank=True,
        related_name="+",
        help_text="Units the candidate means it for (optional)",
    )
    authenticity_confirmed_at = models.DateTimeField(null=True, blank=True)
    previous_version = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(
        default=1,
        help_text="Rises with every edit of the content; an assessment decision names the revision it "
        "was made on (see EvidenceRevision)",
    )
    submission_token = models.CharField(
        max_length=80, blank=True, help_text="Idempotency key of the form submission that created it"
    )
    locked_at = models.DateTimeField(null=True, blank=True, help_text="Set when an assessor first uses it")
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "deleted_at"]),
            # the evidence list's first page: a candidate's newest items without sorting the whole portfolio
            models.Index(fields=["candidate", "-created_at", "-id"], name="evidence_candidate_newest"),
            # the caseload's "last activity": a candidate's latest change as one index probe, not a sort of the
            # portfolio (per registration of a caseload of 300)
            models.Index(
                fields=["candidate", "-updated_at"],
                name="evidence_candidate_updated",
                condition=Q(deleted_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "submission_token"],
                condition=~Q(submission_token=""),
                name="evidence_unique_submission_token",
            ),
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(size__gt=0),
                name="evidence_file_not_empty",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def has_file(self) -> bool:
        return bool(self.file)


class EvidenceRevision(models.Model):
    """What an item said at one revision, kept when an edit replaces it (the newest is the item itself).

    An assessor's form carries the revision it showed; when the item has moved on, the decision is refused
    and this row tells the assessor what changed.
    """

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    content = models.JSONField(help_text="Label -> value, as evidence.selectors.evidence_content shows it")
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["item", "revision"], name="evidence_revision_unique"),
        ]

    def __str__(self):
        return f"{self.item} (revision {self.revision})"


class Witness(models.Model):
    """Someone who saw the candidate's work and says so; the witness status list is built from these."""

    class StatusCategory(models.IntegerChoices):
        # The logbook's wording (Level 2 NVQ Certificate in Customer Service candidate logbook).
        QUALIFIED_WITH_EXPERIENCE = 1, "1 — A1, A2, V1, V2 or TAQA with occupational experience"
        QUALIFIED_WITHOUT_EXPERIENCE = 2, "2 — A1, A2, V1, V2 or TAQA without occupational experience"
        EXPERT_FAMILIAR = 3, "3 — Occupational expert familiar with standards"
        EXPERT_NOT_FAMILIAR = 4, "4 — Occupational expert not familiar with standards"
        NON_EXPERT = 5, "5 — Non-expert not familiar with standards"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="witnesses")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="witnesses"
    )
    name = models.CharField(max_length=200)
    contact = models.TextField(blank=True, help_text="Contact address or telephone")
    email = models.EmailField(blank=True, help_text="Where the confirmation link goes")
    job_title = models.CharField(max_length=200, blank=True)
    status_category = models.PositiveSmallIntegerField(
        "witness status",
        choices=StatusCategory.choices,
        null=True,
        blank=True,
        help_text="The assessor's decision (empty until the assessor decides)",
    )
    suggested_status_category = models.PositiveSmallIntegerField(
        "witness status suggested by the candidate", choices=StatusCategory.choices, null=True, blank=True
    )
    status_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_decided_at = models.DateTimeField(null=True, blank=True)
    relationship = models.CharField(
        "professional relationship", max_length=200, help_text="e.g. line manager, team leader, colleague"
    )
    is_expert = models.BooleanField(
        "expert witness",
        default=False,
        help_text="An occupational expert who attests criteria (2006 expert witness record)",
    )
    expertise = models.TextField(
        "occupational expertise",
        blank=True,
        help_text="Supervisory, managerial or training experience in the units attested, "
        "knowledge of the standards, continuing professional development",
    )
    submission_token = models.CharField(
        max_length=80, blank=True, help_text="Idempotency key of the form submission that created it"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "witnesses"
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "submission_token"],
                condition=~Q(submission_token=""),
                name="witness_unique_submission_token",
            ),
            models.CheckConstraint(
                condition=Q(status_category__isnull=True)
                | (Q(status_category__gte=1) & Q(status_category__lte=5)),
                name="witness_status_category_1_to_5_or_undecided",
            ),
        ]

    def __str__(self):
        return self.name


class WitnessTestimony(models.Model):
    """The witness part of an evidence item of kind witness testimony: who, and which criteria."""

    evidence = models.OneToOneField(EvidenceItem, on_delete=models.PROTECT, related_name="witness_testimony")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="testimonies")
    criteria = models.ManyToManyField(
        "qualifications.AssessmentCriterion",
        blank=True,
        related_name="+",
        help_text="Assessment criteria the witness attests",
    )
    confirmed_name = models.CharField(max_length=200, blank=True)
    confirmed_job_title = models.CharField(max_length=200, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    signature = models.OneToOneField(
        "audit.Signature",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The witness's own confirmation",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "witness testimonies"

    def __str__(self):
        return f"{self.witness} for {self.evidence}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirmation_text(self) -> str:
        """ "confirmed by <name>, <job title>, <date>", or what stands instead, as every page and form prints it."""
        if self.confirmed_at:
            who = ", ".join(p for p in (self.confirmed_name, self.confirmed_job_title) if p)
            return f"confirmed by {who}, {self.confirmed_at:{DATE}}"
        if self.declined_at:
            return f"declined by the witness on {self.declined_at:{DATE}}"
        return "not confirmed by the witness"


class ConfirmationLink(models.Model):
    """A link sent to someone without an account (a witness, an employer) to confirm or decline what they are
    asked to attest. Only the SHA-256 of the link's token is stored; the link works once, until `expires_at`,
    unless withdrawn. The checks and the link pages are in evidence/links.py, shared by every kind of request.
    """

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.withdrawn_at is None


class WitnessRequest(ConfirmationLink):
    """A link sent to a witness (who has no account) to confirm, correct or decline their testimony."""

    testimony = models.ForeignKey(WitnessTestimony, on_delete=models.PROTECT, related_name="requests")
    submission_token = models.CharField(
        max_length=80, blank=True, help_text="Idempotency key of the button press that sent it"
    )

    class Meta(ConfirmationLink.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["testimony", "submission_token"],
                condition=~Q(submission_token=""),
                name="witness_request_unique_submission_token",
            ),
        ]

    def __str__(self):
        return f"confirmation request to {self.email} for {self.testimony}"

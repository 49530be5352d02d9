"""A centre's signing key, and the credentials issued with it."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class CentreKey(models.Model):
    """The Ed25519 key a centre signs passports and credentials with. The public half is published."""

    centre = models.OneToOneField("accounts.Centre", on_delete=models.PROTECT, related_name="signing_key")
    public_key = models.CharField(max_length=64, help_text="Raw Ed25519 public key, hex")
    private_key_encrypted = models.TextField(
        help_text="Raw private key, encrypted with the site's key secret"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"signing key of {self.centre}"

    @property
    def fingerprint(self) -> str:
        """Short form people compare by eye: the first 16 hex digits of SHA-256 of the public key."""
        return hashlib.sha256(bytes.fromhex(self.public_key)).hexdigest()[:16]


class IssuedCredential(models.Model):
    """An Open Badges 3.0 credential issued for a claimed unit or a claimed qualification."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey("assessment.Registration", on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey("verification.CertificationClaim", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "qualifications.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the full qualification",
    )
    document = models.JSONField(help_text="The signed credential as issued")
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "unit"], name="one_credential_per_claimed_unit"),
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(unit__isnull=True),
                name="one_credential_per_claimed_qualification",
            ),
        ]
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"credential {self.uuid}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class PassportImport(models.Model):
    """A portfolio passport brought in at a receiving centre: where it came from, and what was made of it."""

    registration = models.OneToOneField(
        "assessment.Registration", on_delete=models.PROTECT, related_name="passport_import"
    )
    source_centre_number = models.CharField(max_length=20)
    source_centre_name = models.CharField(max_length=200)
    source_registration_id = models.PositiveIntegerField(null=True, blank=True)
    manifest_sha256 = models.CharField(max_length=64)
    key_fingerprint = models.CharField(max_length=16)
    exported_at = models.CharField(max_length=40, blank=True)
    mismatches = models.JSONField(
        default=list, help_text="Units of the passport this catalogue lacks, and why"
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return (
            f"passport from {self.source_centre_name} ({self.source_centre_number}) for {self.registration}"
        )


class PriorUnit(models.Model):
    """One unit's prior evidence from the sending centre, waiting for the receiving assessor's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the assessor"
        CONFIRMED = "confirmed", "Confirmed as prior learning"
        REJECTED = "rejected", "Rejected"

    passport_import = models.ForeignKey(PassportImport, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    source_status = models.CharField(
        max_length=30, blank=True, help_text="The unit's state at the sending centre"
    )
    source_signatures = models.JSONField(
        default=list, help_text="The sending centre's signatures, as exported"
    )
    arrived_signed = models.BooleanField(
        default=False,
        help_text="Signed at the sending centre, with every accepted decision imported: the unit arrived signed",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["unit__ref"]
        constraints = [
            models.UniqueConstraint(fields=["passport_import", "unit"], name="one_prior_unit_per_import")
        ]

    def __str__(self):
        return f"prior evidence for {self.unit.ref} ({self.get_status_display()})"

    @property
    def source_sign_off(self) -> dict | None:
        """The sending centre's standing sign-off of the unit (its last round not reopened), as exported.

        With every accepted decision of the unit imported, the unit arrives signed with it (`arrived_signed`,
        the unit assessment's transferred_* fields); otherwise it stays here as provenance.
        """
        standing = [
            s
            for s in self.source_signatures
            if s.get("kind") == "assessor_sign_off" and not s.get("reopened_at")
        ]
        return max(standing, key=lambda s: s.get("round") or 0) if standing else None

    @property
    def source_authenticity(self) -> dict | None:
        """The candidate's authenticity statement on the unit at the sending centre, as exported."""
        signed = [s for s in self.source_signatures if s.get("kind") == "candidate_authenticity"]
        return signed[-1] if signed else None

    @property
    def signed_at_source(self) -> bool:
        return self.source_sign_off is not None

    @property
    def source_signed_on(self):
        """The date of the sending centre's sign-off (a date, or None)."""
        signed = self.source_sign_off
        moment = parse_datetime(signed.get("signed_at") or "") if signed else None
        if moment is None:
            return None
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


class PriorDecision(models.Model):
    """An accepted assessment decision made at the sending centre, kept read-only with its attribution."""

    prior_unit = models.ForeignKey(PriorUnit, on_delete=models.CASCADE, related_name="decisions")
    evidence = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        "qualifications.AssessmentCriterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    range_item = models.ForeignKey(
        "qualifications.RangeItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=30)
    location = models.CharField(max_length=100, blank=True)
    setting = models.CharField(max_length=30, blank=True)
    assessed_by = models.CharField(max_length=200, help_text="The sending centre's assessor, by name")
    assessed_at = models.CharField(max_length=40)

    class Meta:
        ordering = ["prior_unit", "criterion__ref", "id"]

    def __str__(self):
        return f"prior decision on {self.criterion.ref if self.criterion_id else self.range_item.ref}"

"""The append-only, hash-chained audit trail.

Each row carries a SHA-256 over its own content and the previous row's hash, so changing or removing
any row breaks the chain from that row on; `manage.py verify_audit` finds the first broken row.
Rows cannot be changed or deleted through the ORM, and database triggers refuse it underneath.
"""

import hashlib
import json

from django.conf import settings
from django.db import models

from .dates import DATE, DATETIME

GENESIS_HASH = "0" * 64


class AuditImmutableError(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("Audit rows cannot be changed.")

    def delete(self):
        raise AuditImmutableError("Audit rows cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AuditImmutableError("Audit rows cannot be changed.")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    centre = models.ForeignKey(
        "accounts.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.pk} {self.created_at:{DATETIME}} {self.actor_name or 'system'}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutableError("Audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Audit rows cannot be deleted.")

    def content(self) -> dict:
        """The fields the hash covers, in a stable form."""
        return {
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "centre_id": self.centre_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """One row; writers lock it so that rows are chained one after another even under concurrency."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"audit chain head after {self.count} rows"


class AnonymousEventKind(models.TextChoices):
    """Events anybody can cause without signing in: counted, never one permanent audit row each."""

    CSRF_REJECTED = "csrf_rejected", "Request refused: missing or forged CSRF token"
    LOGIN_FAILED = "login_failed", "Failed sign-in (wrong password, or refused while locked out)"


class AnonymousEventCount(models.Model):
    """How many times an anonymous event happened on one day (UK time). Details of failed sign-ins are in
    django-axes' access attempts (username, client address, time) for as long as their lockout lasts."""

    day = models.DateField()
    kind = models.CharField(max_length=32, choices=AnonymousEventKind.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind"], name="unique_anonymous_event_day_kind")
        ]
        ordering = ["-day", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.day:{DATE}}: {self.count}"


class SignatureQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("Signatures cannot be changed.")

    def delete(self):
        raise AuditImmutableError("Signatures cannot be deleted.")


class Signature(models.Model):
    """One signature, kept for ever: who signed, when, from which client address, the exact statement they
    agreed to, and the content signed with its SHA-256. `code` is the short verification code the printed
    forms carry; `manage.py verify_signature CODE` recomputes the content and says whether it still matches.
    """

    class Kind(models.TextChoices):
        AUTHENTICITY = "authenticity", "Candidate's authenticity statement"
        UNIT_SIGN_OFF = "unit_sign_off", "Assessor's unit sign-off"
        COUNTERSIGNATURE = "countersignature", "Assessor's countersignature"
        IV_AGREEMENT = "iv_agreement", "Internal verifier's agreement"
        WITNESS = "witness", "Witness testimony"
        EXPERT_WITNESS = "expert_witness", "Expert witness statement"
        EMPLOYER = "employer", "Employer confirmation"

    code = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for people without an account (witnesses)",
    )
    signer_name = models.CharField(max_length=200)
    signer_job_title = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    statement = models.TextField(help_text="The exact wording the signer agreed to")
    content = models.JSONField(help_text="What was signed, as it was when signed")
    content_sha256 = models.CharField(max_length=64)
    centre = models.ForeignKey(
        "accounts.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "kind"], name="signature_object")]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.signer_name} on {self.signed_at:{DATE}} ({self.display_code})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutableError("Signatures cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("Signatures cannot be deleted.")

    @property
    def display_code(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"

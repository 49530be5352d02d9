"""A centre's signing key, and the credentials issued with it."""
import hashlib
import uuid

from django.conf import settings
from django.db import models


class CentreKey(models.Model):
    """The Ed25519 key a centre signs passports and credentials with. The public half is published."""

    centre = models.OneToOneField("accounts.Centre", on_delete=models.PROTECT, related_name="signing_key")
    public_key = models.CharField(max_length=64, help_text="Raw Ed25519 public key, hex")
    private_key_encrypted = models.TextField(help_text="Raw private key, encrypted with the site's key secret")
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
    unit = models.ForeignKey("qualifications.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text="Empty for the full qualification")
    document = models.JSONField(help_text="The signed credential as issued")
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revocation_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "unit"], name="one_credential_per_claimed_unit"),
            models.UniqueConstraint(fields=["claim"], condition=models.Q(unit__isnull=True),
                                    name="one_credential_per_claimed_qualification"),
        ]
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"credential {self.uuid}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

"""Per-centre API tokens with scopes. Only a hash of the token is stored; it is shown once, when made."""

import hashlib

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    READ_PEOPLE = "read:people", "Read people"
    READ_REGISTRATIONS = "read:registrations", "Read registrations"
    READ_PROGRESS = "read:progress", "Read progress per unit"
    READ_CLAIMS = "read:claims", "Read certification claims"
    WRITE_PEOPLE = "write:people", "Create people"
    WRITE_REGISTRATIONS = "write:registrations", "Create registrations"


class ApiToken(models.Model):
    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'MIS nightly sync'")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"API token {self.prefix}… ({self.name}) of {self.centre}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]

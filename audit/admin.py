from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .models import AnonymousEventCount, AuditEntry, Signature


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: nobody, superusers included, can add, change or delete audit rows from a screen."""

    list_display = ["id", "created_at", "actor_name", "centre", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_repr", "actor_name"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(AnonymousEventCount)
class AnonymousEventCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "count"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in AnonymousEventCount._meta.fields]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    """Read-only: a signature is what someone agreed to; nobody edits it from a screen."""

    list_display = ["code", "kind", "signer_name", "signer_job_title", "signed_at", "centre", "object_type"]
    list_filter = ["kind"]
    search_fields = ["code", "signer_name"]
    readonly_fields = [f.name for f in Signature._meta.fields]

from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .models import AnonymousEventCount, AuditEntry


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

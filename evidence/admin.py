"""Read-mostly admin for evidence: files are never uploaded or replaced here (that bypasses the checks)."""
from django.contrib import admin

from .models import EvidenceItem, Witness, WitnessTestimony


@admin.register(EvidenceItem)
class EvidenceItemAdmin(admin.ModelAdmin):
    list_display = ["title", "candidate", "centre", "kind", "context", "version", "locked_at", "deleted_at",
                    "created_at"]
    list_filter = ["kind", "context", "centre"]
    search_fields = ["title", "original_name", "sha256", "candidate__username"]
    raw_id_fields = ["candidate", "previous_version"]
    readonly_fields = ["file", "preview", "original_name", "size", "sha256", "content_type",
                       "authenticity_confirmed_at", "locked_at", "deleted_at", "submission_token", "version",
                       "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # soft delete only, through the candidate's page (audited)


@admin.register(Witness)
class WitnessAdmin(admin.ModelAdmin):
    list_display = ["name", "candidate", "status_category", "relationship", "centre"]
    list_filter = ["status_category", "centre"]
    search_fields = ["name", "candidate__username"]
    raw_id_fields = ["candidate"]


@admin.register(WitnessTestimony)
class WitnessTestimonyAdmin(admin.ModelAdmin):
    list_display = ["evidence", "witness", "created_at"]
    raw_id_fields = ["evidence", "witness"]
    filter_horizontal = ["criteria"]

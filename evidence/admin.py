"""Read-only admin for evidence: items, witnesses and testimony change only through the candidate's and the
assessor's pages (services: checked, versioned once locked, audited). The admin shows them."""

from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin

from .models import EvidenceItem, Witness, WitnessTestimony


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "candidate",
        "centre",
        "kind",
        "context",
        "version",
        "locked_at",
        "deleted_at",
        "created_at",
    ]
    list_filter = ["kind", "context", "centre"]
    search_fields = ["title", "original_name", "sha256", "candidate__username"]


@admin.register(Witness)
class WitnessAdmin(ReadOnlyAdmin):
    list_display = ["name", "candidate", "status_category", "relationship", "centre"]
    list_filter = ["status_category", "centre"]
    search_fields = ["name", "candidate__username"]


@admin.register(WitnessTestimony)
class WitnessTestimonyAdmin(ReadOnlyAdmin):
    list_display = ["evidence", "witness", "created_at"]

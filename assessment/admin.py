"""Admin: read-only views of assessment decisions. Changes go through the pages (services: checked, audited)."""

from django.contrib import admin

from audit.admin_base import ReadOnlyAdmin

from .models import (
    ActionPlan,
    ActionPlanReview,
    AssessmentRecord,
    AssessmentReport,
    EmployerConfirmation,
    EvidenceMapping,
    Feedback,
    Registration,
    SkillsScan,
    UnitAssessment,
    UnitSignOff,
)


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = [
        "candidate",
        "qualification",
        "centre",
        "assessor",
        "internal_verifier",
        "registered_on",
        "expires_on",
        "status",
    ]
    list_filter = ["status", "qualification", "centre"]
    search_fields = ["candidate__username", "candidate__last_name", "candidate_number"]


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["registration", "unit", "status", "round", "version", "signed_by", "signed_at"]
    list_filter = ["status"]


@admin.register(UnitSignOff)
class UnitSignOffAdmin(ReadOnlyAdmin):
    list_display = ["unit_assessment", "round", "assessor", "signed_at", "countersigned_by", "reopened_at"]


@admin.register(EvidenceMapping)
class EvidenceMappingAdmin(ReadOnlyAdmin):
    list_display = ["registration", "evidence", "unit", "criterion", "method", "decision", "assessed_at"]
    list_filter = ["decision", "method"]


@admin.register(AssessmentRecord)
class AssessmentRecordAdmin(ReadOnlyAdmin):
    list_display = ["registration", "kind", "date", "assessor", "candidate_signed_at"]


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["registration", "created_by", "created_at", "agreed_at"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["registration", "author", "unit", "created_at", "emailed_at"]


@admin.register(SkillsScan)
class SkillsScanAdmin(ReadOnlyAdmin):
    list_display = ["registration", "created_by", "created_at", "candidate_agreed_at"]


@admin.register(ActionPlanReview)
class ActionPlanReviewAdmin(ReadOnlyAdmin):
    list_display = ["plan", "reviewed_by", "reviewed_on", "next_review_date"]


@admin.register(AssessmentReport)
class AssessmentReportAdmin(ReadOnlyAdmin):
    list_display = ["registration", "unit", "assessor", "date", "candidate_signed_at"]


@admin.register(EmployerConfirmation)
class EmployerConfirmationAdmin(ReadOnlyAdmin):
    """Read-only: the employer confirms by their link, nobody on their behalf."""

    list_display = [
        "registration",
        "employer_name",
        "email",
        "created_at",
        "outcome",
        "used_at",
        "withdrawn_at",
    ]
    exclude = ["token_hash"]

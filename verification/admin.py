"""Admin for verification. Decisions are recorded through the same service as the site (own-assessment
guard included) and are read-only once made; plans, samples, flags, sites, grants, logs and claims change only
through the pages (services: checked, audited) and are read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from audit.admin_base import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import (
    AssessorFlag,
    CandidateSite,
    CertificationClaim,
    ExternalAccessGrant,
    ExternalAccessLog,
    Sample,
    SampleItem,
    SamplingPlan,
    VerificationDecision,
)


class DecisionAdminForm(forms.ModelForm):
    class Meta:
        model = VerificationDecision
        fields = ["item", "mapping", "outcome", "comments", "action_points"]

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item is not None and self.request_user is not None:
            try:
                services.check_may_decide(verifier=self.request_user, unit_assessment=item.unit_assessment)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


@admin.register(VerificationDecision)
class VerificationDecisionAdmin(admin.ModelAdmin):
    form = DecisionAdminForm
    list_display = ["unit_assessment", "outcome", "verifier", "assessor", "decided_at", "referral_closed_at"]
    list_filter = ["outcome"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f.name for f in self.model._meta.fields]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return
        decision = services.decision_record(
            item=obj.item,
            actor=request.user,
            outcome=obj.outcome,
            comments=obj.comments,
            action_points=obj.action_points,
            mapping=obj.mapping,
        )
        # The admin logs the addition with this object: make it the saved decision.
        obj.__dict__.update({f.attname: getattr(decision, f.attname) for f in decision._meta.concrete_fields})
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        return False  # a decision once made is never changed (referrals are closed on the site)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SamplingPlan)
class SamplingPlanAdmin(ReadOnlyAdmin):
    list_display = ["qualification", "centre", "period_start", "period_end", "min_share_percent"]


class SampleItemInline(ReadOnlyInline, admin.TabularInline):
    model = SampleItem
    readonly_fields = ["unit_assessment", "stage", "assessor", "plan"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["plan", "accepted_by", "accepted_at"]
    inlines = [SampleItemInline]


@admin.register(AssessorFlag)
class AssessorFlagAdmin(ReadOnlyAdmin):
    list_display = ["assessor", "centre", "flag", "set_by", "set_at"]


@admin.register(CandidateSite)
class CandidateSiteAdmin(ReadOnlyAdmin):
    list_display = ["registration", "site"]


@admin.register(ExternalAccessGrant)
class ExternalAccessGrantAdmin(ReadOnlyAdmin):
    list_display = ["external_verifier", "centre", "scope", "expires_on", "revoked_at"]


@admin.register(ExternalAccessLog)
class ExternalAccessLogAdmin(ReadOnlyAdmin):
    list_display = ["user", "path", "at"]


@admin.register(CertificationClaim)
class CertificationClaimAdmin(ReadOnlyAdmin):
    list_display = ["registration", "kind", "credits", "claimed_by", "claimed_at"]

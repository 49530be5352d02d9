"""Correcting and completing the catalogue in the Django admin (e.g. a credit value the source lost).

Who: superusers, and centre admins who are staff (is_staff). Every save is validated against the whole
catalogue inside the admin's transaction and writes an audit row (actor, field changes) in that same
transaction; a change that would introduce an error is refused and nothing is kept. Deleting catalogue
rows is left to superusers: evidence and assessment decisions point at them.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from accounts.models import Role
from audit.actions import catalogue_admin_action

from .models import (
    AssessmentCriterion,
    EvidenceGuideRow,
    EvidenceRequirement,
    LearningOutcome,
    OptionalGroup,
    Qualification,
    QualificationUnit,
    RangeItem,
    Rule,
    Unit,
)
from .selectors import catalogue_problems
from .services import CatalogueInvalid, catalogue_change_record
from .validation import errors

NOT_SAVED = "Not saved: the change would make the catalogue invalid. {problems}"


def is_catalogue_editor(user) -> bool:
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or Role.CENTRE_ADMIN in user.role_set)
    )


def _error_strings():
    return {str(p) for p in errors(catalogue_problems())}


class _Rollback(Exception):
    pass


def trial_problems(instance) -> list[str]:
    """The errors saving `instance` would introduce, found by saving it in a savepoint rolled back after."""
    before = _error_strings()
    adding, pk = instance._state.adding, instance.pk
    found = []
    try:
        with transaction.atomic():
            instance.save()
            found = sorted(_error_strings() - before)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        if adding:
            instance.pk = pk
            instance._state.adding = True
    return found


class CatalogueForm(forms.ModelForm):
    """Checks the change against the catalogue before the admin saves it, so errors show on the form."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and self.has_changed():
            for problem in trial_problems(self.instance):
                self.add_error(None, problem)


class CatalogueAdminMixin:
    def has_module_permission(self, request):
        return is_catalogue_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_catalogue_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return is_catalogue_editor(request.user)

    def has_add_permission(self, request, *args):
        return is_catalogue_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_superuser)


class CatalogueInline(CatalogueAdminMixin):
    extra = 0
    show_change_link = False


class CatalogueModelAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    """Collects the field changes of the object and its inlines; validates and audits them at the end."""

    form = CatalogueForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogueInvalid as exc:  # the admin's transaction has rolled back: nothing was kept
            self.message_user(
                request, NOT_SAVED.format(problems=" ".join(str(p) for p in exc.problems)), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        request._catalogue_before = _error_strings()
        request._catalogue_changes = {
            "fields": {
                name: [form.initial.get(name), form.cleaned_data.get(name)] for name in form.changed_data
            },
            "inlines": [],
        }
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        log = request._catalogue_changes["inlines"]
        for obj in formset.new_objects:
            log.append({"added": str(obj)})
        for obj, fields in formset.changed_objects:
            subform = next((f for f in formset.forms if f.instance.pk == obj.pk), None)
            log.append(
                {
                    "changed": str(obj),
                    "fields": {
                        name: [subform.initial.get(name) if subform else None, getattr(obj, name, None)]
                        for name in fields
                    },
                }
            )
        for obj in formset.deleted_objects:
            log.append({"deleted": str(obj)})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalogue_change_record(
            actor=request.user,
            obj=form.instance,
            action=catalogue_admin_action(self.model._meta.model_name, change=change),
            changes=request._catalogue_changes,
            known_errors=request._catalogue_before,
        )


class OptionalGroupInline(CatalogueInline, admin.TabularInline):
    model = OptionalGroup


class QualificationUnitInline(CatalogueInline, admin.TabularInline):
    model = QualificationUnit
    raw_id_fields = ["unit"]
    fields = ["unit", "status", "group", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            kwargs["queryset"] = OptionalGroup.objects.filter(
                qualification=getattr(request, "_catalogue_obj", None)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RuleInline(CatalogueInline, admin.StackedInline):
    model = Rule
    fields = [("order", "kind", "is_complete"), "params", "text", "incomplete_reason"]


class CreditsFilter(admin.SimpleListFilter):
    title = "credit value"
    parameter_name = "credits"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("known", "Known")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(credits__isnull=True)
        if self.value() == "known":
            return queryset.filter(credits__isnull=False)
        return queryset


@admin.register(Qualification)
class QualificationAdmin(CatalogueModelAdmin):
    list_display = ["code", "title", "level", "rules_stated"]
    search_fields = ["code", "title"]
    inlines = [OptionalGroupInline, QualificationUnitInline, RuleInline]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._catalogue_obj = obj
        return obj


class LearningOutcomeInline(CatalogueInline, admin.TabularInline):
    model = LearningOutcome


class _UnitChildInline(CatalogueInline):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        unit = getattr(request, "_catalogue_obj", None)
        if db_field.name == "outcome":
            kwargs["queryset"] = LearningOutcome.objects.filter(unit=unit).select_related("unit")
        elif db_field.name == "parent":
            kwargs["queryset"] = self.model.objects.filter(unit=unit, parent__isnull=True).select_related(
                "unit"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AssessmentCriterionInline(_UnitChildInline, admin.TabularInline):
    model = AssessmentCriterion
    fields = ["outcome", "number", "ref", "text", "kind", "defect"]


class RangeItemInline(_UnitChildInline, admin.TabularInline):
    model = RangeItem
    fields = ["ref", "parent", "outcome", "text", "order"]


class EvidenceRequirementInline(_UnitChildInline, admin.TabularInline):
    model = EvidenceRequirement
    fields = ["ref", "parent", "text", "order", "min_count", "method", "criteria"]


class EvidenceGuideRowInline(CatalogueInline, admin.TabularInline):
    model = EvidenceGuideRow


@admin.register(Unit)
class UnitAdmin(CatalogueModelAdmin):
    list_display = ["ref", "title", "level", "credits", "glh"]
    list_filter = [CreditsFilter, "scheme", "level"]
    search_fields = ["ref", "number", "title"]
    inlines = [
        LearningOutcomeInline,
        AssessmentCriterionInline,
        RangeItemInline,
        EvidenceRequirementInline,
        EvidenceGuideRowInline,
    ]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._catalogue_obj = obj
        return obj

"""The Django admin, audited: every add, change and delete made there is a row in the hash-chained trail.

`AuditedAdminSite` is the project's admin site (audit.apps.AuditedAdminConfig makes it the default): whatever
model an app or a library registers, its ModelAdmin is given `AuditedAdminMixin`, so no admin screen can change
data without an audit row. Records that only services may write (decisions, evidence, signatures, logs) use
`ReadOnlyAdmin`: the admin shows them and never edits. The apps import these from here (audit is the lowest app).
"""

from django.contrib import admin

from .actions import Action

# Audit actions of the admin (tests import them).
ADMIN_ADDED = Action.ADMIN_ADDED
ADMIN_CHANGED = Action.ADMIN_CHANGED
ADMIN_DELETED = Action.ADMIN_DELETED

# Field values never copied into the trail.
SECRET_FIELDS = frozenset({"password"})


def _admin_audit(request, action: str, obj, **details) -> None:
    from .services import audit_record

    audit_record(
        actor=request.user,
        action=action,
        obj=obj,
        details={"model": obj._meta.label_lower, "path": request.get_full_path()[:500], **details},
    )


def _form_changes(form) -> dict:
    """{field: [before, after]} of what the form changed (secrets left out)."""
    return {
        name: [form.initial.get(name), form.cleaned_data.get(name)]
        for name in form.changed_data
        if name not in SECRET_FIELDS
    }


class AuditedAdminMixin:
    """Writes the audit row next to each admin LogEntry, in the admin's own transaction. Inline objects get a row
    of their own (a membership added on a user's page is audited as a membership, at its centre)."""

    def save_model(self, request, obj, form, change):
        obj._admin_audit_changes = _form_changes(form)
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _admin_audit(
            request, ADMIN_ADDED, obj, message=message, fields=getattr(obj, "_admin_audit_changes", {})
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _admin_audit(
            request, ADMIN_CHANGED, obj, message=message, fields=getattr(obj, "_admin_audit_changes", {})
        )
        return entry

    def log_deletions(self, request, queryset):
        # Called before the objects are deleted, one row per object (the admin's bulk action included).
        for obj in queryset:
            _admin_audit(request, ADMIN_DELETED, obj)
        return super().log_deletions(request, queryset)

    def save_formset(self, request, form, formset, change):
        doomed = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        for obj in doomed:
            _admin_audit(request, ADMIN_DELETED, obj, inline_of=form.instance._meta.label_lower)
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            _admin_audit(request, ADMIN_ADDED, obj, inline_of=form.instance._meta.label_lower)
        for obj, fields in getattr(formset, "changed_objects", []):
            _admin_audit(
                request,
                ADMIN_CHANGED,
                obj,
                inline_of=form.instance._meta.label_lower,
                fields=[f for f in fields if f not in SECRET_FIELDS],
            )


class AuditedAdminSite(admin.AdminSite):
    """The admin site whose every registered ModelAdmin is audited (see AuditedAdminMixin)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Records that only services may write (decisions, evidence, signatures, logs): the admin shows, never edits."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline:
    """An inline of a read-only record: shown, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

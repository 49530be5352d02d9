from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"
    default = True


class AuditedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the audited site as its default site (INSTALLED_APPS names this class)."""

    default = False
    default_site = "audit.admin_base.AuditedAdminSite"

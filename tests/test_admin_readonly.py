"""Decisions, signatures and logs are written by services only: the admin shows them and never edits."""
import pytest
from django.contrib import admin

from assessment.models import EvidenceMapping, Registration, UnitAssessment, UnitSignOff
from audit.models import AuditEntry, Signature
from verification.models import CertificationClaim, ExternalAccessLog

READ_ONLY_MODELS = [Registration, UnitAssessment, UnitSignOff, EvidenceMapping, AuditEntry, Signature,
                    CertificationClaim, ExternalAccessLog]


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m._meta.label)
def test_admin_offers_no_add_change_or_delete(rf, django_user_model, model, db):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.get_actions(request)


def test_add_page_is_refused(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(superuser)
    assert client.get("/admin/assessment/unitsignoff/add/").status_code == 403

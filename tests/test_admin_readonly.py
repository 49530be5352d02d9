"""The Django admin cannot go behind the application's back (issue 11 item 8).

Every model registered in the admin is walked (admin.site._registry), so a model registered tomorrow is covered
without editing this file: decisions, evidence, signatures and logs are read-only there (written by services
only), and every add, change and delete the admin does make is a row in the hash-chained audit trail.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Centre, Membership, Role, User
from audit.admin_base import ADMIN_ADDED, ADMIN_CHANGED, ADMIN_DELETED, AuditedAdminMixin
from audit.models import AuditEntry
from audit.verify import verify_chain
from evidence.models import EvidenceItem, Witness
from verification.models import VerificationDecision

# Apps whose every model carries a decision, evidence, a signature or a log.
DECISION_APPS = {"audit", "evidence", "assessment", "verification"}
# Added in the admin only through the same service as the site (which checks and audits); never changed.
ADDED_THROUGH_SERVICES = {VerificationDecision}
AUDITED_METHODS = ("save_model", "save_formset", "log_addition", "log_change", "log_deletions")


def label(model):
    return model._meta.label


REGISTERED = sorted(admin.site._registry, key=label)
DECISION_MODELS = [m for m in REGISTERED if m._meta.app_label in DECISION_APPS]


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")


@pytest.fixture
def admin_request(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    return request


def test_the_walk_sees_the_models_of_every_app():
    labels = {label(m) for m in REGISTERED}
    assert {
        "evidence.EvidenceItem",
        "evidence.Witness",
        "verification.Sample",
        "verification.AssessorFlag",
        "verification.CandidateSite",
        "accounts.Centre",
        "accounts.User",
        "auth.Group",
    } <= labels


@pytest.mark.parametrize("model", DECISION_MODELS, ids=label)
def test_decision_and_evidence_models_are_read_only(admin_request, model):
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(admin_request)
    assert model_admin.has_add_permission(admin_request) == (model in ADDED_THROUGH_SERVICES)
    assert not model_admin.has_change_permission(admin_request)
    assert not model_admin.has_delete_permission(admin_request)
    assert not model_admin.get_actions(admin_request)
    for inline in model_admin.get_inline_instances(admin_request):
        assert not inline.has_add_permission(admin_request, None), inline
        assert not inline.has_change_permission(admin_request), inline
        assert not inline.has_delete_permission(admin_request), inline


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_every_registered_admin_is_audited(model):
    """Apps' and libraries' admins alike: the audited methods come first (nothing overrides them unaudited)."""
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, AuditedAdminMixin)
    for name in AUDITED_METHODS:
        assert getattr(type(model_admin), name) is getattr(AuditedAdminMixin, name), (label(model), name)


@pytest.fixture
def locked_item(centre, make_user):
    cara = make_user("cara", centre, Role.CANDIDATE)
    return EvidenceItem.objects.create(
        centre=centre,
        candidate=cara,
        title="Till receipt",
        kind="work_product",
        context="real_work",
        statement_text="What I did.",
        locked_at=timezone.now(),
    )


def test_locked_evidence_cannot_be_changed_in_the_admin(client, superuser, locked_item, make_user, centre):
    """As reported: title, statement and even the candidate of locked, signed-off evidence changed in the admin."""
    other = make_user("dan", centre, Role.CANDIDATE)
    client.force_login(superuser)
    url = reverse("admin:evidence_evidenceitem_change", args=[locked_item.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    response = client.post(
        url,
        {
            "title": "Rewritten",
            "statement_text": "Not what I did.",
            "candidate": other.pk,
            "centre": centre.pk,
            "kind": "work_product",
            "context": "real_work",
        },
    )
    assert response.status_code == 403
    locked_item.refresh_from_db()
    assert (locked_item.title, locked_item.candidate_id) == ("Till receipt", locked_item.candidate_id)
    assert (
        client.post(
            reverse("admin:evidence_evidenceitem_delete", args=[locked_item.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:evidence_witness_add"), {"name": "W", "status_category": 1}).status_code
        == 403
    )
    assert not Witness.objects.exists()


def test_an_admin_change_is_an_audit_row_with_what_changed(client, superuser, centre):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_centre_change", args=[centre.pk]),
        {"name": "Renamed Centre", "number": centre.number, "address": ""},
    )
    assert response.status_code == 302
    row = AuditEntry.objects.get(action=ADMIN_CHANGED)
    assert (row.actor, row.object_type, row.object_id) == (superuser, "accounts.centre", str(centre.pk))
    assert row.details["fields"] == {"name": ["Test Centre", "Renamed Centre"]}
    assert verify_chain().ok


def test_a_membership_added_and_removed_on_a_users_page_is_audited_at_its_centre(
    client, superuser, centre, make_user
):
    ann = make_user("ann")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[ann.pk])

    def post(rows):
        data = {
            "username": "ann",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "05/01/2026",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": str(len(rows)),
            "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
        for i, row in enumerate(rows):
            data.update({f"memberships-{i}-{k}": v for k, v in row.items()})
            data[f"memberships-{i}-user"] = ann.pk
        return client.post(url, data)

    response = post([{"centre": centre.pk, "role": Role.ASSESSOR}])
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=ann)
    added = AuditEntry.objects.get(action=ADMIN_ADDED, object_type="accounts.membership")
    assert (added.object_id, added.centre_id) == (str(membership.pk), centre.pk)
    assert AuditEntry.objects.filter(action=ADMIN_CHANGED, object_type="accounts.user").exists()

    response = post([{"id": membership.pk, "centre": centre.pk, "role": Role.ASSESSOR, "DELETE": "on"}])
    assert response.status_code == 302
    assert not Membership.objects.filter(user=ann).exists()
    removed = AuditEntry.objects.get(action=ADMIN_DELETED, object_type="accounts.membership")
    assert (removed.object_id, removed.centre_id) == (str(membership.pk), centre.pk)
    assert verify_chain().ok


def test_adding_and_bulk_deleting_in_a_librarys_admin_is_audited(client, superuser):
    """auth.Group is registered by Django itself, not by us: audited all the same (the site wraps every admin)."""
    client.force_login(superuser)
    assert client.post(reverse("admin:auth_group_add"), {"name": "Readers"}).status_code == 302
    assert client.post(reverse("admin:auth_group_add"), {"name": "Writers"}).status_code == 302
    assert AuditEntry.objects.filter(action=ADMIN_ADDED, object_type="auth.group").count() == 2
    ids = list(Group.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302 and not Group.objects.exists()
    deleted = AuditEntry.objects.filter(action=ADMIN_DELETED, object_type="auth.group")
    assert sorted(int(r.object_id) for r in deleted) == sorted(ids)
    assert verify_chain().ok


def test_a_password_set_in_the_admin_is_audited_without_the_password(client, superuser, make_user):
    ann = make_user("ann")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[ann.pk]),
        {
            "password1": "another-horse-battery-9",
            "password2": "another-horse-battery-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    row = AuditEntry.objects.get(action=ADMIN_CHANGED, object_type="accounts.user")
    assert "another-horse" not in str(row.details)
    assert User.objects.get(pk=ann.pk).check_password("another-horse-battery-9")


def test_add_page_is_refused(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/assessment/unitsignoff/add/").status_code == 403
    assert Centre.objects.count() == 0

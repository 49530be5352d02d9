import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry, AuditImmutableError
from audit.services import audit_record


@pytest.fixture
def three_rows(db, centre):
    return [audit_record(actor=None, action=f"test_{i}", obj=centre, details={"i": i}) for i in range(3)]


def test_rows_are_chained(three_rows):
    first, second, third = three_rows
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert all(row.hash == row.compute_hash() for row in three_rows)


def test_verify_audit_passes_on_an_intact_chain(three_rows, capsys):
    call_command("verify_audit")
    assert "3 rows checked" in capsys.readouterr().out


def _drop_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser-only: lets this transaction bypass the append-only trigger, as an attacker with
            # database superuser rights could; the hash chain must still reveal the change.
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_no_update")
            cursor.execute("DROP TRIGGER audit_auditentry_no_delete")


def test_verify_audit_names_the_first_changed_row(three_rows):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = %s", [three_rows[1].pk])
    with pytest.raises(CommandError, match=rf"broken at row {three_rows[1].pk}: its content"):
        call_command("verify_audit")


def test_verify_audit_names_the_row_after_a_deleted_one(three_rows):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [three_rows[1].pk])
    with pytest.raises(CommandError, match=rf"broken at row {three_rows[2].pk}: its previous-hash"):
        call_command("verify_audit")


def test_orm_cannot_change_or_delete_rows(three_rows):
    row = three_rows[0]
    row.action = "changed"
    with pytest.raises(AuditImmutableError):
        row.save()
    with pytest.raises(AuditImmutableError):
        row.delete()
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEntry.objects.all().delete()


def test_database_refuses_raw_updates_and_deletes(three_rows):
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.filter(action__startswith="test_").count() == 3


def test_admin_offers_no_add_change_or_delete(client, django_user_model, three_rows):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(admin)
    row = three_rows[0]
    change_page = client.get(f"/admin/audit/auditentry/{row.pk}/change/")
    assert change_page.status_code == 200
    assert b'name="_save"' not in change_page.content
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=row.pk).exists()

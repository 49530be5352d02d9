"""A signature is kept as it was signed: the ORM refuses to change or delete one, the database refuses raw SQL
underneath (triggers on SQLite and PostgreSQL), and the admin offers no add, change or delete."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditImmutableError, Signature
from audit.signatures import Kind, signature_record


@pytest.fixture
def signature(db, centre):
    return signature_record(
        kind=Kind.EMPLOYER,
        obj=centre,
        content={"units": ["101"]},
        signer_name="Erin Employer",
        job_title="Store manager",
        client_ip="192.0.2.7",
        centre=centre,
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_signature SET signer_name = 'Someone else' WHERE id = %s",
        "UPDATE audit_signature SET content_sha256 = '0' WHERE id = %s",
        "DELETE FROM audit_signature WHERE id = %s",
    ],
)
def test_database_refuses_raw_updates_and_deletes(signature, sql):
    with (
        pytest.raises(DatabaseError, match="signatures cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [signature.pk])
    kept = Signature.objects.get(pk=signature.pk)
    assert (kept.signer_name, kept.content_sha256) == ("Erin Employer", signature.content_sha256)


def test_orm_refuses_too(signature):
    signature.signer_name = "Someone else"
    with pytest.raises(AuditImmutableError):
        signature.save()
    with pytest.raises(AuditImmutableError):
        signature.delete()
    with pytest.raises(AuditImmutableError):
        Signature.objects.filter(pk=signature.pk).update(signer_name="x")
    with pytest.raises(AuditImmutableError):
        Signature.objects.all().delete()


def test_inserting_still_works(signature, centre):
    signature_record(
        kind=Kind.EMPLOYER, obj=centre, content={"units": ["102"]}, signer_name="Erin Employer", centre=centre
    )
    assert Signature.objects.count() == 2


def test_admin_offers_no_add_change_or_delete(client, django_user_model, signature):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(admin)
    change_page = client.get(f"/admin/audit/signature/{signature.pk}/change/")
    assert change_page.status_code == 200 and b"Erin Employer" in change_page.content
    assert b'name="_save"' not in change_page.content
    assert client.get("/admin/audit/signature/add/").status_code == 403
    assert client.post(f"/admin/audit/signature/{signature.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Signature.objects.filter(pk=signature.pk).exists()

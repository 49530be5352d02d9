"""The mapping decision history starts with every current mapping's decision, and is append-only from here on.

Earlier decisions overwritten before this migration are not recoverable from the mapping rows; the audit trail
keeps them (evidence_mapped, mapping_decided).
"""
from django.db import migrations

from ._history_triggers import PG_BACKWARD, PG_FORWARD, SQLITE_BACKWARD, SQLITE_FORWARD


def backfill(apps, schema_editor):
    EvidenceMapping = apps.get_model("assessment", "EvidenceMapping")
    UnitAssessment = apps.get_model("assessment", "UnitAssessment")
    MappingDecision = apps.get_model("assessment", "MappingDecision")
    rounds = {(ua.registration_id, ua.unit_id): ua.round for ua in UnitAssessment.objects.all()}
    rows = [
        MappingDecision(
            registration_id=m.registration_id, unit_id=m.unit_id, round=rounds.get((m.registration_id, m.unit_id), 1),
            mapping_ref=m.pk, evidence_id=m.evidence_id, evidence_revision=1, criterion_id=m.criterion_id,
            range_item_id=m.range_item_id, action="mapped" if m.version == 1 else "decided", decision=m.decision,
            method=m.method, location=m.location, reason=m.reason, decided_by_id=m.assessed_by_id,
            decided_at=m.assessed_at,
        )
        for m in EvidenceMapping.objects.order_by("pk").iterator()
    ]
    MappingDecision.objects.bulk_create(rows, batch_size=500)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_mapping_decision_history")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(forward, backward),
    ]

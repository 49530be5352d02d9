"""The own-assessment trigger reads the mapping decision history and assessment records too."""
from django.db import migrations

from . import _own_assessment_history as new
from . import _triggers as old


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(new.PG_FORWARD)
    elif vendor == "sqlite":
        for statement in new.SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    """Back to migration 0002's guard (current rows only)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(old.PG_BACKWARD)
        schema_editor.execute(old.PG_FORWARD)
    elif vendor == "sqlite":
        for statement in old.SQLITE_BACKWARD + old.SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0003_decision_mapping_set_null"),
        ("assessment", "0004_mapping_decision_history_backfill_append_only"),
    ]
    operations = [migrations.RunPython(forward, backward)]

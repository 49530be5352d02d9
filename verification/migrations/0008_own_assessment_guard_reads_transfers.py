"""The own-assessment trigger counts whoever confirmed a transferred unit as its assessor."""

from django.db import migrations

from . import _own_assessment_history as old
from . import _own_assessment_transfers as new


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(new.PG_FORWARD)
    elif vendor == "sqlite":
        for statement in new.SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    """Back to migration 0004's guard."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(old.PG_FORWARD)
    elif vendor == "sqlite":
        for statement in old.SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0007_pool_summary_rows"),
        ("assessment", "0011_transferred_units"),
    ]
    operations = [migrations.RunPython(forward, backward)]

"""Merge of the own-assessment history guard (0004_own_assessment_guard_reads_history) and the referral /
many-claims rebuild (0004_referral_answers_and_many_claims).

On SQLite the rebuild of the decision table drops its triggers and puts back migration 0002's guard, which
reads current mappings only; whichever of the two ran last, install the history-reading guard again. On
PostgreSQL the function is replaced in place (idempotent)."""
from django.db import migrations

from . import _own_assessment_history as guard
from . import _triggers as old


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(guard.PG_FORWARD)
    elif vendor == "sqlite":
        for statement in guard.SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in old.SQLITE_BACKWARD + old.SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0004_own_assessment_guard_reads_history"),
        ("verification", "0004_referral_answers_and_many_claims"),
    ]
    operations = [migrations.RunPython(forward, backward)]

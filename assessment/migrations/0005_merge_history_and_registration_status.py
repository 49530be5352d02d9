"""Merge of the mapping decision history and the registration status reason migrations."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0003_registration_status_reason'),
        ('assessment', '0004_mapping_decision_history_backfill_append_only'),
    ]

    operations = [
    ]

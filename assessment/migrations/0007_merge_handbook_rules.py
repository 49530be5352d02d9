"""Merge of the handbook rules migration (requirement mappings, settings, confirmations, extensions)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0003_requirement_mappings_settings_confirmations_extensions'),
        ('assessment', '0006_merge_induction_records'),
    ]

    operations = [
    ]

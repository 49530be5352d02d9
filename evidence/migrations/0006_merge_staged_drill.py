"""Merge of the staged drill setting migration with the revisions and virus scan ones."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0004_evidence_context_staged_drill'),
        ('evidence', '0005_merge_revisions_and_virus_scan'),
    ]

    operations = [
    ]

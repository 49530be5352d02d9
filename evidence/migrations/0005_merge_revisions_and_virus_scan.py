"""Merge of the evidence revisions and the virus scan record migrations."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0004_evidence_revisions'),
        ('evidence', '0004_evidence_virus_scan'),
    ]

    operations = [
    ]

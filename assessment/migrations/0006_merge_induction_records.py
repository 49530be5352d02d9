"""Merge of the skills scan, assessment plan and report migration with the history and status ones."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0003_skills_scan_assessment_plan_report'),
        ('assessment', '0005_merge_history_and_registration_status'),
    ]

    operations = [
    ]

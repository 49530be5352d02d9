"""Merge of the people, invitations and competence migrations with the lockout and notifications ones."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_staff_competence_records'),
        ('accounts', '0004_merge_throttle_removal_and_notifications'),
    ]

    operations = [
    ]

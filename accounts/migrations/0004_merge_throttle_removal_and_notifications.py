"""Merge of the lockout (throttle model removed, two-factor) and the notifications migrations."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_notifications'),
        ('accounts', '0003_centre_require_two_factor'),
    ]

    operations = [
    ]

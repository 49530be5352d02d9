"""Demo: make sure the catalogue is loaded (the demo centre's people browse it). Idempotent."""

from django.core.management import call_command

from .models import Qualification


def run(stdout=None):
    if not Qualification.objects.exists():
        call_command("load_catalogue", stdout=stdout, stderr=stdout)
    return {}

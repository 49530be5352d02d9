"""Have every sampling plan's pool summary rebuilt in full at its next read (after a bulk load or a restore that
bypassed the models' signals); --now rebuilds them at once."""

from django.core.management.base import BaseCommand

from verification.models import SamplingPlan
from verification.selectors import summary


class Command(BaseCommand):
    help = "Rebuild the sampling pools' summary rows (every plan), at the next read or with --now at once."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="rebuild every plan now")

    def handle(self, *args, now=False, **options):
        count = summary.rebuild_later()
        if now:
            for plan in SamplingPlan.objects.order_by("pk"):
                summary.refresh(plan)
        self.stdout.write(
            f"{count} sampling plan(s) {'rebuilt' if now else 'will be rebuilt at their next read'}."
        )

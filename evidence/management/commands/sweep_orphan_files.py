"""List (and with --delete remove) stored evidence files that no evidence item references, and upload
temporary files (FILE_UPLOAD_TEMP_DIR) that a killed server left behind.

Such files are left when something fails between storing a file and committing its row in a way the upload
path cannot clean up (a crash, a killed worker, a rollback further out). Files younger than --min-age-minutes
(default 60) are never touched, so uploads in flight are safe. Deleting is audited.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from audit.dates import DATETIME
from evidence import services
from evidence.sniffing import human_size


class Command(BaseCommand):
    help = (
        "List stored evidence files no evidence item references and stale upload temporary files; "
        "--delete removes them (audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the orphan files (audited).")
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help="Only files older than this (default 60): uploads in flight are left alone.",
        )

    def handle(self, *args, delete=False, min_age_minutes=60, **options):
        if min_age_minutes < 1:
            raise CommandError(
                "--min-age-minutes must be at least 1: younger files may be uploads in flight."
            )
        min_age = timedelta(minutes=min_age_minutes)
        orphans = services.evidence_orphan_files(min_age=min_age)
        stale = services.upload_temp_stale_files(min_age=min_age)
        for orphan in orphans + stale:
            self.stdout.write(f"{orphan.name}\t{human_size(orphan.size)}\t{orphan.modified:{DATETIME}}")
        total = human_size(sum(o.size for o in orphans))
        temp_total = human_size(sum(t.size for t in stale))
        if not delete:
            self.stdout.write(
                f"{len(orphans)} orphan file(s), {total}, older than {min_age_minutes} minutes."
            )
            self.stdout.write(
                f"{len(stale)} stale upload temporary file(s) in {services.upload_temp_dir()},"
                f" {temp_total}, older than {min_age_minutes} minutes."
                + (" Run again with --delete to remove them." if orphans or stale else "")
            )
            return
        deleted = services.evidence_orphan_files_delete(orphans=orphans)
        deleted_temp = services.upload_temp_files_delete(stale=stale)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {len(deleted)} orphan file(s), {human_size(sum(o.size for o in deleted))}; "
                f"{len(deleted_temp)} stale upload temporary file(s), "
                f"{human_size(sum(t.size for t in deleted_temp))}."
            )
        )

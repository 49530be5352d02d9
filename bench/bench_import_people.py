"""Benchmark: a 500-row people file (460 candidates registered on 4411-01, 20 assessors, 20 internal
verifiers) through the bulk import, the way `manage.py import_people` runs it (not a test).

    .venv/bin/python bench/bench_import_people.py [--rows 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio_people bench/bench_import_people.py  # on test_ copy

Prints the time of the dry run (every check and write, rolled back) and of the real import with its
invitation emails (locmem backend), per row and as a ratio to the dry run. Target: the real import of
500 rows under 30 s on this machine. Exit status 1 when it is not.

Runs on a throw-away database: a temporary SQLite file, or with DATABASE_URL the test database Django
creates beside it (test_<name>), dropped at the end.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 30


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio_site.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = database["NAME"]
    setup_test_environment()
    return setup_databases(verbosity=0, interactive=False)


def people_file(rows: int) -> bytes:
    from assessment.people_import import ALL_COLUMNS

    staff = max(2, rows // 25)
    lines = [",".join(ALL_COLUMNS)]
    for i in range(staff):
        lines.append(f"assessor,bench.assessor{i},Assessor{i},Bench,assessor{i}@bench.example,,,,,,")
        lines.append(f"internal_verifier,bench.iv{i},Verifier{i},Bench,iv{i}@bench.example,,,,,,")
    units = ["101 103", "101 104", "103 104 105", ""]
    for i in range(rows - 2 * staff):
        lines.append(
            f"candidate,bench.cand{i},Cand{i},Bench,cand{i}@bench.example,CN{i:05d},4411-01,"
            f"bench.assessor{i % staff},bench.iv{(i + 1) % staff},{units[i % 4]},01/09/2026"
        )
    return ("\n".join(lines) + "\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()
    old_config = setup_django()
    try:
        from django.core import mail
        from django.core.management import call_command
        from django.db import connection

        from accounts.models import Centre, Membership, Role, User
        from assessment import people_import
        from assessment.models import Registration

        call_command("loaddata", str(ROOT / "fixtures/4411.json"), verbosity=0)
        centre = Centre.objects.create(name="Bench Centre", number="B001")
        admin = User.objects.create_user("bench.admin")
        Membership.objects.create(user=admin, centre=centre, role=Role.CENTRE_ADMIN)
        data = people_file(args.rows)

        started = time.perf_counter()
        dry = people_import.people_import_file(
            actor=admin, centre=centre, fileobj=io.BytesIO(data), name="bench.csv", dry_run=True
        )
        dry_seconds = time.perf_counter() - started
        assert dry.ok, [str(e) for e in dry.errors[:5]]

        mail.outbox = []
        started = time.perf_counter()
        result = people_import.people_import_file(
            actor=admin, centre=centre, fileobj=io.BytesIO(data), name="bench.csv"
        )
        seconds = time.perf_counter() - started
        assert result.committed, [str(e) for e in result.errors[:5]]
        assert Registration.objects.count() == result.registrations and len(mail.outbox) == result.people

        print(
            f"database: {connection.vendor}; rows: {args.rows}; people: {result.people}; "
            f"registrations: {result.registrations}; invitations: {len(mail.outbox)}"
        )
        print(
            f"dry run (checked, written, rolled back): {dry_seconds:6.2f} s  ({1000 * dry_seconds / args.rows:.1f} ms/row)"
        )
        print(
            f"import (committed, invitations sent):     {seconds:6.2f} s  ({1000 * seconds / args.rows:.1f} ms/row)"
        )
        print(
            f"ratio import/dry run: {seconds / dry_seconds:.2f}; target < {TARGET_SECONDS} s: "
            f"{'met' if seconds < TARGET_SECONDS else 'NOT MET'}"
        )
        return 0 if seconds < TARGET_SECONDS else 1
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())

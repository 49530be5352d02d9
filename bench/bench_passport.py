"""Benchmark of the portfolio passport (not a test): export and verification of a 4430-04 portfolio of 30
and 300 evidence items (one in ten with a 200 kB file), beside writing and reading a plain ZIP of the same
files in the same run.

    .venv/bin/python bench/bench_passport.py [--sizes 30,300] [--repeat 3]

Prints median seconds for export (manifest, forms, signature) and verification (signature and every
file's SHA-256), the plain-ZIP baseline, the ratios to it, and the growth from the smallest to the largest size.
"""

import argparse
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pages import grow_portfolio, make_world, setup_django  # noqa: E402


def attach_files(registration, every=10, size=200 * 1024):
    from django.core.files.base import ContentFile

    from evidence.models import EvidenceItem

    items = EvidenceItem.objects.filter(candidate=registration.candidate, file="").order_by("pk")
    for n, item in enumerate(items):
        if n % every:
            continue
        data = b"%PDF-1.4\n" + os.urandom(size)
        item.file.save(f"bench-{item.pk}.pdf", ContentFile(data), save=False)
        item.size, item.sha256, item.original_name = (
            len(data),
            hashlib.sha256(data).hexdigest(),
            f"{item.pk}.pdf",
        )
        item.save()


def plain_zip(registration):
    from evidence.models import EvidenceItem

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in EvidenceItem.objects.filter(candidate=registration.candidate).exclude(file=""):
            with item.file.open("rb") as fh:
                archive.writestr(f"evidence/{item.pk}", fh.read())
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            hashlib.sha256(archive.read(name)).hexdigest()


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(sizes, repeat):
    from portability import passport, selectors, services
    from qualifications.models import AssessmentCriterion

    centre, people, registration = make_world()
    criteria = list(
        AssessmentCriterion.objects.filter(
            unit__in=registration.qualification.memberships.values("unit")
        ).order_by("unit__ref", "pk")
    )
    have, rows = 0, []
    workdir = Path(tempfile.mkdtemp())
    for size in sizes:
        grow_portfolio(registration, people, criteria, have, size)
        have = size
        attach_files(registration)
        target = workdir / f"passport-{size}.zip"

        def export():
            with open(target, "wb") as fh:  # noqa: B023
                services.passport_export(registration=registration, actor=people["admin"], target=fh)

        def verify():
            report = passport.verify_passport(str(target), known_public_key=selectors.published_key)  # noqa: B023
            assert report.ok, report.lines()

        export_s = timed(export, repeat)
        verify_s = timed(verify, repeat)
        base_s = timed(lambda: plain_zip(registration), repeat)
        forms_s = timed(lambda: passport._render_forms(registration), repeat)  # noqa: B023
        rows.append((size, export_s, verify_s, base_s, target.stat().st_size, forms_s))
    print(
        f"{'items':>6} {'export s':>9} {'of which PDF':>13} {'verify s':>9} {'plain zip s':>12} "
        f"{'export-PDF×':>12} {'verify×':>8} {'ZIP MB':>7}"
    )
    for size, export_s, verify_s, base_s, nbytes, forms_s in rows:
        print(
            f"{size:>6} {export_s:>9.3f} {forms_s:>13.3f} {verify_s:>9.3f} {base_s:>12.3f} "
            f"{(export_s - forms_s) / base_s:>12.1f} {verify_s / base_s:>8.1f} {nbytes / 1e6:>7.1f}"
        )
    first, last = rows[0], rows[-1]
    print(
        f"growth {first[0]}→{last[0]} items: export ×{last[1] / first[1]:.1f}, verify ×{last[2] / first[2]:.1f}, "
        f"plain zip ×{last[3] / first[3]:.1f}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30,300")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    old_config = setup_django()
    try:
        run([int(s) for s in args.sizes.split(",")], args.repeat)
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()

"""Benchmark of a cohort print batch: a 300-candidate batch rendered the way the worker renders it
(printing.tasks.print_job_run), with the process's peak resident memory measured around it.

    .venv/bin/python bench/bench_batch.py [--candidates 300] [--form unit-summary]

Runs on a throw-away SQLite database with the 4430-04 catalogue; each candidate has a signed unit with ten
mapped evidence items (bulk inserts through the models). The peak RSS (VmHWM from /proc, reset just before
the batch) is compared with the size of the zip written: a worker that kept every PDF in memory would grow
by at least the zip's size; one that streams the zip to a temporary file grows by about one form.
Not a test: it prints numbers.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django():
    tmp = Path(tempfile.mkdtemp())
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio_site.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp / "media")
    call_command("migrate", verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures/4430-04.json"), verbosity=0)


def make_cohort(n):
    import datetime as dt

    from django.utils import timezone

    from accounts.models import Centre, Membership, Role, User
    from assessment.models import EvidenceMapping, Registration, UnitAssessment
    from evidence.models import EvidenceItem
    from qualifications.models import AssessmentCriterion, Qualification, Unit

    centre = Centre.objects.create(name="Bench Centre", number="B001")
    assessor = User.objects.create(username="ass", first_name="Ann", last_name="Assessor")
    iv = User.objects.create(username="iv", first_name="Ivy", last_name="Verifier")
    admin = User.objects.create(username="adm", first_name="Ada", last_name="Admin")
    Membership.objects.bulk_create(
        [
            Membership(user=assessor, centre=centre, role=Role.ASSESSOR),
            Membership(user=iv, centre=centre, role=Role.INTERNAL_VERIFIER),
            Membership(user=admin, centre=centre, role=Role.CENTRE_ADMIN),
        ]
    )
    qual = Qualification.objects.get(code="4430-04")
    unit = Unit.objects.get(ref="4430-401")
    criteria = list(AssessmentCriterion.objects.filter(unit=unit).order_by("pk")[:30])
    now = timezone.now()
    candidates = User.objects.bulk_create(
        [User(username=f"cand{i:04d}", first_name=f"Candidate{i}", last_name="Bench") for i in range(n)]
    )
    Membership.objects.bulk_create(
        [Membership(user=c, centre=centre, role=Role.CANDIDATE) for c in candidates]
    )
    regs = Registration.objects.bulk_create(
        [
            Registration(
                centre=centre,
                candidate=c,
                assessor=assessor,
                internal_verifier=iv,
                qualification=qual,
                registered_on=dt.date(2026, 1, 5),
            )
            for c in candidates
        ]
    )
    items = EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(centre=centre, candidate=c, title=f"Evidence {k}", kind="work_product")
            for c in candidates
            for k in range(10)
        ]
    )
    mappings = []
    for r, reg in enumerate(regs):
        for k in range(10):
            item = items[r * 10 + k]
            for c in criteria[k * 3 : k * 3 + 3]:
                mappings.append(
                    EvidenceMapping(
                        registration=reg,
                        evidence=item,
                        criterion=c,
                        unit=unit,
                        method="product_evidence",
                        location=f"p. {k}",
                        decision="accepted",
                        assessed_by=assessor,
                        assessed_at=now,
                    )
                )
    EvidenceMapping.objects.bulk_create(mappings, batch_size=2000)
    for reg in regs:
        UnitAssessment.objects.update_or_create(
            registration=reg,
            unit=unit,
            defaults=dict(status="signed", signed_by=assessor, signed_at=now, authenticity_signed_at=now),
        )
    return centre, admin, qual, regs


def proc_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak():
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--form", default="unit-summary")
    args = parser.parse_args()
    setup_django()
    from printing import registry
    from printing.models import PrintJob
    from printing.tasks import print_job_run

    start = time.perf_counter()
    centre, admin, qual, regs = make_cohort(args.candidates)
    print(f"cohort of {args.candidates} candidates generated in {time.perf_counter() - start:.1f} s")
    form = registry.get_form(args.form)
    one = registry.render_completed(form, regs[0], None)  # warm up: fonts, templates
    job = PrintJob.objects.create(
        centre=centre,
        requested_by=admin,
        form=args.form,
        qualification=qual,
        registration_ids=[r.pk for r in regs],
        total=len(regs),
    )
    samples = []
    real_render = registry.render_completed

    def render_and_sample(*a, **kw):
        pdf = real_render(*a, **kw)
        samples.append(proc_kb("VmRSS"))
        return pdf

    registry.render_completed = render_and_sample
    reset_peak()
    baseline = proc_kb("VmRSS")
    start = time.perf_counter()
    job = print_job_run(job)
    elapsed = time.perf_counter() - start
    peak = proc_kb("VmHWM")
    size = job.result.size
    print(f"form                      : {args.form} ({len(one) / 1024:.0f} kB per PDF)")
    print(f"PDFs written              : {job.done} of {job.total}, status {job.status}")
    print(f"batch time                : {elapsed:.1f} s ({elapsed / max(job.done, 1):.3f} s per form)")
    print(f"zip written to storage    : {size / 1024 / 1024:.1f} MB")
    print(f"worker RSS before batch   : {baseline / 1024:.1f} MB")
    print(
        f"worker peak RSS in batch  : {peak / 1024:.1f} MB (growth {(peak - baseline) / 1024:.1f} MB; "
        f"growth / zip size = {(peak - baseline) * 1024 / max(size, 1):.2f})"
    )
    marks = sorted({min(len(samples), k) for k in (1, 10, 50, 100, 200, 300, len(samples))})
    print("RSS after form n (MB)     : " + ", ".join(f"{k}: {samples[k - 1] / 1024:.0f}" for k in marks))
    print("A batch that held its PDFs would grow with n; this one should level off after the first forms.")


if __name__ == "__main__":
    main()

"""Benchmark of a whole centre (not a test): the pages every IV, centre admin and assessor lands on, at two
centre sizes, beside a trivial signed-in page measured in the same run.

    .venv/bin/python bench/bench_centre.py --candidates 5000 [--small 500] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio .venv/bin/python bench/bench_centre.py ...

The centre is generated through the models with bulk inserts (no services, no audit rows: the point is the
pages' reads): 40 assessors and one more holding a fixed caseload of 300 candidates at both sizes (the assessor
pages are measured for both), 5 internal verifiers, candidates half on 4430-04 and half on 4411-01, each with
30 evidence items and 100 criterion mappings (one in ten "not yet"), the candidate's authenticity declaration
signed on every unit (the worst case for the caseload's "ready to sign" column: no unit is ruled out before its
coverage is judged), the first unit of every second candidate signed, a site per candidate and a sampling plan per qualification; after each size, VACUUM ANALYZE
on PostgreSQL (as autovacuum would), after the sampling pools' summary rows are rebuilt (the bulk inserts bypass
the signals that keep them: as `manage.py rebuild_sampling_pool --now` after a load). It runs on a throw-away database (a temporary SQLite file, or the
test_<name> database beside DATABASE_URL's) dropped at the end.

Per page it prints the median time, the queries, the HTML size and the ratio to the trivial page at both
sizes, then the growth from the small centre to the large one; then the seconds the background task takes to
generate a sample of every plan of the centre at each size (target: under 30 s at 5,000).
"""

import argparse
import datetime as dt
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pages import PASSWORD, setup_django  # noqa: E402

ASSESSORS, IVS, EVIDENCE_PER_CANDIDATE, MAPPINGS_PER_CANDIDATE = 40, 5, 30, 100
# One more assessor holds a caseload of BIG_CASELOAD candidates at both sizes (the first candidates with
# number % 5 in 1, 2, 3: none of assessor0's, both qualifications), so that the assessor pages are measured
# at a fixed 300-candidate caseload beside assessor0's, which grows with the centre (13 -> 125).
BIG_CASELOAD = 300


def assessor_index(i: int) -> int:
    """Candidate i's assessor: ASSESSORS for the big caseload's candidates, else i % ASSESSORS."""
    if i % 5 in (1, 2, 3) and i < BIG_CASELOAD * 5 // 3:
        return ASSESSORS
    return i % ASSESSORS


def make_centre():
    from django.core.management import call_command

    from accounts.models import Centre, Membership, Role, User

    for fixture in ("4411.json", "4430-04.json"):
        call_command("loaddata", str(ROOT / "fixtures" / fixture), verbosity=0)
    centre = Centre.objects.create(name="Big Provider", number="B500")
    staff = {}
    for name, role, count in (
        ("assessor", Role.ASSESSOR, ASSESSORS),
        ("iv", Role.INTERNAL_VERIFIER, IVS),
        ("admin", Role.CENTRE_ADMIN, 1),
        ("ev", Role.EXTERNAL_VERIFIER, 1),
    ):
        staff[role] = []
        for n in range(count):
            user = User.objects.create_user(
                username=f"{name}{n}", password=PASSWORD, first_name=name.title(), last_name=f"No{n}"
            )
            Membership.objects.create(user=user, centre=centre, role=role)
            staff[role].append(user)
    big = User.objects.create_user(
        username=f"assessor{ASSESSORS}", password=PASSWORD, first_name="Assessor", last_name="Caseload"
    )
    Membership.objects.create(user=big, centre=centre, role=Role.ASSESSOR)
    staff["big caseload"] = big
    return centre, staff


def grow_centre(centre, staff, start, stop):
    """Candidates start..stop-1 with their registrations, evidence, mappings, sign-offs and sites."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Membership, Role, User
    from assessment.models import EvidenceMapping, Registration, UnitAssessment, UnitSignOff
    from assessment.selectors import registration_units
    from assessment.services import suggested_route
    from evidence.models import EvidenceItem
    from qualifications.models import AssessmentCriterion, Qualification, Unit
    from verification.models import CandidateSite

    now, password = timezone.now(), make_password(PASSWORD)
    quals = [Qualification.objects.get(code="4430-04"), Qualification.objects.get(code="4411-01")]
    routes = {
        q.pk: list(Unit.objects.filter(ref__in=[u.ref for u in suggested_route(q, []).add])) for q in quals
    }
    assessors, ivs = staff[Role.ASSESSOR] + [staff["big caseload"]], staff[Role.INTERNAL_VERIFIER]
    candidates = User.objects.bulk_create(
        [
            User(username=f"cand{i}", password=password, first_name="Candidate", last_name=f"No{i}")
            for i in range(start, stop)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=c, centre=centre, role=Role.CANDIDATE) for c in candidates]
    )
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                centre=centre,
                candidate=c,
                qualification=quals[i % 2],
                assessor=assessors[assessor_index(i)],
                internal_verifier=ivs[i % IVS],
                registered_on=dt.date(2026, 1, 5) + dt.timedelta(days=i % 200),
                expires_on=dt.date(2029, 1, 5),
            )
            for i, c in zip(range(start, stop), candidates, strict=True)
        ]
    )
    through = Registration.optional_units.through
    through.objects.bulk_create(
        [
            through(registration_id=r.pk, unit_id=u.pk)
            for r in registrations
            for u in routes[r.qualification_id]
        ]
    )
    CandidateSite.objects.bulk_create(
        [CandidateSite(registration=r, site=f"Site {r.pk % 12}") for r in registrations]
    )
    units_of = {q.pk: None for q in quals}
    criteria_of = {}
    for r in registrations[:2]:
        units_of[r.qualification_id] = registration_units(r)
        criteria_of[r.qualification_id] = list(
            AssessmentCriterion.objects.filter(unit__in=units_of[r.qualification_id]).order_by(
                "unit__ref", "pk"
            )
        )
    uas = UnitAssessment.objects.bulk_create(
        [
            UnitAssessment(registration=r, unit=u, authenticity_signed_at=now)
            for r in registrations
            for u in units_of[r.qualification_id]
        ],
        batch_size=5000,
    )
    signed = [
        ua
        for ua in uas
        if ua.unit_id == units_of[ua.registration.qualification_id][0].pk and ua.registration.pk % 2 == 0
    ]
    for ua in signed:
        ua.status, ua.signed_by, ua.signed_at = UnitAssessment.Status.SIGNED, ua.registration.assessor, now
    UnitAssessment.objects.bulk_update(signed, ["status", "signed_by", "signed_at"], batch_size=2000)
    UnitSignOff.objects.bulk_create(
        [UnitSignOff(unit_assessment=ua, round=1, assessor=ua.signed_by, signed_at=now) for ua in signed],
        batch_size=5000,
    )
    for chunk_start in range(0, len(registrations), 200):
        chunk = registrations[chunk_start : chunk_start + 200]
        items = EvidenceItem.objects.bulk_create(
            [
                EvidenceItem(
                    centre=centre,
                    candidate_id=r.candidate_id,
                    kind=EvidenceItem.Kind.STATEMENT,
                    title=f"Account {n}",
                    statement_text="What I did, and why.",
                    locked_at=now,
                    authenticity_confirmed_at=now,
                )
                for r in chunk
                for n in range(EVIDENCE_PER_CANDIDATE)
            ],
            batch_size=5000,
        )
        by_candidate = {}
        for item in items:
            by_candidate.setdefault(item.candidate_id, []).append(item)
        mappings = []
        for r in chunk:
            criteria = criteria_of[r.qualification_id]
            pool = itertools.cycle(by_candidate[r.candidate_id])
            for n in range(MAPPINGS_PER_CANDIDATE):
                criterion = criteria[n % len(criteria)]
                not_yet = n % 10 == 9
                mappings.append(
                    EvidenceMapping(
                        registration=r,
                        evidence=next(pool),
                        criterion=criterion,
                        unit_id=criterion.unit_id,
                        method="observation" if n % 3 else "questioning",
                        decision="not_yet" if not_yet else "accepted",
                        reason="Say more." if not_yet else "",
                        assessed_by_id=r.assessor_id,
                        assessed_at=now,
                    )
                )
        EvidenceMapping.objects.bulk_create(mappings, batch_size=5000, ignore_conflicts=True)


def analyze():
    """Fresh planner statistics and visibility map after the bulk inserts (what autovacuum gives a live database),
    so that the pages are measured with the plans PostgreSQL picks in production (index-only scans among them),
    not with empty-table estimates."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def make_plans(centre, staff):
    from django.utils import timezone

    from accounts.models import Role
    from qualifications.models import Qualification
    from verification.services import plan_create

    today = timezone.localdate()
    return [
        plan_create(
            actor=staff[Role.INTERNAL_VERIFIER][0],
            centre=centre,
            qualification=q,
            period_start=today - dt.timedelta(days=365),
            period_end=today + dt.timedelta(days=365),
            min_share_percent=25,
        )
        for q in Qualification.objects.filter(code__in=["4430-04", "4411-01"]).order_by("code")
    ]


def measure(client, url, repeat, method="get", slowest=0):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call = getattr(client, method)
    response = call(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = call(url)
            times.append(time.perf_counter() - start)
    if slowest:
        total = sum(float(q["time"]) for q in queries.captured_queries)
        print(f"  {url}: {total * 1000:.1f} ms in {len(queries.captured_queries)} queries; the slowest:")
        for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:slowest]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    return statistics.median(times) * 1000, len(queries.captured_queries), len(response.content)


def pages(plans, staff, only=""):
    from django.urls import reverse

    from accounts.models import Role

    iv, admin, assessor, big = (
        staff[Role.INTERNAL_VERIFIER][0],
        staff[Role.CENTRE_ADMIN][0],
        staff[Role.ASSESSOR][0],
        staff["big caseload"],
    )
    every = [
        ("trivial: password change", admin, reverse("accounts:password_change"), "get"),
        ("IV dashboard", iv, reverse("dashboards:internal_verifier"), "get"),
        ("IV plan detail 4430-04", iv, reverse("verification:plan_detail", args=[plans[1].pk]), "get"),
        ("IV site list", iv, reverse("verification:site_list"), "get"),
        ("admin dashboard", admin, reverse("dashboards:centre_admin"), "get"),
        ("admin registrations list", admin, reverse("assessment:registration_list"), "get"),
        (
            "admin register form",
            admin,
            reverse("assessment:registration_new") + "?qualification=4430-04",
            "get",
        ),
        ("admin claims list", admin, reverse("verification:claim_list"), "get"),
        ("admin EV grant form", admin, reverse("verification:grant_create"), "get"),
        ("assessor caseload", assessor, reverse("assessment:caseload"), "get"),
        ("assessor dashboard", assessor, reverse("dashboards:assessor"), "get"),
        (f"assessor caseload, {BIG_CASELOAD}", big, reverse("assessment:caseload"), "get"),
        (f"assessor dashboard, {BIG_CASELOAD}", big, reverse("dashboards:assessor"), "get"),
    ]
    return [every[0]] + [p for p in every[1:] if only in p[0]]


def time_generation(plans, staff) -> float:
    """Seconds the worker takes to propose a sample of every plan of the centre (the whole centre's pool), as
    the background task runs it (verification.tasks.sample_generation_run), rolled back afterwards."""
    from django.db import transaction

    from accounts.models import Role
    from verification.models import SampleGeneration
    from verification.tasks import sample_generation_run

    start = time.perf_counter()
    with transaction.atomic():
        for plan in plans:
            generation = SampleGeneration.objects.create(
                plan=plan, requested_by=staff[Role.INTERNAL_VERIFIER][0]
            )
            sample_generation_run(generation)
            generation.refresh_from_db()
            assert generation.status == SampleGeneration.Status.DONE, generation.error
        transaction.set_rollback(True)
    return time.perf_counter() - start


def run(sizes, repeat, slowest=0, only=""):
    from django.test import Client

    centre, staff = make_centre()
    results, generation, have = {}, {}, 0
    plans = None
    for size in sizes:
        start = time.perf_counter()
        grow_centre(centre, staff, have, size)
        have = size
        plans = plans or make_plans(centre, staff)
        # the bulk inserts bypassed the models' signals: the pools' summary rows are rebuilt now, as
        # `manage.py rebuild_sampling_pool --now` does after a load, before the statistics are gathered
        from verification.selectors import summary

        summary.rebuild_later()
        for plan in plans:
            summary.refresh(plan)
        analyze()
        print(f"generated {size} candidates in {time.perf_counter() - start:.0f} s", flush=True)
        for name, user, url, method in pages(plans, staff, only):
            client = Client()
            client.force_login(user)
            results[(name, size)] = measure(
                client, url, repeat, method, slowest=slowest if size == sizes[-1] else 0
            )
        if not only or "generation" in only:
            generation[size] = time_generation(plans, staff)
    names = [p[0] for p in pages(plans, staff, only)]
    small, large = sizes[0], sizes[-1]
    print(
        f"\n{'page':<28}"
        + "".join(f"{f'{s}: ms':>10}{'q':>5}{'kB':>8}{'×triv':>7}" for s in sizes)
        + f"{'growth':>8}"
    )
    for name in names:
        line = f"{name:<28}"
        for s in sizes:
            ms, q, size_bytes = results[(name, s)]
            trivial = results[(names[0], s)][0]
            line += f"{ms:>10.1f}{q:>5}{size_bytes / 1024:>8.0f}{ms / trivial:>7.1f}"
        line += f"{results[(name, large)][0] / results[(name, small)][0]:>8.2f}"
        print(line)
    if generation:
        print(
            "\nsample generation, every plan of the centre (the background task's work): "
            + ", ".join(f"{s} candidates {generation[s]:.1f} s" for s in sizes)
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=5000, help="the large centre")
    parser.add_argument("--small", type=int, default=500, help="the small centre, measured first")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--slowest", type=int, default=0, help="print each page's N slowest queries at the large size"
    )
    parser.add_argument(
        "--only", default="", help="measure only the pages whose name contains this (and the trivial page)"
    )
    args = parser.parse_args()
    old_config = setup_django()
    try:
        run([args.small, args.candidates], args.repeat, args.slowest, args.only)
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()

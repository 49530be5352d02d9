"""Benchmark of the busiest pages as a portfolio grows: 1, 300 and 3000 evidence items on one 4430-04
registration, each item mapped to criteria across the registration's units (not a test).

    .venv/bin/python bench/bench_pages.py [--sizes 1,300,3000] [--repeat 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portfolio bench/bench_pages.py   # on a test_ copy

For the assessor's caseload, the coverage matrix of the busiest unit, the candidate's progress page and the
candidate's evidence list it prints the query count and the median render time (Django test Client,
in-process, wall-clock; the database server's time is part of a page's time), then the ratios
time(largest)/time(smallest) and queries(largest)/queries(smallest). Query counts should not grow (ratio
1.00: every page does a constant number of queries); times grow with what the page shows.

Runs on a throw-away database: a temporary SQLite file, or with DATABASE_URL the test database Django
creates beside it (test_<name>), dropped at the end.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-2026"


def setup_django():
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio_site.settings.test")
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: collectstatic not run here
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, setup_test_environment

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = database["NAME"]  # a file, like production, not :memory:
    setup_test_environment()
    return setup_databases(verbosity=0, interactive=False)


def make_world():
    """Centre, people and a 4430-04 registration (mandatory units plus the planner's cheapest route)."""
    from django.core.management import call_command

    from accounts.models import Centre, Membership, Role, User
    from assessment import services
    from qualifications.models import Qualification, Unit

    call_command("loaddata", str(ROOT / "fixtures/4430-04.json"), verbosity=0)
    centre = Centre.objects.create(name="Bench Centre", number="B001")
    people = {}
    for name, role in [
        ("candidate", Role.CANDIDATE),
        ("assessor", Role.ASSESSOR),
        ("iv", Role.INTERNAL_VERIFIER),
        ("admin", Role.CENTRE_ADMIN),
    ]:
        people[name] = User.objects.create_user(
            username=name, password=PASSWORD, first_name=name.title(), last_name="Bench"
        )
        Membership.objects.create(user=people[name], centre=centre, role=role)
    qualification = Qualification.objects.get(code="4430-04")
    # 4430-04's last registration and certification dates have passed: record extensions, as the demo centre does
    for kind, new_date in (("registration", dt.date(2027, 7, 31)), ("certification", dt.date(2029, 7, 31))):
        services.awarding_body_extension_record(
            centre=centre,
            qualification=qualification,
            actor=people["admin"],
            kind=kind,
            reference=f"BENCH-EXT-{kind}",
            new_date=new_date,
        )
    route = services.suggested_route(qualification, [])
    optional = list(Unit.objects.filter(ref__in=[u.ref for u in route.add]))
    registration = services.registration_create(
        actor=people["admin"],
        centre=centre,
        candidate=people["candidate"],
        qualification=qualification,
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        registered_on=dt.date(2026, 1, 5),
        optional_units=optional,
        entry_conditions_confirmed=[c["key"] for c in qualification.entry_conditions],
    )
    return centre, people, registration


def grow_portfolio(registration, people, criteria, start, stop):
    """Evidence items start..stop-1; item i is mapped to two criteria, walking round every unit's criteria.

    One in ten mappings is "not yet" (with the reason the assessor wrote), as in a real portfolio.
    """
    from django.utils import timezone

    from assessment.models import EvidenceMapping
    from evidence.models import EvidenceItem

    now = timezone.now()
    items = EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                centre=registration.centre,
                candidate=people["candidate"],
                kind=EvidenceItem.Kind.STATEMENT,
                title=f"Account {i}: a customer I helped",
                statement_text="What I did, and why. " * 20,
                activity_date=dt.date(2026, 1, 5) + dt.timedelta(days=i % 400),
                authenticity_confirmed_at=now,
                locked_at=now,
            )
            for i in range(start, stop)
        ]
    )
    mappings = []
    for i, item in zip(range(start, stop), items, strict=True):
        for criterion in (criteria[(2 * i) % len(criteria)], criteria[(2 * i + 1) % len(criteria)]):
            not_yet = i % 10 == 9
            mappings.append(
                EvidenceMapping(
                    registration=registration,
                    evidence=item,
                    criterion=criterion,
                    unit_id=criterion.unit_id,
                    method="candidate_statement",
                    location=f"paragraph {i % 7 + 1}",
                    decision="not_yet" if not_yet else "accepted",
                    reason="Say why." if not_yet else "",
                    assessed_by=people["assessor"],
                    assessed_at=now,
                )
            )
    EvidenceMapping.objects.bulk_create(mappings, batch_size=1000)


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm caches (templates, the catalogue's spec) before timing
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries.captured_queries), len(response.content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,300,3000", help="portfolio sizes, ascending")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    old_config = setup_django()
    try:
        run(sizes, args.repeat)
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old_config, verbosity=0)


def run(sizes, repeat):
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from assessment.models import EvidenceMapping
    from assessment.selectors import registration_units
    from qualifications.models import AssessmentCriterion

    centre, people, registration = make_world()
    units = registration_units(registration)
    criteria = list(AssessmentCriterion.objects.filter(unit__in=units).order_by("unit__number", "pk"))
    assessor, candidate = Client(), Client()
    assessor.force_login(people["assessor"])
    candidate.force_login(people["candidate"])
    print(
        f"{connection.vendor}: 4430-04 registration, {len(units)} units, {len(criteria)} criteria; "
        f"median of {repeat} requests per page"
    )

    results = {}  # page -> [(size, seconds, queries, bytes)]
    have = 0
    for size in sizes:
        grow_portfolio(registration, people, criteria, have, size)
        have = size
        busiest = (
            EvidenceMapping.objects.filter(registration=registration)
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by("-n", "unit_id")
            .values_list("unit_id", flat=True)
            .first()
        )
        pages = {
            "caseload (assessor)": (assessor, reverse("assessment:caseload")),
            "coverage matrix (assessor)": (
                assessor,
                reverse("assessment:unit_matrix", args=[registration.pk, busiest]),
            ),
            "progress (candidate)": (
                candidate,
                reverse("assessment:progress_detail", args=[registration.pk]),
            ),
            "evidence list (candidate)": (candidate, reverse("evidence:list")),
        }
        for name, (client, url) in pages.items():
            seconds, queries, size_bytes = measure(client, url, repeat)
            results.setdefault(name, []).append((size, seconds, queries, size_bytes))

    first, last = sizes[0], sizes[-1]
    print(f"\n{'page':<28}{'items':>7}{'queries':>9}{'median ms':>11}{'HTML kB':>9}")
    for name, rows in results.items():
        for size, seconds, queries, size_bytes in rows:
            print(f"{name:<28}{size:>7}{queries:>9}{seconds * 1000:>11.1f}{size_bytes / 1024:>9.0f}")
    print(f"\n{'page':<28}{f'time({last})/time({first})':>22}{f'queries({last})/queries({first})':>28}")
    for name, rows in results.items():
        (_, t0, q0, _), (_, t1, q1, _) = rows[0], rows[-1]
        print(f"{name:<28}{t1 / t0:>22.1f}{q1 / q0:>28.2f}")


if __name__ == "__main__":
    main()

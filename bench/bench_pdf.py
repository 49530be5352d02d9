"""Benchmark of the PDF forms: our time per form and per 100-form batch, beside WeasyPrint's own time on
the same HTML, so our overhead (selectors, templates, the restricted URL fetcher) is visible as a ratio.

    .venv/bin/python bench/bench_pdf.py [--batch 100] [--repeat 3]

Runs on a throw-away SQLite database with the 4430-04 catalogue and one candidate's signed unit.
Not a test: it prints numbers.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# Each completed form should take at most this many times WeasyPrint's own time on the same HTML.
TARGET_RATIO = 1.3


def setup_django():
    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio_site.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(ROOT / "fixtures/4430-04.json"), verbosity=0)


def make_registration():
    import datetime as dt

    from django.utils import timezone

    from accounts.models import Centre, Membership, Role, User
    from assessment.models import EvidenceMapping, Registration, UnitAssessment
    from evidence.models import EvidenceItem
    from qualifications.models import AssessmentCriterion, Qualification, Unit

    centre = Centre.objects.create(name="Bench Centre", number="B001")
    users = {}
    for name, role in [("cand", Role.CANDIDATE), ("ass", Role.ASSESSOR), ("iv", Role.INTERNAL_VERIFIER)]:
        users[name] = User.objects.create(username=name, first_name=name.title(), last_name="Bench")
        Membership.objects.create(user=users[name], centre=centre, role=role)
    reg = Registration.objects.create(
        centre=centre,
        candidate=users["cand"],
        assessor=users["ass"],
        internal_verifier=users["iv"],
        qualification=Qualification.objects.get(code="4430-04"),
        registered_on=dt.date(2026, 1, 5),
    )
    unit = Unit.objects.get(ref="4430-401")
    now = timezone.now()
    for i in range(10):
        item = EvidenceItem.objects.create(
            centre=centre, candidate=users["cand"], title=f"Evidence {i}", kind="work_product"
        )
        for c in AssessmentCriterion.objects.filter(unit=unit)[i * 3 : i * 3 + 3]:
            EvidenceMapping.objects.create(
                registration=reg,
                evidence=item,
                criterion=c,
                unit=unit,
                method="product_evidence",
                location=f"p. {i}",
                decision="accepted",
                assessed_by=users["ass"],
                assessed_at=now,
            )
    UnitAssessment.objects.update_or_create(
        registration=reg,
        unit=unit,
        defaults=dict(status="signed", signed_by=users["ass"], signed_at=now, authenticity_signed_at=now),
    )
    make_records(reg, unit, users, now)
    return reg, unit


def make_records(reg, unit, users, now):
    """The records behind the forms added from the seeds: skills scan, plan with a review, assessment report,
    questioning and professional discussion records, feedback, a witness testimony."""
    import datetime as dt

    from assessment.models import (
        ActionPlan,
        ActionPlanItem,
        ActionPlanReview,
        AssessmentRecord,
        AssessmentReport,
        Feedback,
        SkillsScan,
        SkillsScanRating,
    )
    from evidence.models import EvidenceItem, Witness, WitnessTestimony
    from qualifications.models import Unit

    scan = SkillsScan.objects.create(
        registration=reg, created_by=users["ass"], agreed_actions="Observe 401.", candidate_agreed_at=now
    )
    for n, u in enumerate(
        Unit.objects.filter(memberships__qualification=reg.qualification).order_by("number")[:12]
    ):
        SkillsScanRating.objects.create(
            scan=scan, unit=u, candidate_rating=n % 3 + 1, assessor_rating=(n + 1) % 3 + 1
        )
    plan = ActionPlan.objects.create(
        registration=reg,
        created_by=users["ass"],
        unit=unit,
        venue="Head office",
        scheduled_at=now,
        methods=["observation", "case_study"],
        skills_scan=scan,
    )
    for i in range(5):
        ActionPlanItem.objects.create(
            plan=plan, activity=f"Activity {i}", target_date=dt.date(2026, 3, i + 1)
        )
    ActionPlanReview.objects.create(
        plan=plan, reviewed_by=users["ass"], reviewed_on=dt.date(2026, 3, 9), notes="On track."
    )
    AssessmentReport.objects.create(
        registration=reg,
        unit=unit,
        assessor=users["ass"],
        date=dt.date(2026, 3, 9),
        answers={"more_skills": False, "authenticated": True},
        outcome="Competent.",
        questions="Why?",
        candidate_answers="Because.",
    )
    for kind in ("questioning", "professional_discussion"):
        AssessmentRecord.objects.create(
            registration=reg,
            kind=kind,
            assessor=users["ass"],
            date=dt.date(2026, 3, 9),
            description="Discussed the unit. " * 20,
            questions_and_answers="Q: Why?\nA: Because. " * 10,
        )
    for i in range(3):
        Feedback.objects.create(registration=reg, unit=unit, author=users["ass"], text=f"Feedback {i}. " * 20)
    witness = Witness.objects.create(
        centre=reg.centre,
        candidate=reg.candidate,
        name="Sam Supervisor",
        contact="sam@example.org",
        status_category=3,
        relationship="Line manager",
    )
    item = EvidenceItem.objects.create(
        centre=reg.centre,
        candidate=reg.candidate,
        title="Testimony",
        kind="witness_testimony",
        statement_text="I watched the briefing. " * 15,
    )
    WitnessTestimony.objects.create(evidence=item, witness=witness)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from weasyprint import HTML

    from printing import registry
    from printing.pdf import BASE_URL, StaticOnlyFetcher
    from qualifications.models import Qualification, Unit

    static_base = (ROOT / "static").as_uri() + "/"

    def plain_weasyprint(html):
        # WeasyPrint alone: its default fetcher, the same stylesheet and fonts read from the static directory.
        return HTML(
            string=html.replace('href="/static/', 'href="' + static_base), base_url=static_base
        ).write_pdf()

    reg, unit = make_registration()
    qual = Qualification.objects.get(code="4430-04")
    cases = [
        (
            "recording form, blank (401)",
            "recording-form",
            lambda f: registry.render_blank(f, qual, unit),
            lambda f: registry.blank_html(f, qual, unit),
        ),
        (
            "recording form, completed (401)",
            "recording-form",
            lambda f: registry.render_completed(f, reg, unit),
            lambda f: registry.completed_html(f, reg, unit),
        ),
        (
            "summary of unit achievement, completed",
            "unit-summary",
            lambda f: registry.render_completed(f, reg),
            lambda f: registry.completed_html(f, reg),
        ),
        (
            "whole portfolio, completed",
            "portfolio",
            lambda f: registry.render_completed(f, reg),
            lambda f: registry.completed_html(f, reg),
        ),
    ] + [
        (
            f"{slug}, completed",
            slug,
            lambda f: registry.render_completed(f, reg),
            lambda f: registry.completed_html(f, reg),
        )
        for slug in (
            "skills-scan",
            "assessment-plan",
            "questioning-record",
            "professional-discussion-record",
            "expert-witness-statement",
            "assessment-report",
            "feedback",
            "witness-status-list",
            "observation-record",
            "iv-sampling-record",
            "certification-claim",
        )
    ]
    # Warm up (font loading, template compilation) so both sides are measured hot.
    registry.render_blank(registry.get_form("recording-form"), qual, unit)
    plain_weasyprint(registry.blank_html(registry.get_form("recording-form"), qual, unit))
    print(
        f"{'form':42} {'ours (s)':>9} {'WeasyPrint (s)':>15} {'ratio':>6}  (target: within {TARGET_RATIO}x)"
    )
    for label, slug, ours, html_of in cases:
        form = registry.get_form(slug)
        html = html_of(form)
        t_ours = timed(lambda ours=ours, form=form: ours(form), args.repeat)
        t_weasy = timed(lambda html=html: plain_weasyprint(html), args.repeat)
        ratio = t_ours / t_weasy
        print(
            f"{label:42} {t_ours:9.3f} {t_weasy:15.3f} {ratio:6.2f}  {'ok' if ratio <= TARGET_RATIO else 'OVER'}"
        )

    units = list(Unit.objects.filter(memberships__qualification=qual).order_by("number"))
    targets = [units[i % len(units)] for i in range(args.batch)]
    form = registry.get_form("recording-form")
    htmls = [registry.blank_html(form, qual, u) for u in targets]
    start = time.perf_counter()
    for u in targets:
        registry.render_blank(form, qual, u, fetcher=StaticOnlyFetcher())
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    for html in htmls:
        plain_weasyprint(html)
    t_weasy = time.perf_counter() - start
    print(
        f"{'batch: ' + str(args.batch) + ' blank recording forms':42} {t_ours:9.3f} {t_weasy:15.3f} "
        f"{t_ours / t_weasy:6.2f}"
    )
    print(
        f"per form in the batch: ours {t_ours / args.batch:.3f} s, WeasyPrint {t_weasy / args.batch:.3f} s "
        f"(base URL {BASE_URL} is never contacted)"
    )


if __name__ == "__main__":
    main()

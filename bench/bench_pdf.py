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
    reg = Registration.objects.create(centre=centre, candidate=users["cand"], assessor=users["ass"],
                                      internal_verifier=users["iv"], qualification=Qualification.objects.get(
                                          code="4430-04"), registered_on=dt.date(2026, 1, 5))
    unit = Unit.objects.get(ref="4430-401")
    now = timezone.now()
    for i in range(10):
        item = EvidenceItem.objects.create(centre=centre, candidate=users["cand"], title=f"Evidence {i}",
                                           kind="work_product")
        for c in AssessmentCriterion.objects.filter(unit=unit)[i * 3:i * 3 + 3]:
            EvidenceMapping.objects.create(registration=reg, evidence=item, criterion=c, unit=unit,
                                           method="product_evidence", location=f"p. {i}", decision="accepted",
                                           assessed_by=users["ass"], assessed_at=now)
    UnitAssessment.objects.update_or_create(registration=reg, unit=unit, defaults=dict(
        status="signed", signed_by=users["ass"], signed_at=now, authenticity_signed_at=now))
    return reg, unit


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
        return HTML(string=html.replace('href="/static/', 'href="' + static_base), base_url=static_base).write_pdf()

    reg, unit = make_registration()
    qual = Qualification.objects.get(code="4430-04")
    cases = [
        ("recording form, blank (401)", "recording-form", lambda f: registry.render_blank(f, qual, unit),
         lambda f: registry.blank_html(f, qual, unit)),
        ("recording form, completed (401)", "recording-form", lambda f: registry.render_completed(f, reg, unit),
         lambda f: registry.completed_html(f, reg, unit)),
        ("summary of unit achievement, completed", "unit-summary", lambda f: registry.render_completed(f, reg),
         lambda f: registry.completed_html(f, reg)),
        ("whole portfolio, completed", "portfolio", lambda f: registry.render_completed(f, reg),
         lambda f: registry.completed_html(f, reg)),
    ]
    # Warm up (font loading, template compilation) so both sides are measured hot.
    registry.render_blank(registry.get_form("recording-form"), qual, unit)
    plain_weasyprint(registry.blank_html(registry.get_form("recording-form"), qual, unit))
    print(f"{'form':42} {'ours (s)':>9} {'WeasyPrint (s)':>15} {'ratio':>6}")
    for label, slug, ours, html_of in cases:
        form = registry.get_form(slug)
        html = html_of(form)
        t_ours = timed(lambda ours=ours, form=form: ours(form), args.repeat)
        t_weasy = timed(lambda html=html: plain_weasyprint(html), args.repeat)
        print(f"{label:42} {t_ours:9.3f} {t_weasy:15.3f} {t_ours / t_weasy:6.2f}")

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
    print(f"{'batch: ' + str(args.batch) + ' blank recording forms':42} {t_ours:9.3f} {t_weasy:15.3f} "
          f"{t_ours / t_weasy:6.2f}")
    print(f"per form in the batch: ours {t_ours / args.batch:.3f} s, WeasyPrint {t_weasy / args.batch:.3f} s "
          f"(base URL {BASE_URL} is never contacted)")


if __name__ == "__main__":
    main()

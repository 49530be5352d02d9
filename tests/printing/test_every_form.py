"""Every form of the registry renders, blank and completed, for every demo registration and for registrations
at every stage (fresh, mapped, signed, locked, referred, claimed, withdrawn): a real PDF whose text carries the
data it must, whose first page turns into an image.

One test walks the whole matrix and reports every failure at once (the demo takes seconds to build, so the
matrix is not one test per cell).
"""

import io
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from accounts.models import User
from assessment.models import AssessmentRecord, EvidenceMapping, Registration
from assessment.selectors import units_of_registrations
from evidence.selectors import witness_status_list
from printing import registry, selectors
from qualifications.models import Qualification
from tests.printing.pdftext import flat, pdf_pages

# Where a stage lives in the demo (username of the candidate); "withdrawn" is built below.
STAGES = {
    "fresh": "fresh",
    "mapped": "mapped",
    "signed": "signed",
    "locked": "locked",
    "referred": "candidate",
    "claimed": "candidate2",
    "withdrawn": "withdrawn",
}
# Text no printed form may carry.
PLACEHOLDERS = ["Not named in the sources", "title not printed in the source", "None", "Traceback"]


@pytest.fixture
def demo_centre(db):
    call_command("load_catalogue", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    mapped = Registration.objects.get(candidate__username="mapped")
    leaver = User.objects.create_user(username="withdrawn", first_name="Wyn", last_name="Withdrawn")
    withdrawn = Registration.objects.create(
        centre=mapped.centre,
        candidate=leaver,
        qualification=mapped.qualification,
        assessor=mapped.assessor,
        internal_verifier=mapped.internal_verifier,
        registered_on=mapped.registered_on,
        status=Registration.Status.WITHDRAWN,
    )
    withdrawn.optional_units.set(mapped.optional_units.all())
    return mapped.centre


def _must_carry(slug, registration, unit):
    """Words the completed form of `registration` (and `unit`) must print."""
    name = registration.candidate.get_full_name()
    words = [name, registry.get_form(slug).heading]
    if slug == "witness-status-list":
        words += [w.name for w in witness_status_list(registration.candidate)]
    if slug == "observation-record":
        words += [
            flat(r.description)[:40]
            for r in AssessmentRecord.objects.filter(
                registration=registration, kind=AssessmentRecord.Kind.OBSERVATION
            )
        ]
    if slug == "action-plan":
        words += [
            flat(item.activity)[:40] for plan in registration.action_plans.all() for item in plan.items.all()
        ]
    if slug == "recording-form":
        words.append(f"Unit {unit.number}")
        accepted = registration.mappings.filter(unit=unit, decision="accepted")
        words += sorted({selectors.evidence_number(m.evidence_id) for m in accepted})
    if slug in ("action-plan", "assessment-plan"):
        for plan in registration.action_plans.all():
            words += [plan.venue] if plan.venue else []
    if slug == "skills-scan":
        words += [flat(s.agreed_actions)[:40] for s in registration.skills_scans.all()]
    if slug == "assessment-report":
        words += [flat(r.outcome)[:40] for r in registration.assessment_reports.all()]
    if slug == "questioning-record":
        words += [
            flat(r.questions_and_answers)[:30]
            for r in AssessmentRecord.objects.filter(
                registration=registration, kind=AssessmentRecord.Kind.QUESTIONING
            )
        ]
    if slug == "feedback":
        words += [flat(f.text)[:40] for f in registration.feedback.all()]
    if slug == "expert-witness-statement":
        words += [w.name for w in witness_status_list(registration.candidate)]
    if slug == "portfolio":
        words += [
            "Internal verification sampling record",
            "Certification claim",
            "Skills scan / initial assessment",
            "Assessment report",
        ]
    if slug == "unit-summary":
        words += [u.title for u in units_of_registrations([registration])[registration.pk]][:3]
    return words


def _png(pdf: bytes, tmp_path, stem: str):
    path = tmp_path / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", str(path), str(tmp_path / stem)],
        check=True,
        capture_output=True,
    )
    images = list(tmp_path.glob(f"{stem}*.png"))
    assert images and images[0].stat().st_size > 0
    for image in images:
        image.unlink()
    path.unlink()


def _check(pdf: bytes, words, tmp_path, stem) -> list[str]:
    problems = []
    if not pdf.startswith(b"%PDF"):
        return ["not a PDF"]
    pages = pdf_pages(pdf)
    text = flat(" ".join(pages))
    for word in words:
        if flat(word) not in text:
            problems.append(f"lacks {word!r}")
    for word in PLACEHOLDERS:
        if re.search(rf"\b{re.escape(word)}\b", text):
            problems.append(f"prints {word!r}")
    if f"Page 1 of {len(pages)}" not in pages[0]:
        problems.append("no page x of y")
    _png(pdf, tmp_path, stem)
    return problems


def test_every_completed_form_renders_for_every_registration_at_every_stage(demo_centre, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm (poppler-utils) is required")
    registrations = list(Registration.objects.select_related("candidate", "qualification").order_by("pk"))
    stages = {r.candidate.username: r for r in registrations}
    assert set(STAGES.values()) <= set(stages), "the demo lacks a stage"
    units = units_of_registrations(registrations)
    assessed = set(EvidenceMapping.objects.values_list("registration_id", "unit_id"))
    failures = []
    for registration in registrations:
        # Per-unit forms: the first unit (often untouched) and every unit with an assessment decision.
        chosen = [
            u for n, u in enumerate(units[registration.pk]) if n == 0 or (registration.pk, u.pk) in assessed
        ]
        for slug, form in registry.FORMS.items():
            targets = chosen if form.per_unit else [None]
            for unit in targets:
                where = f"{slug} of {registration.candidate.username} (reg {registration.pk}" + (
                    f", unit {unit.number})" if unit else ")"
                )
                try:
                    pdf = registry.render_completed(form, registration, unit)
                except Exception as exc:  # noqa: BLE001 -- every failure of the matrix is reported
                    failures.append(f"{where}: {type(exc).__name__}: {exc}")
                    continue
                failures += [
                    f"{where}: {p}"
                    for p in _check(
                        pdf, _must_carry(slug, registration, unit), tmp_path, f"{slug}-{registration.pk}"
                    )
                ]
    assert not failures, "\n".join(failures)


def test_every_blank_form_renders_for_every_qualification(demo_centre, tmp_path):
    failures = []
    for qualification in Qualification.objects.order_by("code"):
        first = selectors.qualification_units(qualification)[:1]
        for slug, form in registry.FORMS.items():
            if not form.has_blank:
                continue
            for unit in first if form.per_unit else [None]:
                where = f"blank {slug} of {qualification.code}" + (f" unit {unit.number}" if unit else "")
                try:
                    pdf = registry.render_blank(form, qualification, unit)
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"{where}: {type(exc).__name__}: {exc}")
                    continue
                failures += [f"{where}: {p}" for p in _check(pdf, [form.heading], tmp_path, f"{slug}-blank")]
    assert not failures, "\n".join(failures)


def test_render_forms_command_writes_every_form_for_the_demo_centre(demo_centre, tmp_path, monkeypatch):
    """Every form, every active demo registration, exit 0. The context is built for real (where the crash was);
    WeasyPrint's part, checked above, is skipped here but for one form printed for real."""
    active = list(Registration.objects.filter(status=Registration.Status.ACTIVE))
    units = units_of_registrations(active)
    real = registry.render_completed
    out = tmp_path / "witness-status-list"
    call_command(
        "render_forms",
        "witness-status-list",
        "--centre",
        demo_centre.number,
        "--output-dir",
        str(out),
        stdout=io.StringIO(),
    )
    assert len(list(out.iterdir())) == len(active)
    assert all(p.read_bytes().startswith(b"%PDF") for p in out.iterdir())

    def context_only(form, registration, unit=None, **kw):
        registry.completed_context(form, registration, unit)
        return b"%PDF-1.7 context built"

    monkeypatch.setattr(registry, "render_completed", context_only)
    for slug, form in registry.FORMS.items():
        out = tmp_path / slug
        call_command(
            "render_forms",
            slug,
            "--centre",
            demo_centre.number,
            "--output-dir",
            str(out),
            stdout=io.StringIO(),
        )
        expected = sum(len(units[r.pk]) for r in active) if form.per_unit else len(active)
        assert len(list(out.iterdir())) == expected, slug
    assert real is not registry.render_completed


CRITERION_REF = re.compile(r"\b\d+(\.\d+)+\b")


def test_a_units_signature_block_never_starts_a_page_alone(demo_centre):
    """The page with a unit's signatures also carries the form's rows above them (criteria or requirements)."""
    for code, number in [
        ("4430-04", "401"),
        ("4430-04", "405"),
        ("CS-L3-2006", "301"),
        ("CS-L3-2006", "212"),
        ("4430-02", "201"),
        ("4411-01", "102"),
    ]:
        qualification = Qualification.objects.get(code=code)
        [unit] = selectors.qualification_units(qualification, number=number)
        pages = pdf_pages(registry.render_blank(registry.get_form("recording-form"), qualification, unit))
        for page in pages:
            if "Assessor signature" in page or "Signature of assessor" in page:
                body = page.split("Candidate signature")[0].split("The evidence for this unit")[0]
                assert CRITERION_REF.search(body.split("\n", 1)[-1]) or "Requirement" in body, (
                    f"{code} {number}: the signatures start a page alone"
                )

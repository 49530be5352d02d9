"""What the printed forms say: checked against the catalogue and the portfolio in the database."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from assessment.models import AssessmentRecord, EvidenceMapping, Feedback, Method
from evidence.models import EvidenceItem
from printing import registry
from printing.selectors import portfolio
from qualifications.models import AssessmentCriterion, QualificationUnit, Unit
from tests.printing.pdftext import flat, pdf_pages, pdf_text


def page_numbers_ok(pages):
    total = len(pages)
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {total}" in page, f"page {n} lacks 'Page {n} of {total}'"


def test_blank_recording_form_prints_every_criterion_of_the_unit(catalogue):
    unit = Unit.objects.get(ref="4430-401")
    pdf = registry.render_blank(registry.get_form("recording-form"), catalogue, unit)
    pages = pdf_pages(pdf)
    text = pdf_text(pdf)
    criteria = list(AssessmentCriterion.objects.filter(unit=unit))
    assert len(criteria) == 29
    for c in criteria:
        assert f"{c.ref} {flat(c.text)}" in text, c.ref
    assert 1 < len(pages) < 6
    page_numbers_ok(pages)
    assert "Unit 401 Demonstrate understanding of customer service management" in text
    assert "Sampled by internal verifier: YES / NO" in text
    for words in [
        "Assessor signature",
        "Print name",
        "Date completed",
        "Internal verifier signature",
        "Date verified",
        "Location ref",
        "Evidence requirements",
    ]:
        assert words in text
    # The header repeats on every page: candidate line and qualification (running header) and the table head.
    for page in pages:
        assert "City & Guilds 4430-04 Level 4 NVQ Diploma in Customer Service" in page
        assert "Candidate:" in page
    assert all("Standards" in page for page in pages[:2])


def test_every_criterion_of_the_qualification_is_in_its_recording_forms(catalogue):
    """The HTML of all 33 units' forms (the PDF of one unit is checked above) holds every criterion."""
    html = flat(registry.blank_html(registry.get_form("recording-form"), catalogue))
    for c in AssessmentCriterion.objects.filter(unit__memberships__qualification=catalogue):
        assert f"<strong>{c.ref}</strong> {flat(c.text)}".replace("'", "&#x27;") in html, (
            f"{c.unit.ref} {c.ref}"
        )
    assert html.count("<thead>") >= QualificationUnit.objects.filter(qualification=catalogue).count()


def test_completed_recording_form_has_names_signatures_dates_and_locations(completed, registration):
    pdf = registry.render_completed(registry.get_form("recording-form"), registration, completed["unit"])
    text = pdf_text(pdf)
    assert "Candidate: Cara Candidate (CG123456)" in text
    assert "Signed electronically by Adam Assessor on 14/03/2026" in text
    assert "Signed electronically by Cara Candidate on 13/03/2026" in text
    assert f"E{completed['evidence'].pk} (PE)" in text
    assert "p. 3" in text
    page_numbers_ok(pdf_pages(pdf))
    # Signed and not sampled by the IV: the form says so.
    assert re.search(r"Sampled by internal verifier: YES / NO", text)


def test_unit_summary_completed(completed, registration):
    pdf = registry.render_completed(registry.get_form("unit-summary"), registration)
    text = pdf_text(pdf)
    assert "Summary of unit achievement" in text
    assert "Cara Candidate" in text and "CG123456" in text and "Test Centre" in text
    assert "10/02/2026" in text  # date started: the first assessment decision
    assert "14/03/2026" in text  # date achieved
    assert "Signed electronically by Adam Assessor on 14/03/2026" in text
    assert registry.SUMMARY_DECLARATION in text
    assert registry.EMPLOYER_CONFIRMATION in text
    assert (
        "Mandatory units" in text and "401 Demonstrate understanding of customer service management" in text
    )


def test_every_blank_form_renders_with_page_numbers(catalogue):
    unit = Unit.objects.get(ref="4430-401")
    for slug, form in registry.FORMS.items():
        if not form.has_blank:
            continue
        pages = pdf_pages(registry.render_blank(form, catalogue, unit if form.per_unit else None))
        page_numbers_ok(pages)
        text = flat(" ".join(pages))
        assert form.heading in text, slug
        if slug == "witness-status-list":
            for category in registry.WITNESS_CATEGORIES:
                assert category in text
            assert registry.WITNESS_LIST_NOTE in text
            for column in [
                "Name and contact address of witness",
                "Witness status",
                "Professional relationship",
                "Units witnessed",
                "Witness signature",
            ]:
                assert column in text


def test_portfolio_is_one_pdf_with_index_forms_feedback_and_evidence(completed, registration):
    pdf = registry.render_completed(registry.get_form("portfolio"), registration)
    pages = pdf_pages(pdf)
    text = pdf_text(pdf)
    page_numbers_ok(pages)
    assert len(pages) >= 8
    for heading in [
        "Candidate portfolio",
        "Index",
        "Summary of unit achievement",
        "Unit 401",
        "Observation record",
        "Assessment action plan",
        "Action plan and feedback to candidate",
        "Witness status list",
        "Evidence list",
    ]:
        assert heading in text, heading
    assert "Team meeting minutes" in text and "Well done." in text and "Led the morning briefing." in text
    assert "Collect the complaints log" in text and "401.1.5" in text
    assert all("Cara Candidate" in page for page in pages)


def test_portfolio_reads_in_a_constant_number_of_queries(
    completed, registration, people, django_assert_max_num_queries
):
    # 20 before the skills scans, assessment reports, questioning / discussion records, plan reviews and witness
    # testimony joined the portfolio (+2: the units' signatures, the witness testimony used): still a constant,
    # whatever the number of records. Counted again after ten more evidence items, mappings, feedback and records.
    with django_assert_max_num_queries(30) as small:
        portfolio(registration)
    unit, assessor = completed["unit"], people["assessor"]
    criteria = list(AssessmentCriterion.objects.filter(unit=unit)[:3])
    for i in range(10):
        item = EvidenceItem.objects.create(
            centre=registration.centre,
            candidate=people["candidate"],
            title=f"More evidence {i}",
            kind="work_product",
        )
        for criterion in criteria:
            EvidenceMapping.objects.create(
                registration=registration,
                evidence=item,
                criterion=criterion,
                unit=unit,
                method=Method.PRODUCT_EVIDENCE,
                location=f"p. {i}",
                decision="accepted",
                assessed_by=assessor,
                assessed_at=timezone.now(),
            )
        Feedback.objects.create(registration=registration, unit=unit, author=assessor, text=f"Feedback {i}.")
        record = AssessmentRecord.objects.create(
            registration=registration,
            kind=AssessmentRecord.Kind.OBSERVATION,
            assessor=assessor,
            date=dt.date(2026, 2, 20),
            place="Office",
            description=f"Observed {i}.",
        )
        record.criteria.set(criteria)
    with django_assert_max_num_queries(len(small.captured_queries)):
        portfolio(registration)


def test_pages_render_to_png(completed, registration, tmp_path):
    """A look at the pages: pdftoppm turns the PDF into A4-shaped images."""
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm (poppler-utils) is required")
    pdf = registry.render_completed(registry.get_form("recording-form"), registration, completed["unit"])
    (tmp_path / "form.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(tmp_path / "form.pdf"), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(pdf_pages(pdf))
    from PIL import Image

    width, height = Image.open(images[0]).size
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait


@pytest.mark.parametrize("slug", ["witness-status-list", "observation-record", "action-plan"])
def test_completed_forms_that_read_no_unit_rows_render(completed, registration, slug):
    """These forms read no summary rows; they used to fail with KeyError (a 500 on the download)."""
    form = registry.get_form(slug)
    assert form.title in pdf_text(registry.render_completed(form, registration))

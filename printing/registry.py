"""The printable forms: each blank (for paper-based candidates) and completed from the portfolio.

A form is named by its slug (`recording-form`, `unit-summary`, ...), which the URLs, the download
buttons and `manage.py render_forms FORM` share. `render_blank` / `render_completed` return PDF bytes;
callers pass objects they already scoped to the user (see printing/selectors.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from audit.signatures import STATEMENTS
from audit.signatures import Kind as SignatureKind

from . import selectors
from .pdf import render_html, render_pdf

UNKNOWN_FORM = "There is no form called “{slug}”. Forms: {choices}."
NO_BLANK_VERSION = "The {title} has no blank version: name a registration."
UNIT_NOT_IN_QUALIFICATION = "Unit {number} is not a unit of {code}."

WITNESS_CATEGORIES = [
    "A1, A2, V1, V2 or TAQA with occupational experience",
    "A1, A2, V1, V2 or TAQA without occupational experience",
    "Occupational expert familiar with standards",
    "Occupational expert not familiar with standards",
    "Non-expert not familiar with standards",
]
SUMMARY_DECLARATION = (
    "By signing this summary of unit achievement we are confirming that all the assessment criteria and "
    "evidence requirements for these units have been completed and that the evidence is authentic and has "
    "been obtained under specified conditions for which certification is now requested."
)
EMPLOYER_CONFIRMATION = STATEMENTS[SignatureKind.EMPLOYER]
WITNESS_LIST_NOTE = (
    "Include all witnesses who have signed candidate evidence or witnessed a report. "
    "Ensure that the witness signs the details as correct."
)
# One wording per statement, the same as on screen and in the signature record (audit.signatures).
AUTHENTICITY_STATEMENT = STATEMENTS[SignatureKind.AUTHENTICITY]
SIGN_OFF_STATEMENT = STATEMENTS[SignatureKind.UNIT_SIGN_OFF]


@dataclass(frozen=True)
class PrintForm:
    slug: str
    title: str
    template: str
    per_unit: bool = False       # one PDF per unit (the recording form)
    has_blank: bool = True
    parts: tuple[str, ...] = ("all",)   # what selectors.portfolio reads for the completed form
    blank_rows: int = 0

    def filename(self, *, qualification=None, registration=None, unit=None) -> str:
        who = f"reg{registration.pk}" if registration is not None else qualification.code
        tail = f"_{unit.number}" if unit is not None else ""
        return f"{self.slug}_{who}{tail}.pdf"


FORMS: dict[str, PrintForm] = {f.slug: f for f in [
    PrintForm("recording-form", "Unit recording form", "printing/recording_form.html", per_unit=True,
              parts=("units",)),
    PrintForm("unit-summary", "Summary of unit achievement", "printing/unit_summary.html", parts=("units",)),
    PrintForm("witness-status-list", "Witness status list", "printing/witness_status_list.html",
              parts=("witnesses",), blank_rows=10),
    PrintForm("observation-record", "Observation record", "printing/observation_record.html",
              parts=("observations",)),
    PrintForm("action-plan", "Assessment action plan", "printing/action_plan.html", parts=("action_plans",),
              blank_rows=8),
    PrintForm("iv-sampling-record", "Internal verification sampling record", "printing/iv_sampling_record.html",
              parts=("units", "iv_record")),
    PrintForm("certification-claim", "Certification claim", "printing/certification_claim.html",
              parts=("units", "claim")),
    PrintForm("portfolio", "Candidate portfolio", "printing/portfolio.html", has_blank=False),
]}


def get_form(slug: str) -> PrintForm:
    try:
        return FORMS[slug]
    except KeyError:
        raise LookupError(UNKNOWN_FORM.format(slug=slug, choices=", ".join(FORMS))) from None


def _summary_sections(units):
    """Mandatory units, then optional units by group, as the logbook's summary lists them."""
    sections: dict[str, list] = {}
    for unit in units:
        if getattr(unit, "status_label", "") == "Mandatory":
            key = "Mandatory units"
        elif getattr(unit, "group_name", ""):
            key = f"Optional units: {unit.group_name}"
        else:
            key = "Optional units"
        sections.setdefault(key, []).append(unit)
    mandatory = sections.pop("Mandatory units", None)
    ordered = ([("Mandatory units", mandatory)] if mandatory else []) + list(sections.items())
    return ordered


def blank_context(form: PrintForm, qualification, unit=None) -> dict:
    if not form.has_blank:
        raise ValueError(NO_BLANK_VERSION.format(title=form.title.lower()))
    units = selectors.qualification_units(qualification)
    if unit is not None:
        units_for_blocks = [u for u in units if u.pk == unit.pk]
    else:
        units_for_blocks = units
    context = {
        "form": form, "blank": True, "qualification": qualification, "registration": None, "unit": unit,
        "units": units, "generated_at": timezone.localtime(),
        "blank_rows": range(form.blank_rows or 6),
    }
    if form.slug == "recording-form":
        context["blocks"] = selectors.unit_blocks(units_for_blocks)
    if form.slug in ("unit-summary", "certification-claim"):
        context["sections"] = [(title, [{"unit": u} for u in us]) for title, us in _summary_sections(units)]
    if form.slug == "iv-sampling-record":
        context["rows"] = [{"unit": u} for u in units_for_blocks]
    return context | _texts()


def completed_context(form: PrintForm, registration, unit=None) -> dict:
    data = selectors.portfolio(registration, unit=unit, parts=form.parts)
    context = {
        "form": form, "blank": False, "qualification": data.registration.qualification,
        "registration": data.registration, "candidate": data.registration.candidate,
        "centre": data.registration.centre, "unit": unit, "units": data.units, "p": data,
        "blocks": data.blocks, "generated_at": timezone.localtime(),
        "blank_rows": range(form.blank_rows or 6), "method_key": selectors.METHOD_KEY,
    }
    rows = {row["unit"].pk: row for row in data.summary_rows}
    context["rows"] = data.summary_rows
    context["record_rows"] = data.record_rows
    context["sections"] = [(title, [rows.get(u.pk, {"unit": u}) for u in us]) for title, us in _summary_sections(data.units)]
    return context | _texts()


def _texts() -> dict:
    return {
        "witness_categories": WITNESS_CATEGORIES, "summary_declaration": SUMMARY_DECLARATION,
        "employer_confirmation": EMPLOYER_CONFIRMATION, "witness_list_note": WITNESS_LIST_NOTE,
        "authenticity_statement": AUTHENTICITY_STATEMENT, "sign_off_statement": SIGN_OFF_STATEMENT,
        "method_key": selectors.METHOD_KEY,
    }


def blank_html(form: PrintForm, qualification, unit=None) -> str:
    return render_html(form.template, blank_context(form, qualification, unit))


def completed_html(form: PrintForm, registration, unit=None) -> str:
    return render_html(form.template, completed_context(form, registration, unit))


def render_blank(form: PrintForm, qualification, unit=None, *, fetcher=None) -> bytes:
    return render_pdf(form.template, blank_context(form, qualification, unit), fetcher=fetcher)


def render_completed(form: PrintForm, registration, unit=None, *, fetcher=None) -> bytes:
    return render_pdf(form.template, completed_context(form, registration, unit), fetcher=fetcher)

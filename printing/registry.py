"""The printable forms: each blank (for paper-based candidates) and completed from the portfolio.

A form is named by its slug (`recording-form`, `unit-summary`, ...), which the URLs, the download
buttons and `manage.py render_forms FORM` share. `render_blank` / `render_completed` return PDF bytes;
callers pass objects they already scoped to the user (see printing/selectors.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from assessment.models import AssessmentReport, PlanMethod, SkillsScanRating
from audit.signatures import STATEMENTS
from audit.signatures import Kind as SignatureKind

from . import selectors
from .pdf import render_html, render_pdf

logger = logging.getLogger(__name__)

UNKNOWN_FORM = "There is no form called “{slug}”. Forms: {choices}."
NO_BLANK_VERSION = "The {title} has no blank version: name a registration."
UNIT_NOT_IN_QUALIFICATION = "Unit {number} is not a unit of {code}."
RENDER_FAILED = (
    "The {form} of {candidate} (registration {registration}{unit}) could not be printed: {error}. "
    "Nothing was saved; the fault is logged for the centre's administrator."
)

BLANK_RENDER_FAILED = (
    "The blank {form} of {code}{unit} could not be printed: {error}. "
    "The fault is logged for the centre's administrator."
)


class RenderFailed(Exception):
    """A form could not be rendered; the message names the form and the candidate in words."""


def render_failed_message(form: PrintForm, registration, unit, exc: BaseException) -> str:
    candidate = registration.candidate.get_full_name() or registration.candidate.username
    return RENDER_FAILED.format(
        form=form.title.lower(),
        candidate=candidate,
        registration=registration.pk,
        unit=f", unit {unit.number}" if unit is not None else "",
        error=f"{type(exc).__name__} {exc}".strip(),
    )


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
# The logbook's unit page (Level 2 NVQ Certificate, 2010): its declarations in its words.
LOGBOOK_ASSESSOR_DECLARATION = (
    "The evidence for this unit is valid, sufficient and an authentic record of the candidate’s current competence "
    "and has been assessed under the requirements of the assessment strategy."
)
LOGBOOK_CANDIDATE_DECLARATION = "I confirm that the evidence provided is a result of my own work."
LOGBOOK_COMPETENCE_DECLARATION = "I confirm that the candidate has demonstrated competence by satisfying all of the criteria for this unit."
SKILLS_SCAN_INTRO = (
    "To ensure that this is the right qualification and at the right level for you, complete the boxes below to "
    "show how much responsibility you have or will have within the following areas."
)
EXPERT_WITNESS_CANDIDATE_PROMPT = "Description of activity to be assessed by the witness"
EXPERT_WITNESS_PROMPT = (
    "Give a description of, and authenticate, the activity undertaken by the candidate and confirm the extent to "
    "which you consider the candidate to be competent."
)
# Qualifications whose unit pages follow the City & Guilds candidate logbook (Level 2 NVQ Certificate, 2010):
# an "Assessed evidence" box and the logbook's declarations and signatures (IV and EV included).
LOGBOOK_QUALIFICATIONS = {"4430-02"}
# What the catalogue records where a handbook names no awarding body: true in the catalogue, but no text for
# a printed form's header (the form then names no awarding body).
UNSTATED_AWARDING_BODY = "Not named in the sources"


def printed_awarding_body(qualification) -> str:
    body = (qualification.awarding_body or "").strip() if qualification is not None else ""
    return "" if body == UNSTATED_AWARDING_BODY else body


@dataclass(frozen=True)
class PrintForm:
    slug: str
    title: str
    template: str
    per_unit: bool = False  # one PDF per unit (the recording form)
    has_blank: bool = True
    parts: tuple[str, ...] = ("all",)  # what selectors.portfolio reads for the completed form
    blank_rows: int = 0
    heading: str = ""  # the seed form's heading, printed as the form's title; defaults to title

    def __post_init__(self):
        if not self.heading:
            object.__setattr__(self, "heading", self.title)

    def filename(self, *, qualification=None, registration=None, unit=None) -> str:
        who = f"reg{registration.pk}" if registration is not None else qualification.code
        tail = f"_{unit.number}" if unit is not None else ""
        return f"{self.slug}_{who}{tail}.pdf"


FORMS: dict[str, PrintForm] = {
    f.slug: f
    for f in [
        PrintForm(
            "recording-form",
            "Unit recording form",
            "printing/recording_form.html",
            per_unit=True,
            parts=("units",),
        ),
        PrintForm(
            "unit-summary", "Summary of unit achievement", "printing/unit_summary.html", parts=("units",)
        ),
        PrintForm(
            "witness-status-list",
            "Witness status list",
            "printing/witness_status_list.html",
            parts=("witnesses",),
            blank_rows=10,
        ),
        PrintForm(
            "observation-record",
            "Observation record",
            "printing/observation_record.html",
            parts=("observations",),
        ),
        PrintForm(
            "action-plan",
            "Assessment action plan",
            "printing/action_plan.html",
            parts=("action_plans",),
            blank_rows=8,
        ),
        PrintForm(
            "assessment-plan",
            "Assessment plan and review",
            "printing/action_plan.html",
            parts=("action_plans",),
            blank_rows=8,
            heading="Assessment action plan",
        ),
        PrintForm(
            "skills-scan",
            "Skills scan",
            "printing/skills_scan.html",
            parts=("skills_scans",),
            heading="Skills scan / initial assessment",
        ),
        PrintForm(
            "questioning-record",
            "Questioning record",
            "printing/questioning_record.html",
            parts=("questioning",),
            blank_rows=8,
        ),
        PrintForm(
            "professional-discussion-record",
            "Professional discussion record",
            "printing/discussion_record.html",
            parts=("discussions",),
        ),
        PrintForm(
            "expert-witness-statement",
            "Expert witness statement",
            "printing/expert_witness_statement.html",
            parts=("testimonies",),
        ),
        PrintForm(
            "assessment-report",
            "Assessment report",
            "printing/assessment_report.html",
            parts=("assessment_reports",),
        ),
        PrintForm(
            "feedback",
            "Feedback to candidate",
            "printing/feedback.html",
            parts=("feedback",),
            heading="Action plan and feedback to candidate",
        ),
        PrintForm(
            "iv-sampling-record",
            "Internal verification sampling record",
            "printing/iv_sampling_record.html",
            parts=("units", "iv_record"),
        ),
        PrintForm(
            "certification-claim",
            "Certification claim",
            "printing/certification_claim.html",
            parts=("units", "claim"),
        ),
        PrintForm(
            "portfolio",
            "Candidate portfolio",
            "printing/portfolio.html",
            has_blank=False,
            parts=("all", "iv_record"),
        ),
    ]
}


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
        "form": form,
        "blank": True,
        "qualification": qualification,
        "registration": None,
        "unit": unit,
        "units": units,
        "generated_at": timezone.localtime(),
        "blank_rows": range(form.blank_rows or 6),
    }
    if form.slug == "recording-form":
        context["blocks"] = selectors.unit_blocks(units_for_blocks)
    if form.slug in ("unit-summary", "certification-claim"):
        context["sections"] = [(title, [{"unit": u} for u in us]) for title, us in _summary_sections(units)]
    if form.slug == "iv-sampling-record":
        context["rows"] = [{"unit": u} for u in units_for_blocks]
    context["scan_units"] = units_for_blocks
    context["awarding_body"] = printed_awarding_body(qualification)
    context["logbook"] = qualification.code in LOGBOOK_QUALIFICATIONS
    context["plan_methods"] = PlanMethod.labels
    context["rating_key"] = SkillsScanRating.Rating.labels
    context["report_questions"] = [text for _key, text in AssessmentReport.QUESTIONS]
    return context | _texts()


def completed_context(form: PrintForm, registration, unit=None, *, only_units=None) -> dict:
    """`only_units`: unit ids to print (an external verifier's sample grant); None prints every unit."""
    data = selectors.portfolio(registration, unit=unit, parts=form.parts, only_units=only_units)
    context = {
        "form": form,
        "blank": False,
        "qualification": data.registration.qualification,
        "registration": data.registration,
        "candidate": data.registration.candidate,
        "centre": data.registration.centre,
        "unit": unit,
        "units": data.units,
        "p": data,
        "blocks": data.blocks,
        "generated_at": timezone.localtime(),
        "blank_rows": range(form.blank_rows or 6),
        "method_key": selectors.METHOD_KEY,
    }
    # Forms that do not read the units part (witness list, observation record, ...) have no summary rows:
    # their sections list the units alone.
    rows = {row["unit"].pk: row for row in data.summary_rows}
    context["rows"] = data.summary_rows
    context["record_rows"] = data.record_rows
    context["sections"] = [
        (title, [rows.get(u.pk) or {"unit": u} for u in us]) for title, us in _summary_sections(data.units)
    ]
    if unit is not None:
        # One unit's forms: its plans, reports and feedback (plans and feedback for the whole qualification too).
        data.action_plans = [p for p in data.action_plans if p.unit_id in (None, unit.pk)]
        data.assessment_reports = [r for r in data.assessment_reports if r.unit_id == unit.pk]
        data.feedback = [f for f in data.feedback if f.unit_id in (None, unit.pk)]
    context["plan_methods"] = PlanMethod.labels
    context["rating_key"] = SkillsScanRating.Rating.labels
    context["report_questions"] = [text for _key, text in AssessmentReport.QUESTIONS]
    context.setdefault("scan_units", data.units)
    context["awarding_body"] = printed_awarding_body(context["qualification"])
    context["logbook"] = context["qualification"].code in LOGBOOK_QUALIFICATIONS
    return context | _texts()


def _texts() -> dict:
    return {
        "witness_categories": WITNESS_CATEGORIES,
        "summary_declaration": SUMMARY_DECLARATION,
        "employer_confirmation": EMPLOYER_CONFIRMATION,
        "witness_list_note": WITNESS_LIST_NOTE,
        "authenticity_statement": AUTHENTICITY_STATEMENT,
        "sign_off_statement": SIGN_OFF_STATEMENT,
        "method_key": selectors.METHOD_KEY,
        "logbook_assessor_declaration": LOGBOOK_ASSESSOR_DECLARATION,
        "logbook_candidate_declaration": LOGBOOK_CANDIDATE_DECLARATION,
        "logbook_competence_declaration": LOGBOOK_COMPETENCE_DECLARATION,
        "skills_scan_intro": SKILLS_SCAN_INTRO,
        "expert_witness_candidate_prompt": EXPERT_WITNESS_CANDIDATE_PROMPT,
        "expert_witness_prompt": EXPERT_WITNESS_PROMPT,
    }


def blank_html(form: PrintForm, qualification, unit=None) -> str:
    return render_html(form.template, blank_context(form, qualification, unit))


def completed_html(form: PrintForm, registration, unit=None) -> str:
    return render_html(form.template, completed_context(form, registration, unit))


def render_blank(form: PrintForm, qualification, unit=None, *, fetcher=None) -> bytes:
    """PDF bytes of the blank form; a failure is raised as RenderFailed naming the form and qualification."""
    context = blank_context(form, qualification, unit)  # ValueError for a form with no blank version
    try:
        return render_pdf(form.template, context, fetcher=fetcher)
    except Exception as exc:
        logger.exception("rendering blank %s of %s failed", form.slug, qualification.code)
        raise RenderFailed(
            BLANK_RENDER_FAILED.format(
                form=form.title.lower(),
                code=qualification.code,
                unit=f" unit {unit.number}" if unit is not None else "",
                error=f"{type(exc).__name__} {exc}".strip(),
            )
        ) from exc


def render_completed(form: PrintForm, registration, unit=None, *, fetcher=None, only_units=None) -> bytes:
    """PDF bytes of the completed form; any failure is raised as RenderFailed naming form and candidate."""
    try:
        return render_pdf(
            form.template, completed_context(form, registration, unit, only_units=only_units), fetcher=fetcher
        )
    except Exception as exc:
        logger.exception("rendering %s of registration %s failed", form.slug, registration.pk)
        raise RenderFailed(render_failed_message(form, registration, unit, exc)) from exc


def completed_pdf(*, slug: str, registration, unit=None, only_units=None) -> tuple[bytes, str]:
    """The completed form `slug` as (PDF bytes, file name): what an external verifier downloads (verification
    asks for it through verification.hooks, which printing fills in its AppConfig.ready())."""
    form = get_form(slug)
    content = render_completed(form, registration, unit, only_units=only_units)
    return content, form.filename(registration=registration, unit=unit)

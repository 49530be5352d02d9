"""Reads for the printed forms: everything a form shows, in a constant number of queries.

Visibility is not decided here: views and commands pass objects they got from the owning apps'
`*_visible_to(user)` selectors (assessment.selectors.registrations_visible_to,
qualifications.selectors.qualifications_visible_to). These functions only gather the data to print.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.coverage import normalise_method
from assessment.hooks import marks_for
from assessment.models import (
    ActionPlan,
    ActionPlanItem,
    AssessmentRecord,
    AssessmentReport,
    EvidenceMapping,
    Feedback,
    Registration,
    SkillsScan,
    SkillsScanRating,
    UnitAssessment,
)
from assessment.selectors import candidate_evidence, latest_confirmed, units_of_registrations
from audit.signatures import Kind as SignatureKind
from audit.signatures import signatures_of
from evidence.models import EvidenceItem, WitnessTestimony
from evidence.selectors import witness_status_list
from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    Qualification,
    QualificationUnit,
    RangeItem,
    Unit,
)
from verification import selectors as verification_selectors
from verification.models import CertificationClaim
from verification.selectors import claim_summaries

# How the catalogue titles an outcome the handbook prints no title for (the 2006 recording forms list criteria
# only): such an outcome gets no heading row on a printed form.
UNSTATED_OUTCOME = "(title not printed in the source)"

# Above this many evidence-requirement columns a unit's recording form is printed landscape.
PORTRAIT_MAX_COLUMNS = 10
# A unit with no numbered evidence requirements gets this many empty "evidence number" columns.
BLANK_EVIDENCE_COLUMNS = 6

METHOD_CODES = {
    "observation": "O",
    "questioning": "Q",
    "product_evidence": "PE",
    "witness_testimony": "WT",
    "professional_discussion": "PD",
    "rpl": "RPL",
    "candidate_statement": "CS",
    "expert_witness": "EW",
}
METHOD_KEY = (
    "O observation · Q questioning · PE product evidence · WT witness testimony · "
    "PD professional discussion · RPL recognition of prior learning · CS candidate statement · "
    "EW expert witness"
)


NOT_SAMPLED = {"sampled": False}


def evidence_number(evidence_id: int) -> str:
    """The evidence reference printed on forms: stable for ever (the item's id), e.g. 'E12'."""
    return f"E{evidence_id}"


# --- the catalogue side of a unit recording form ----------------------------------------------------
@dataclass
class Column:
    """A leaf column of the evidence-requirements grid: '3', or '7a' under its parent '7'."""

    ref: str
    label: str
    is_child: bool = False


@dataclass
class HeaderGroup:
    ref: str
    span: int
    has_children: bool


@dataclass
class CriterionLine:
    criterion: AssessmentCriterion
    evidence: list[str] = field(default_factory=list)  # 'E12 (O)'
    locations: list[str] = field(default_factory=list)
    met: bool | None = None
    not_yet: list[str] = field(default_factory=list)
    referred: list[str] = field(default_factory=list)  # evidence numbers whose decision the IV referred back
    methods: set = field(default_factory=set)
    ticks: list[bool] = field(default_factory=list)  # completed forms: one per evidence-requirement column


@dataclass
class RangeLine:
    item: RangeItem
    evidence: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    met: bool | None = None
    is_parent: bool = False


@dataclass
class UnitBlock:
    """One unit's recording form: criteria grouped by outcome, the evidence-requirement columns."""

    unit: Unit
    outcomes: list[tuple[object, list[CriterionLine]]]
    requirements: list[EvidenceRequirement]
    header_groups: list[HeaderGroup]
    columns: list[Column]
    range_lines: list[RangeLine]
    numbered_requirements: bool
    status_label: str = ""
    group: str = ""
    # completed forms only
    unit_assessment: UnitAssessment | None = None
    iv: dict | None = None
    assessed_evidence: list[dict] = field(default_factory=list)  # the logbook's "Assessed evidence" box
    testimonies: list = field(default_factory=list)  # (evidence number, WitnessTestimony) used in this unit

    @property
    def landscape(self) -> bool:
        return len(self.columns) > PORTRAIT_MAX_COLUMNS

    @property
    def criteria(self) -> list[CriterionLine]:
        return [line for _, lines in self.outcomes for line in lines]

    @property
    def has_sub_columns(self) -> bool:
        return any(g.has_children for g in self.header_groups)


def _columns_for(requirements: list[EvidenceRequirement]):
    top = [r for r in requirements if r.parent_id is None]
    children = defaultdict(list)
    for r in requirements:
        if r.parent_id is not None:
            children[r.parent_id].append(r)
    groups, columns = [], []
    for r in top:
        kids = children.get(r.pk, [])
        if kids:
            groups.append(HeaderGroup(r.ref, len(kids), True))
            for kid in kids:
                label = kid.ref[len(r.ref) :] if kid.ref.startswith(r.ref) else kid.ref
                columns.append(Column(kid.ref, label, True))
        else:
            groups.append(HeaderGroup(r.ref, 1, False))
            columns.append(Column(r.ref, r.ref))
    if not columns:
        groups = [HeaderGroup(str(n), 1, False) for n in range(1, BLANK_EVIDENCE_COLUMNS + 1)]
        columns = [Column(str(n), "") for n in range(1, BLANK_EVIDENCE_COLUMNS + 1)]
    return groups, columns, bool(top)


def unit_blocks(units: list[Unit]) -> list[UnitBlock]:
    """Recording-form data of several units in three queries, whatever their number."""
    ids = [u.pk for u in units]
    criteria = defaultdict(list)
    for c in (
        AssessmentCriterion.objects.filter(unit_id__in=ids)
        .select_related("outcome")
        .order_by("unit_id", "outcome__number", "number", "id")
    ):
        criteria[c.unit_id].append(c)
    requirements = defaultdict(list)
    for r in EvidenceRequirement.objects.filter(unit_id__in=ids).order_by("unit_id", "order", "id"):
        requirements[r.unit_id].append(r)
    ranges = defaultdict(list)
    for r in RangeItem.objects.filter(unit_id__in=ids).order_by("unit_id", "order", "id"):
        ranges[r.unit_id].append(r)
    parents = {r.parent_id for rs in ranges.values() for r in rs if r.parent_id}
    blocks = []
    for unit in units:
        outcomes: dict[int, tuple] = {}
        for c in criteria[unit.pk]:
            if c.outcome_id not in outcomes:
                c.outcome.print_row = not c.outcome.title.endswith(UNSTATED_OUTCOME)
            outcomes.setdefault(c.outcome_id, (c.outcome, []))[1].append(CriterionLine(c))
        groups, columns, numbered = _columns_for(requirements[unit.pk])
        blocks.append(
            UnitBlock(
                unit=unit,
                outcomes=list(outcomes.values()),
                requirements=requirements[unit.pk],
                header_groups=groups,
                columns=columns,
                numbered_requirements=numbered,
                range_lines=[RangeLine(r, is_parent=r.pk in parents) for r in ranges[unit.pk]],
            )
        )
    return blocks


def qualification_units(qualification: Qualification, *, number: str | None = None) -> list[Unit]:
    """The units of a qualification in handbook order (one query), or the one numbered `number`."""
    memberships = (
        QualificationUnit.objects.filter(qualification=qualification)
        .select_related("unit", "group")
        .order_by("order", "unit__number")
    )
    if number is not None:
        memberships = memberships.filter(unit__number=number)
    units = []
    for m in memberships:
        m.unit.status_label = m.get_status_display()
        m.unit.group_name = m.group.name if m.group_id else ""
        units.append(m.unit)
    return units


def qualification_membership(qualification: Qualification) -> list[QualificationUnit]:
    return list(
        QualificationUnit.objects.filter(qualification=qualification)
        .select_related("unit", "group")
        .order_by("order", "unit__number")
    )


# --- the portfolio side ------------------------------------------------------------------------------
def _iv_unit_decisions(registration) -> dict[int, dict]:
    """{unit id: IVSignature(sampled, verifier, decided_at, outcome)} from the verification app's
    `iv_signatures_for(registration)`; units not sampled are absent (the forms print "YES / NO" blank)."""
    return dict(verification_selectors.iv_signatures_for(registration) or {})


def _sampling_record(registration) -> dict[int, list]:
    """{unit id: [RecordEntry per sampled stage]} from the verification app's `sampling_record_for`."""
    return dict(verification_selectors.sampling_record_for(registration) or {})


def _certification_claim(registration):
    """The verification app's certification claim of this registration (None while none is made)."""
    return (
        CertificationClaim.objects.filter(registration=registration, status="submitted")
        .select_related("claimed_by")
        .first()
    )


def _certification_claims(registration):
    """Every submitted claim of the registration, oldest first (the PDF lists them as the CSV does)."""
    return (
        CertificationClaim.objects.filter(registration=registration, status="submitted")
        .select_related("claimed_by")
        .order_by("claimed_at", "id")
    )


@dataclass
class Portfolio:
    """Everything the completed forms of one registration print."""

    registration: Registration
    units: list[Unit]
    blocks: list[UnitBlock]
    unit_assessments: dict[int, UnitAssessment]
    summary_rows: list[dict]
    evidence: list
    feedback: list[Feedback]
    observations: list[AssessmentRecord]
    action_plans: list[ActionPlan]
    witnesses: list
    iv: dict[int, dict]
    skills_scans: list = field(default_factory=list)
    assessment_reports: list = field(default_factory=list)
    questioning: list = field(default_factory=list)
    discussions: list = field(default_factory=list)
    testimonies: list = field(
        default_factory=list
    )  # the candidate's witness testimony (expert witness statement)
    claim: object = None
    claim_summary: object = None  # verification.selectors.ClaimSummary: what the CSV export says too
    claim_rows: list = field(default_factory=list)  # [ClaimSummary] of every claim, oldest first
    record_rows: list[dict] = field(default_factory=list)  # the IV sampling record: one row per unit
    employer_confirmation: object = None  # assessment.EmployerConfirmation: the newest the employer confirmed


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    return value


# What `portfolio(..., only_units=...)` may read: the parts that print units, their mappings and evidence only.
UNIT_SCOPED_PARTS = frozenset({"units", "iv_record", "evidence"})


def portfolio(
    registration: Registration, *, unit: Unit | None = None, parts=("all",), only_units=None
) -> Portfolio:
    """The completed forms' data of a registration (optionally one unit), constant number of queries.

    `parts` limits what is read: "units" (recording forms and summary), "evidence", "feedback",
    "observations", "action_plans", "witnesses", or "all". `only_units` (unit ids) keeps those units and the
    evidence mapped into them only, for a reader who may see no more (an external verifier's sample grant);
    parts that are not about units cannot be limited that way and are refused.
    """
    want = set(parts)
    if only_units is not None and not want <= UNIT_SCOPED_PARTS:
        raise ValueError(
            f"Only {sorted(UNIT_SCOPED_PARTS)} can be limited to some units, not {sorted(want)}."
        )
    every = "all" in want
    registration = Registration.objects.select_related(
        "candidate", "assessor", "internal_verifier", "centre", "qualification"
    ).get(pk=registration.pk)
    units = units_of_registrations([registration])[registration.pk]
    memberships = {
        m.unit_id: m
        for m in QualificationUnit.objects.filter(
            qualification_id=registration.qualification_id
        ).select_related("group")
    }
    for u in units:
        m = memberships.get(u.pk)
        u.status_label = m.get_status_display() if m else ""
        u.group_name = m.group.name if m and m.group_id else ""
    if unit is not None:
        units = [u for u in units if u.pk == unit.pk]
    if only_units is not None:
        units = [u for u in units if u.pk in only_units]
    unit_ids = [u.pk for u in units]
    result = Portfolio(registration, units, [], {}, [], [], [], [], [], [], {})
    if every or {"units", "evidence"} & want:
        uas = {
            ua.unit_id: ua
            for ua in UnitAssessment.objects.filter(
                registration=registration, unit_id__in=unit_ids
            ).select_related("signed_by", "countersigned_by", "transfer_confirmed_by")
        }
        mappings = list(
            EvidenceMapping.objects.filter(registration=registration, unit_id__in=unit_ids)
            .select_related("evidence", "assessed_by")
            .order_by("assessed_at", "id")
        )
        result.unit_assessments = uas
        # each signature on the unit, with its verification code (audit.signatures), in one query
        signatures = signatures_of(uas.values())
        for ua in uas.values():
            ua.authenticity_signature = signatures.get((SignatureKind.AUTHENTICITY, ua.pk))
            ua.sign_off_signature = signatures.get((SignatureKind.UNIT_SIGN_OFF, ua.pk))
            ua.countersignature = signatures.get((SignatureKind.COUNTERSIGNATURE, ua.pk))
        testimony_of = {
            t.evidence_id: t
            for t in WitnessTestimony.objects.filter(
                evidence_id__in={
                    m.evidence_id for m in mappings if m.evidence.kind == EvidenceItem.Kind.WITNESS_TESTIMONY
                }
            ).select_related("witness", "signature")
        }
        result.iv = _iv_unit_decisions(registration)
        blocks = unit_blocks(units)
        by_criterion, by_range = defaultdict(list), defaultdict(list)
        by_unit_mappings = defaultdict(list)
        first_assessed = {}
        for m in mappings:
            by_unit_mappings[m.unit_id].append(m)
            (by_criterion[m.criterion_id] if m.criterion_id else by_range[m.range_item_id]).append(m)
            first_assessed.setdefault(m.unit_id, m.assessed_at)

        def iv_for(unit_id):
            # A signed unit the IV has not sampled prints "sampled by internal verifier: NO"; an unsigned one
            # leaves YES / NO open.
            ua = uas.get(unit_id)
            signed = ua is not None and ua.status == UnitAssessment.Status.SIGNED
            return result.iv.get(unit_id) or (NOT_SAMPLED if signed else None)

        # Only a sampled unit can be referred back: no sampled unit, no query.
        referred = (
            {m.mapping_id for m in marks_for([registration.pk]) if m.mapping_id} if result.iv else set()
        )
        used_in = defaultdict(dict)
        for m in mappings:
            if m.evidence_id in testimony_of:
                used_in[m.unit_id][m.evidence_id] = testimony_of[m.evidence_id]
        for block in blocks:
            block.unit_assessment = uas.get(block.unit.pk)
            block.iv = iv_for(block.unit.pk)
            block.testimonies = [(evidence_number(e), t) for e, t in sorted(used_in[block.unit.pk].items())]
            for line in block.criteria:
                _fill(line, by_criterion[line.criterion.pk])
                line.referred = [
                    evidence_number(m.evidence_id)
                    for m in by_criterion[line.criterion.pk]
                    if m.pk in referred
                ]
            _tick_requirements(block)
            block.assessed_evidence = _assessed_evidence(by_unit_mappings.get(block.unit.pk, []))
            for line in block.range_lines:
                _fill(line, by_range[line.item.pk])
        result.blocks = blocks
        result.employer_confirmation = latest_confirmed(registration)
        for u in units:
            ua = uas.get(u.pk)
            signed = ua is not None and ua.status == UnitAssessment.Status.SIGNED
            result.summary_rows.append(
                {
                    "unit": u,
                    "started": _date(first_assessed.get(u.pk)),
                    "achieved": _date((ua.countersigned_at or ua.signed_at) if signed else None),
                    "assessor": ua.signed_by if ua and ua.signed_by_id else None,
                    # signed at the sending centre (a passport's transferred unit): its original signature
                    "transferred": ua.transfer_signature_text if ua else "",
                    "assessor_date": _date(ua.signed_at) if ua else None,
                    "countersigned_by": ua.countersigned_by if ua and ua.countersigned_by_id else None,
                    "candidate_date": _date(ua.authenticity_signed_at) if ua else None,
                    "iv": iv_for(u.pk),
                    "unit_assessment": ua,
                }
            )
        if every or "evidence" in want:
            methods = defaultdict(set)
            units_of = defaultdict(set)
            for m in mappings:
                methods[m.evidence_id].add(METHOD_CODES.get(m.method, m.method))
                units_of[m.evidence_id].add(m.unit_id)
            numbers = {u.pk: u.number for u in units}
            items = list(candidate_evidence(registration).order_by("created_at", "id"))
            if only_units is not None:
                items = [item for item in items if item.pk in units_of]
            for item in items:
                item.number = evidence_number(item.pk)
                item.method_codes = ", ".join(sorted(methods.get(item.pk, ())))
                item.unit_numbers = ", ".join(
                    sorted(str(numbers.get(x, "")) for x in units_of.get(item.pk, ()))
                )
            result.evidence = items
    if every or "feedback" in want:
        result.feedback = list(
            Feedback.objects.filter(registration=registration)
            .select_related("author", "unit")
            .order_by("created_at", "id")
        )
    kinds = {
        "observations": AssessmentRecord.Kind.OBSERVATION,
        "questioning": AssessmentRecord.Kind.QUESTIONING,
        "discussions": AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION,
    }
    wanted_kinds = [kind for part, kind in kinds.items() if every or part in want]
    if wanted_kinds:
        records = list(
            AssessmentRecord.objects.filter(registration=registration, kind__in=wanted_kinds)
            .select_related("assessor", "evidence_item")
            .prefetch_related(
                Prefetch(
                    "criteria",
                    queryset=AssessmentCriterion.objects.select_related("unit").order_by(
                        "unit__number", "outcome__number", "number"
                    ),
                )
            )
            .order_by("date", "id")
        )
        for part, kind in kinds.items():
            setattr(result, part, [r for r in records if r.kind == kind])
    if every or "skills_scans" in want:
        result.skills_scans = list(
            SkillsScan.objects.filter(registration=registration)
            .select_related("created_by")
            .prefetch_related(Prefetch("ratings", queryset=SkillsScanRating.objects.select_related("unit")))
            .order_by("created_at", "id")
        )
    if every or "assessment_reports" in want:
        result.assessment_reports = list(
            AssessmentReport.objects.filter(registration=registration)
            .select_related("assessor", "unit")
            .order_by("date", "id")
        )
    if every or "testimonies" in want:
        result.testimonies = witness_testimonies_for(registration.candidate)
    if every or "action_plans" in want:
        items = ActionPlanItem.objects.prefetch_related(
            Prefetch("criteria", queryset=AssessmentCriterion.objects.select_related("unit"))
        )
        result.action_plans = list(
            ActionPlan.objects.filter(registration=registration)
            .select_related("created_by", "unit")
            .prefetch_related(Prefetch("items", queryset=items), "reviews__reviewed_by")
            .order_by("created_at", "id")
        )
    if every or "witnesses" in want:
        result.witnesses = witness_status_list(registration.candidate)
    if every or "claim" in want:
        result.claim = _certification_claim(registration)
        if result.claim is not None:
            rows = claim_summaries(_certification_claims(registration))
            result.claim_rows = [summary for _, summary in rows]
            result.claim_summary = next(summary for claim, summary in rows if claim.pk == result.claim.pk)
    if "iv_record" in want:
        # Every unit, with its sampled stages (interim / summative) and the IV's decisions, comments and
        # action points; a unit not sampled is one row saying so.
        record = _sampling_record(registration)
        result.record_rows = [
            {**row, "entries": record.get(row["unit"].pk, [])} for row in result.summary_rows
        ]
    return result


def witness_testimonies_for(candidate) -> list[WitnessTestimony]:
    """The candidate's live witness testimony with its witness, evidence and units (three queries)."""
    return list(
        WitnessTestimony.objects.filter(evidence__candidate=candidate, evidence__deleted_at__isnull=True)
        .select_related("witness", "evidence")
        .prefetch_related("evidence__units")
        .order_by("evidence__activity_date", "id")
    )


def _assessed_evidence(mappings) -> list[dict]:
    """Evidence reference, title and method codes of the unit's accepted evidence, first assessed first."""
    rows: dict[int, dict] = {}
    for m in mappings:
        if m.decision != EvidenceMapping.Decision.ACCEPTED:
            continue
        row = rows.setdefault(
            m.evidence_id,
            {"number": evidence_number(m.evidence_id), "title": m.evidence.title, "methods": []},
        )
        code = METHOD_CODES.get(m.method, m.method)
        if code not in row["methods"]:
            row["methods"].append(code)
    return list(rows.values())


def _tick_requirements(block: UnitBlock) -> None:
    """Tick a criterion's evidence-requirement column when accepted evidence covers the criterion and the
    requirement applies to it (it names no criteria, or names this one) by its method (it names none, or the
    method of one of the accepted mappings)."""
    if not block.numbered_requirements:
        return

    by_ref = {r.ref: r for r in block.requirements}
    for line in block.criteria:
        ticks = []
        for column in block.columns:
            req = by_ref.get(column.ref)
            applies = (
                req is not None and line.met and (not req.criteria or line.criterion.ref in req.criteria)
            )
            if applies and req.method:
                applies = normalise_method(req.method) in {normalise_method(m) for m in line.methods}
            ticks.append(bool(applies))
        line.ticks = ticks


def _fill(line, mappings):
    accepted = [m for m in mappings if m.decision == EvidenceMapping.Decision.ACCEPTED]
    line.evidence = [
        f"{evidence_number(m.evidence_id)} ({METHOD_CODES.get(m.method, m.method)})" for m in accepted
    ]
    line.locations = [m.location for m in accepted if m.location]
    line.met = bool(accepted)
    if hasattr(line, "methods"):
        line.methods = {m.method for m in accepted}
    if hasattr(line, "not_yet"):
        line.not_yet = [
            evidence_number(m.evidence_id) for m in mappings if m.decision == EvidenceMapping.Decision.NOT_YET
        ]


def registrations_for_batch(registrations_qs, *, qualification=None):
    """Active registrations (of a qualification) from a queryset the caller already scoped to the user."""
    qs = registrations_qs.filter(status=Registration.Status.ACTIVE)
    if qualification is not None:
        qs = qs.filter(qualification=qualification)
    return qs.order_by("candidate__last_name", "candidate__first_name", "id")


def print_jobs_visible_to(user):
    """Batch jobs of the centres the user administers (the same 404 for other centres' jobs)."""
    from .models import PrintJob

    if not user.is_authenticated:
        return PrintJob.objects.none()
    return PrintJob.objects.filter(centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])).select_related(
        "qualification", "requested_by", "centre"
    )

"""Reads for assessment. `*_visible_to(user)` querysets are the only place that decides who sees what.

Pages built from these functions do a constant number of queries whatever the size of the portfolio
(tests pin it with 1 and with 300 evidence items).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from accounts.models import Role
from accounts.selectors import centres_of
from audit.dates import DATE
from evidence.models import EvidenceItem
from evidence.selectors import is_current_version
from qualifications import rules, specs
from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    QualificationUnit,
    RangeItem,
    Unit,
)

from . import coverage as cov
from . import hooks
from .models import (
    ActionPlan,
    AssessmentRecord,
    AssessmentReport,
    EmployerConfirmation,
    EvidenceMapping,
    Feedback,
    Registration,
    RequirementConfirmation,
    SkillsScan,
    UnitAssessment,
)


# --- visibility -------------------------------------------------------------------------------------
def registrations_visible_to(user) -> QuerySet[Registration]:
    """The candidate's own; those the user assesses or internally verifies (holding that role in the
    registration's centre); every registration of the centres the user administers."""
    if not user.is_authenticated:
        return Registration.objects.none()
    condition = Q(candidate=user) | _staffed_by(user)
    condition |= Q(centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN]))
    return Registration.objects.filter(condition).select_related(
        "candidate", "qualification", "centre", "assessor", "internal_verifier"
    )


def _staffed_by(user) -> Q:
    """Registrations naming the user as assessor or internal verifier while they hold that role at its centre
    (a revoked role at the centre ends what the name on the registration allowed)."""
    return Q(assessor=user, centre__in=centres_of(user, roles=[Role.ASSESSOR])) | Q(
        internal_verifier=user, centre__in=centres_of(user, roles=[Role.INTERNAL_VERIFIER])
    )


def evidence_staff_condition(user) -> Q | None:
    """The evidence app's reader (registered in AssessmentConfig.ready()): a registration's assessor and internal
    verifier, while they hold that role at its centre, see its candidate's evidence at that centre."""
    if not user.is_authenticated:
        return None
    staffed = Registration.objects.filter(
        _staffed_by(user), candidate_id=OuterRef("candidate_id"), centre_id=OuterRef("centre_id")
    )
    return Q(Exists(staffed))


def evidence_trail(user, item) -> list[tuple[str, str]] | None:
    """Breadcrumbs to a candidate's evidence item for the centre's staff: the candidate's registration page
    (the newest registration the user may see); None for the candidate and for people who see none."""
    from django.urls import reverse

    if not user.is_authenticated or user.pk == item.candidate_id:
        return None
    registration = (
        registrations_visible_to(user)
        .filter(candidate_id=item.candidate_id, centre_id=item.centre_id)
        .order_by("-registered_on", "-id")
        .first()
    )
    if registration is None:
        return None
    return [
        (
            f"{registration.candidate} — {registration.qualification.code}",
            reverse("assessment:registration_detail", args=[registration.pk]),
        )
    ]


def registrations_assessed_by(user) -> QuerySet[Registration]:
    """Registrations on which the user may record assessment decisions."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return registrations_visible_to(user).filter(
        assessor=user, centre__in=centres_of(user, roles=[Role.ASSESSOR])
    )


def registrations_administered_by(user) -> QuerySet[Registration]:
    return registrations_visible_to(user).filter(centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN]))


def recent_registrations_administered_by(user, count: int = 5) -> list[Registration]:
    """The newest `count` registrations of the centres the user administers. The database picks them from the
    registration table alone, then joins the people and the qualification to those rows only (sorted after the
    joins, every registration of the centre was joined first: 18 ms at 5,000 candidates; with the visibility
    filters repeated outside, PostgreSQL still joined them all: 11 ms)."""
    from audit.paging import first_of

    return first_of(registrations_administered_by(user).order_by("-created_at", "-id"), count)


def registrations_of_candidate(user) -> QuerySet[Registration]:
    return registrations_visible_to(user).filter(candidate=user)


def mappings_visible_to(user) -> QuerySet[EvidenceMapping]:
    return EvidenceMapping.objects.filter(registration__in=registrations_visible_to(user))


def records_visible_to(user) -> QuerySet[AssessmentRecord]:
    return AssessmentRecord.objects.filter(registration__in=registrations_visible_to(user)).select_related(
        "registration__candidate", "registration__qualification", "assessor", "evidence_item"
    )


def action_plans_visible_to(user) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(registration__in=registrations_visible_to(user))


def skills_scans_visible_to(user) -> QuerySet[SkillsScan]:
    return SkillsScan.objects.filter(registration__in=registrations_visible_to(user)).select_related(
        "registration__candidate", "registration__qualification", "created_by"
    )


def assessment_reports_visible_to(user) -> QuerySet[AssessmentReport]:
    return AssessmentReport.objects.filter(registration__in=registrations_visible_to(user)).select_related(
        "registration__candidate", "registration__qualification", "assessor", "unit"
    )


def countersign_queue_for(user) -> QuerySet[UnitAssessment]:
    """Units signed by a trainee assessor, waiting for a qualified assessor of the same centre."""
    if not user.is_authenticated or user.is_trainee_assessor:
        return UnitAssessment.objects.none()
    return (
        UnitAssessment.objects.filter(
            status=UnitAssessment.Status.AWAITING_COUNTERSIGNATURE,
            registration__status=Registration.Status.ACTIVE,
            registration__centre__in=centres_of(user, roles=[Role.ASSESSOR]),
        )
        .exclude(signed_by=user)
        .exclude(registration__candidate=user)
        .exclude(registration__internal_verifier=user)
        .select_related("registration__candidate", "registration__qualification", "unit", "signed_by")
    )


def candidate_evidence(registration) -> QuerySet[EvidenceItem]:
    """The candidate's current evidence (not deleted, not replaced by a newer version).

    Whoever may see the registration may see its candidate's evidence (evidence.selectors says the same).
    """
    return EvidenceItem.objects.filter(
        candidate_id=registration.candidate_id,
        centre_id=registration.centre_id,
        deleted_at__isnull=True,
    ).filter(is_current_version())


# --- the units of a registration --------------------------------------------------------------------
def registration_units(registration) -> list[Unit]:
    """Mandatory units of the qualification plus the optional units chosen, in handbook order."""
    return units_of_registrations([registration])[registration.pk]


def units_of_registrations(registrations) -> dict[int, list[Unit]]:
    """{registration id: [units]} in two queries, whatever the number of registrations. The memberships are
    grouped by qualification first, so that each registration looks only at its own qualification's units."""
    registrations = list(registrations)
    quals = {r.qualification_id for r in registrations}
    memberships = defaultdict(list)
    for m in (
        QualificationUnit.objects.filter(qualification_id__in=quals)
        .select_related("unit")
        .order_by("order", "unit__number")
    ):
        memberships[m.qualification_id].append(m)
    chosen = defaultdict(set)
    through = Registration.optional_units.through
    for row in through.objects.filter(registration_id__in=[r.pk for r in registrations]).values_list(
        "registration_id", "unit_id"
    ):
        chosen[row[0]].add(row[1])
    result = {}
    for registration in registrations:
        optional = chosen[registration.pk]
        result[registration.pk] = [
            m.unit
            for m in memberships[registration.qualification_id]
            if m.status == QualificationUnit.Status.MANDATORY or m.unit_id in optional
        ]
    return result


def picker_facts(registration, *, units=None, with_requirements=False):
    """What the criteria picker shows for a registration (assessment.picker): its units, their criteria with
    their outcomes, the criteria met by accepted evidence, the units locked by a sign-off and, for the map
    page, the evidence requirements evidence maps to. Constant queries: three, one more for the requirements and
    two more when `units` (the registration's) is not given."""
    from .picker import PickerFacts

    units = registration_units(registration) if units is None else list(units)
    unit_ids = [u.pk for u in units]
    criteria = list(
        AssessmentCriterion.objects.filter(unit_id__in=unit_ids)
        .select_related("outcome")
        .order_by("unit_id", "outcome__number", "number")
    )
    met = frozenset(criterion_id for _, criterion_id in criteria_met_rows([registration.pk]))
    locked = frozenset(
        UnitAssessment.objects.filter(registration=registration)
        .exclude(status=UnitAssessment.Status.OPEN)
        .values_list("unit_id", flat=True)
    )
    requirements = []
    if with_requirements:
        # Evidence maps to requirements that ask for evidence, and to the sub-items of those that have them.
        requirements = list(
            EvidenceRequirement.objects.filter(
                unit_id__in=unit_ids, kind=EvidenceRequirement.Kind.EVIDENCE, children__isnull=True
            ).order_by("unit_id", "order")
        )
    return PickerFacts(units, criteria, met, locked, requirements)


def unit_of_registration(registration, unit_pk) -> Unit | None:
    for unit in registration_units(registration):
        if unit.pk == int(unit_pk):
            return unit
    return None


def unit_facts(unit: Unit, qualification=None) -> cov.UnitFacts:
    """The unit's evidence setting rules as they apply in `qualification`: a qualification-wide bar (4430-04:
    "Simulation and Realistic Working Environment is not accepted at this level") reaches every unit taken in
    it, shared units too; a unit's own, more specific statement (knowledge evidence may be simulated, 405's
    staged drills) still holds."""
    rwe, simulation, knowledge = unit.rwe_allowed, unit.simulation_allowed, unit.knowledge_simulation_allowed
    note, source = unit.evidence_context_note, unit.evidence_context_source
    if qualification is not None:
        if qualification.rwe_allowed is False:
            rwe = False
        if qualification.simulation_allowed is False:
            simulation = False
            if knowledge is None:
                knowledge = False
        if not note and qualification.evidence_context_note:
            note, source = qualification.evidence_context_note, qualification.evidence_context_source
    return cov.UnitFacts(
        unit.ref,
        unit.title,
        unit.has_criteria_text,
        rwe,
        simulation,
        note,
        knowledge_simulation_allowed=knowledge,
        staged_drills_allowed=unit.staged_drills_allowed,
        context_source=source,
    )


def allowed_settings(units, qualification) -> tuple[list[str], list[str]]:
    """The settings evidence for these units (taken in `qualification`) may come from, and why the others are
    not offered, in the handbook's words. A setting is offered when every unit accepts it (for knowledge
    evidence at least: "Simulation is not allowed for any performance evidence" leaves knowledge free); a
    staged emergency drill when any unit accepts it (4430-405)."""
    facts = [unit_facts(u, qualification) for u in units]
    allowed, reasons = [], []
    for value, label in EvidenceItem.Context.choices:
        performance = [p for p in (cov.context_problem(f, label, value, "performance") for f in facts) if p]
        knowledge = [p for p in (cov.context_problem(f, label, value, "knowledge") for f in facts) if p]
        if value == EvidenceItem.Context.STAGED_DRILL:
            drill_units = [f.ref for f in facts if f.staged_drills_allowed]
            if drill_units:
                allowed.append(value)
                reasons.append(
                    f"{label}: only for unit {', '.join(drill_units)}, which accepts realistic practices "
                    "staged to test emergency procedures."
                )
            continue
        if not performance:
            allowed.append(value)
        elif not knowledge:
            allowed.append(value)
            reasons.append(f"{label}: for knowledge evidence only; " + performance[0].split("; ", 1)[-1])
        else:
            reasons.append(f"{label} is not offered: " + knowledge[0].split("; ", 1)[-1])
    return allowed, reasons


def candidate_units(candidate) -> QuerySet[Unit]:
    """Units the candidate may tag evidence with: those of their active registrations (the evidence forms ask
    for them through evidence.registry).

    Mandatory units of each registered qualification plus the optional units chosen at registration
    (every unit of the qualification while no optional unit has been chosen yet). No registration: none.
    """
    registrations = Registration.objects.filter(
        candidate=candidate, status=Registration.Status.ACTIVE
    ).prefetch_related("optional_units")
    unit_ids = set()
    open_choice = []
    for registration in registrations:
        chosen = {u.pk for u in registration.optional_units.all()}
        if chosen:
            unit_ids |= chosen
            unit_ids |= set(
                QualificationUnit.objects.filter(
                    qualification_id=registration.qualification_id,
                    status=QualificationUnit.Status.MANDATORY,
                ).values_list("unit_id", flat=True)
            )
        else:
            open_choice.append(registration.qualification_id)
    if open_choice:
        unit_ids |= set(
            QualificationUnit.objects.filter(qualification_id__in=open_choice).values_list(
                "unit_id", flat=True
            )
        )
    return Unit.objects.filter(pk__in=unit_ids).order_by("scheme", "number")


def candidate_allowed_settings(candidate) -> tuple[list[str], list[str]] | None:
    """For the upload form: the settings the candidate's units allow (any of their active registrations), with
    the reasons for what is not offered. None when the candidate has no active registration (offer them all)."""
    registrations = list(
        Registration.objects.filter(candidate=candidate, status=Registration.Status.ACTIVE).select_related(
            "qualification"
        )
    )
    if not registrations:
        return None
    units = units_of_registrations(registrations)
    allowed, reasons = [], []
    for registration in registrations:
        these, why = allowed_settings(units[registration.pk], registration.qualification)
        allowed += [s for s in these if s not in allowed]
        prefix = f"{registration.qualification.code}: " if len(registrations) > 1 else ""
        reasons += [prefix + r for r in why]
    return allowed, reasons


# --- coverage matrix --------------------------------------------------------------------------------
# Mappings listed under each criterion (and range item) on the matrix; the criterion's own page lists every
# one, so the matrix stays the same size however much evidence the portfolio holds.
MATRIX_SHOWN = 3


@dataclass
class CriterionRow:
    criterion: AssessmentCriterion
    mappings: list[EvidenceMapping]  # the first MATRIX_SHOWN, oldest evidence first
    met: bool
    total: int = 0  # every mapping to the criterion
    not_yet: int = 0  # of those, marked "not yet"

    @property
    def more(self) -> int:
        """Mappings not listed on the matrix."""
        return max(self.total - len(self.mappings), 0)

    @property
    def more_not_yet(self) -> int:
        """ "Not yet" decisions among the mappings not listed."""
        return max(
            self.not_yet - sum(1 for m in self.mappings if m.decision == EvidenceMapping.Decision.NOT_YET), 0
        )


@dataclass
class RangeRow:
    item: RangeItem
    mappings: list[EvidenceMapping]  # the first MATRIX_SHOWN
    met: bool | None  # None for a parent item (its sub-items carry the coverage)
    total: int = 0
    quantity: object = None  # coverage.RangeStatus of an "N of the following" item
    optional: bool = False  # one of the choices of such an item

    @property
    def more(self) -> int:
        return max(self.total - len(self.mappings), 0)


@dataclass
class RequirementRow:
    status: cov.RequirementStatus
    mappings: list[EvidenceMapping]  # the first MATRIX_SHOWN mapped to the requirement itself
    total: int = 0
    confirmation: object = None  # the RequirementConfirmation of a signed unit

    @property
    def more(self) -> int:
        return max(self.total - len(self.mappings), 0)


@dataclass
class UnitMatrix:
    registration: Registration
    unit: Unit
    unit_assessment: UnitAssessment
    rows: list[CriterionRow]
    range_rows: list[RangeRow]
    coverage: cov.UnitCoverage
    requirement_rows: list[RequirementRow] = None
    blockers: list[str] = None  # the higher apps' reasons (an unanswered referral), hooks.sign_off_problems

    @property
    def sign_off_problems(self) -> list[str]:
        """Everything that stands between the unit and its sign-off: what the page lists, what disables the
        button, and what the sign-off service refuses with (one definition, see sign_off_problems below)."""
        return sign_off_problems(self.coverage, self.blockers or [])

    @property
    def outcomes(self):
        """Rows grouped by learning outcome, in order: [(outcome, [rows])]."""
        groups: dict[int, tuple] = {}
        for row in self.rows:
            groups.setdefault(row.criterion.outcome_id, (row.criterion.outcome, []))[1].append(row)
        return list(groups.values())


def requirement_facts(r: EvidenceRequirement) -> cov.RequirementFacts:
    return cov.RequirementFacts(
        r.pk, r.ref, r.text, r.min_count, r.method, tuple(r.criteria or ()), r.parent_id, r.kind
    )


def unit_assessment_for(registration, unit) -> UnitAssessment:
    """The unit assessment row (an unsaved OPEN one when none exists yet), with `registration` on it (the
    permission predicates read it)."""
    ua = (
        UnitAssessment.objects.filter(registration=registration, unit=unit)
        .select_related("signed_by", "countersigned_by")
        .first()
    )
    if ua is None:
        return UnitAssessment(registration=registration, unit=unit)
    ua.registration = registration
    return ua


def unit_coverage_facts(registration, unit) -> list[cov.MappingFacts]:
    """What the coverage rules read: the unit's accepted mappings as plain tuples (one query, no model
    instances; "not yet" mappings cover nothing, so the database leaves them out)."""
    rows = (
        EvidenceMapping.objects.filter(
            registration=registration, unit=unit, decision=EvidenceMapping.Decision.ACCEPTED
        )
        .order_by()
        .values_list(*MAPPING_FACT_FIELDS)
    )
    return [_mapping_facts(row) for row in rows]


MAPPING_FACT_FIELDS = (
    "criterion_id",
    "range_item_id",
    "evidence_id",
    "evidence__title",
    "evidence__context",
    "method",
    "decision",
    "requirement_id",
    "criterion__kind",
    "setting",
)


WITHOUT_EVIDENCE = tuple(f for f in MAPPING_FACT_FIELDS if not f.startswith("evidence__"))


def _mapping_facts(row) -> cov.MappingFacts:
    return cov.MappingFacts(*row[:4], row[9] or row[4], *row[5:8], row[8] or "performance")


def sign_off_problems(coverage: cov.UnitCoverage, blockers: list[str]) -> list[str]:
    """What stands between a unit and its sign-off: its coverage (criteria, range, evidence requirements, the
    setting rules, the candidate's unsigned records and authenticity statement) and the higher apps' blockers.
    The unit page, the caseload's "ready to sign" and the sign-off service all read this."""
    return list(coverage.problems) + list(blockers)


def unsigned_records(registration_ids) -> dict[int, dict[int, str]]:
    """{registration id: {evidence id: label}} of the assessor's records the candidate has not signed. One query."""
    result: dict[int, dict[int, str]] = defaultdict(dict)
    kinds = dict(AssessmentRecord.Kind.choices)
    for reg_id, evidence_id, kind, day in (
        AssessmentRecord.objects.filter(
            registration_id__in=list(registration_ids),
            candidate_signed_at__isnull=True,
            evidence_item__isnull=False,
        )
        .order_by("date", "id")
        .values_list("registration_id", "evidence_item_id", "kind", "date")
    ):
        result[reg_id][evidence_id] = f"{kinds.get(kind, kind)} {day:{DATE}}"
    return result


def _unit_rules(unit, qualification, criteria, range_items, requirements) -> dict:
    """The plain facts of one unit's rules (what is the same for every candidate taking it in `qualification`):
    the unit page builds them for its unit, the caseload once per unit and qualification of its page."""
    return {
        "unit": unit_facts(unit, qualification),
        "criteria": [cov.CriterionFacts(c.pk, c.ref, c.text) for c in criteria],
        "range_items": [cov.RangeFacts(r.pk, r.ref, r.text, r.parent_id, r.min_count) for r in range_items],
        "requirements": [requirement_facts(r) for r in requirements],
    }


def _coverage_of(rules: dict, *, mappings, authenticity_signed, unsigned, confirmed_requirements=None):
    """The plain-data coverage rules over one unit's rows: the unit page and the caseload build it alike."""
    return cov.unit_coverage(
        **rules,
        mappings=mappings,
        authenticity_signed=authenticity_signed,
        confirmed_requirements=confirmed_requirements,
        unsigned_records=unsigned,
    )


def _ids_or_none(ids: set[int]) -> list[int]:
    """The ids for an `__in` filter that still runs a query when there are none (Django answers an empty
    `__in` without asking the database): a page's queries stay the same whatever it holds. 0 is no row's id."""
    return sorted(ids) or [0]


def units_ready_to_sign(registrations, units: dict[int, list[Unit]]) -> dict[int, list[Unit]]:
    """{registration id: [units still open that nothing holds back from sign-off]} by the same rules as the unit
    page and the sign-off service (evidence requirements the assessor confirms with a note at sign-off do not
    hold a unit back). Nine queries whatever the number of registrations, units and mappings.

    Only what can still be ready is read further at each step: a unit is ready only when it is open, the
    candidate has signed its authenticity statement (so it has a unit assessment row) and every one of its
    criteria has accepted evidence (counted by the database); only those units have their mappings read and
    judged by the coverage rules, and only those the rules pass are asked about the higher apps' blockers."""
    registrations = {r.pk: r for r in registrations}
    unit_ids = {u.pk for us in units.values() for u in us}
    if not registrations or not unit_ids:
        return {}
    wanted = {(reg_id, u.pk): u for reg_id, us in units.items() for u in us}
    uas = {
        (reg_id, unit_id): pk
        for pk, reg_id, unit_id in UnitAssessment.objects.filter(
            registration_id__in=list(registrations),
            unit_id__in=unit_ids,
            status=UnitAssessment.Status.OPEN,
            authenticity_signed_at__isnull=False,
        )
        .order_by()
        .values_list("pk", "registration_id", "unit_id")
        if (reg_id, unit_id) in wanted  # not a unit taken off the registration's route since
    }
    criteria, range_items, requirements = defaultdict(list), defaultdict(list), defaultdict(list)
    for c in AssessmentCriterion.objects.filter(unit_id__in=unit_ids).only("pk", "unit_id", "ref", "text"):
        criteria[c.unit_id].append(c)
    for r in RangeItem.objects.filter(unit_id__in=unit_ids):
        range_items[r.unit_id].append(r)
    for r in EvidenceRequirement.objects.filter(unit_id__in=unit_ids):
        requirements[r.unit_id].append(r)
    accepted = EvidenceMapping.objects.filter(decision=EvidenceMapping.Decision.ACCEPTED).order_by()
    candidates = accepted.filter(
        registration_id__in=_ids_or_none({reg_id for reg_id, _ in uas}),
        unit_id__in=_ids_or_none({unit_id for _, unit_id in uas}),
    )
    full = {
        (reg_id, unit_id)
        for reg_id, unit_id, n in candidates.filter(criterion__isnull=False)
        .values_list("registration_id", "unit_id")
        .annotate(n=Count("criterion_id", distinct=True))
        .values_list("registration_id", "unit_id", "n")
        if (reg_id, unit_id) in uas and criteria[unit_id] and n >= len(criteria[unit_id])
    }
    mappings = defaultdict(list)
    rows = [
        row
        for row in accepted.filter(
            registration_id__in=_ids_or_none({reg_id for reg_id, _ in full}),
            unit_id__in=_ids_or_none({unit_id for _, unit_id in full}),
        ).values_list(*WITHOUT_EVIDENCE, "registration_id", "unit_id")
        if (row[-2], row[-1]) in full  # the filter is the cross product of the ids
    ]
    # The evidence's title and context by primary key, in a query of their own: joined to the mappings above,
    # PostgreSQL hashed every evidence item of the centre (a sequential scan growing with the centre, 30 ms at
    # 5,000 candidates for a page of 25).
    evidence = {
        pk: (title, context)
        for pk, title, context in EvidenceItem._base_manager.filter(
            pk__in=_ids_or_none({row[2] for row in rows})
        )
        .order_by()
        .values_list("pk", "title", "context")
    }
    for row in rows:
        mappings[(row[-2], row[-1])].append(_mapping_facts(row[:3] + evidence[row[2]] + row[3:-2]))
    unsigned = unsigned_records(list(registrations))
    rules, covered = {}, {}
    for reg_id, unit_id in full:
        registration = registrations[reg_id]
        key = (unit_id, registration.qualification_id)
        if key not in rules:
            rules[key] = _unit_rules(
                wanted[(reg_id, unit_id)],
                registration.qualification,
                criteria[unit_id],
                range_items[unit_id],
                requirements[unit_id],
            )
        coverage = _coverage_of(
            rules[key],
            mappings=mappings[(reg_id, unit_id)],
            authenticity_signed=True,
            unsigned=unsigned.get(reg_id),
        )
        if not sign_off_problems(coverage, []):
            covered[(reg_id, unit_id)] = uas[(reg_id, unit_id)]
    # the units whose coverage holds nothing back: what is left of sign_off_problems is the blockers
    blockers = hooks.sign_off_problems_for(_ids_or_none(set(covered.values())))
    return {
        reg_id: [
            unit
            for unit in units.get(reg_id, [])
            if (reg_id, unit.pk) in covered and not blockers.get(covered[(reg_id, unit.pk)])
        ]
        for reg_id in registrations
    }


def unit_matrix(registration, unit, *, confirmed_requirements=None) -> UnitMatrix:
    """The coverage matrix of one unit of a registration (the on-screen unit recording form).

    Coverage is decided over every accepted mapping; the page lists only the first MATRIX_SHOWN mappings of
    each criterion and range item with the count of the rest (counted by the database). Constant queries.
    """
    ua = unit_assessment_for(registration, unit)
    confirmations = {}
    if ua.pk and ua.is_locked:
        confirmations = {
            c.requirement.ref: c
            for c in RequirementConfirmation.objects.filter(
                unit_assessment=ua, round=ua.round
            ).select_related("requirement", "confirmed_by")
        }
        if confirmed_requirements is None and confirmations:
            confirmed_requirements = {ref: c.note for ref, c in confirmations.items()}
    criteria = list(AssessmentCriterion.objects.filter(unit=unit).select_related("outcome"))
    range_items = list(RangeItem.objects.filter(unit=unit))
    requirements = list(EvidenceRequirement.objects.filter(unit=unit))
    coverage = _coverage_of(
        _unit_rules(unit, registration.qualification, criteria, range_items, requirements),
        mappings=unit_coverage_facts(registration, unit),
        authenticity_signed=ua.authenticity_signed_at is not None,
        unsigned=unsigned_records([registration.pk]).get(registration.pk),
        confirmed_requirements=confirmed_requirements,
    )
    unit_mappings = EvidenceMapping.objects.filter(registration=registration, unit=unit).order_by()
    counts = {
        (criterion_id, range_item_id, requirement_id): (total, not_yet)
        for criterion_id, range_item_id, requirement_id, total, not_yet in unit_mappings.values_list(
            "criterion_id", "range_item_id", "requirement_id"
        )
        .annotate(total=Count("id"), not_yet=Count("id", filter=Q(decision=EvidenceMapping.Decision.NOT_YET)))
        .values_list("criterion_id", "range_item_id", "requirement_id", "total", "not_yet")
    }
    shown = (
        unit_mappings.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("criterion_id"), F("range_item_id"), F("requirement_id")],
                order_by=[F("evidence__created_at").asc(), F("id").asc()],
            )
        )
        .filter(position__lte=MATRIX_SHOWN)
        .select_related("evidence")
        .order_by("evidence__created_at", "id")
    )
    by_criterion = defaultdict(list)
    by_range = defaultdict(list)
    by_requirement = defaultdict(list)
    for m in shown:
        if m.criterion_id:
            by_criterion[m.criterion_id].append(m)
        elif m.range_item_id:
            by_range[m.range_item_id].append(m)
        else:
            by_requirement[m.requirement_id].append(m)
    rows = [
        CriterionRow(
            c, by_criterion[c.pk], coverage.criteria_met[c.pk], *counts.get((c.pk, None, None), (0, 0))
        )
        for c in criteria
    ]
    range_rows = [
        RangeRow(
            r,
            by_range[r.pk],
            coverage.range_met.get(r.pk),
            counts.get((None, r.pk, None), (0, 0))[0],
            coverage.range_parents.get(r.pk),
            r.pk in coverage.optional_range,
        )
        for r in range_items
    ]
    requirement_rows = [
        RequirementRow(
            st,
            by_requirement[st.requirement.id],
            counts.get((None, None, st.requirement.id), (0, 0))[0],
            confirmations.get(st.requirement.ref),
        )
        for st in coverage.requirements
    ]
    return UnitMatrix(
        registration, unit, ua, rows, range_rows, coverage, requirement_rows, hooks.sign_off_problems(ua)
    )


def requirements_met_by(mappings) -> dict[int, list[str]]:
    """{mapping id: [evidence requirement refs it counts towards]}: for the printed forms' requirement
    columns (issue 12). A mapping to a requirement counts for it; a mapping to a criterion counts for the
    quantity requirements that name that criterion and its method."""
    mappings = list(mappings)
    unit_ids = {m.unit_id for m in mappings}
    requirements = list(
        EvidenceRequirement.objects.filter(unit_id__in=unit_ids, kind=EvidenceRequirement.Kind.EVIDENCE)
    )
    result = {}
    for m in mappings:
        refs = []
        for r in requirements:
            if r.unit_id != m.unit_id:
                continue
            if m.requirement_id == r.pk:
                refs.append(r.ref)
            elif (
                m.criterion_id
                and r.min_count
                and r.method
                and cov.normalise_method(m.method) in cov.methods_of(r.method)
                and (not r.criteria or m.criterion.ref in r.criteria)
            ):
                refs.append(r.ref)
        result[m.pk] = refs
    return result


# --- registration summary (hub, candidate progress) -------------------------------------------------
def criteria_met_rows(registration_ids) -> QuerySet:
    """(registration id, criterion id) once per criterion met by accepted evidence, or by a transferred unit's
    signature at the sending centre (it counts as signed at once, before its prior evidence is mapped here).

    `.order_by()` matters: EvidenceMapping's default ordering (registration, unit, criterion, id) would add
    its sort columns to the SELECT DISTINCT, which then returns one row per mapping instead of one per
    criterion (and joins four tables to sort them). One query (a UNION, which drops the duplicates).
    """
    mapped = (
        EvidenceMapping.objects.filter(
            registration_id__in=registration_ids,
            decision=EvidenceMapping.Decision.ACCEPTED,
            criterion__isnull=False,
        )
        .order_by()
        .values_list("registration_id", "criterion_id")
        .distinct()
    )
    transferred = (
        UnitAssessment.objects.filter(
            registration_id__in=registration_ids,
            status=UnitAssessment.Status.SIGNED,
            unit__criteria__isnull=False,
        )
        .exclude(transferred_from="")
        .order_by()
        .values_list("registration_id", "unit__criteria__id")
    )
    return mapped.union(transferred)


@dataclass
class UnitProgress:
    unit: Unit
    unit_assessment: UnitAssessment | None
    criteria_total: int
    criteria_met: int
    missing: list[str]
    not_yet: int = 0
    referrals: list[CandidateReferral] = field(default_factory=list)  # filled by candidate_progress
    # The row the permission predicates are asked about (an unsaved OPEN one where none exists yet, as
    # unit_assessment_for gives), filled by candidate_progress.
    assessment_row: UnitAssessment | None = None

    @property
    def status_label(self) -> str:
        if self.unit_assessment is None:
            return "Not started"
        if self.unit_assessment.is_transferred:  # its original signature is shown beside it
            return "Signed at the sending centre (transferred)"
        return self.unit_assessment.get_status_display()

    @property
    def percent(self) -> int:
        return round(100 * self.criteria_met / self.criteria_total) if self.criteria_total else 0


def registration_progress(registration) -> list[UnitProgress]:
    """Per unit: criteria met, what is left, its sign-off state. Constant number of queries."""
    units = registration_units(registration)
    unit_ids = [u.pk for u in units]
    criteria = list(
        AssessmentCriterion.objects.filter(unit_id__in=unit_ids).values_list("pk", "unit_id", "ref")
    )
    met = {criterion_id for _, criterion_id in criteria_met_rows([registration.pk])}
    not_yet = dict(
        EvidenceMapping.objects.filter(registration=registration, decision=EvidenceMapping.Decision.NOT_YET)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    uas = {
        ua.unit_id: ua
        for ua in UnitAssessment.objects.filter(registration=registration).select_related(
            "signed_by", "countersigned_by", "transfer_confirmed_by"
        )
    }
    by_unit = defaultdict(list)
    for pk, unit_id, ref in criteria:
        by_unit[unit_id].append((pk, ref))
    result = []
    for unit in units:
        rows = by_unit[unit.pk]
        result.append(
            UnitProgress(
                unit,
                uas.get(unit.pk),
                len(rows),
                sum(1 for pk, _ in rows if pk in met),
                [ref for pk, ref in rows if pk not in met],
                not_yet.get(unit.pk, 0),
            )
        )
    return result


# What happens next, as the candidate reads it beside a referral.
REFERRAL_NEXT_OPEN = (
    "Your assessor is working on this. They may ask you for more evidence or to explain "
    "where your evidence shows it. The unit is not signed off until the internal verifier "
    "is satisfied."
)
REFERRAL_NEXT_ANSWERED = (
    "Your assessor has answered the internal verifier, who is now checking the answer. "
    "Nothing is needed from you unless your assessor asks."
)


@dataclass(frozen=True)
class CandidateReferral:
    """A referral not yet closed, as the candidate may read it: the decision concerned and what must be done
    (the action points). The internal verifier's comments judge the assessor's work and stay with the
    assessor; so do the assessor's answer and the closing note."""

    what: str  # "1.1 (Minutes of the team meeting)" or "the whole unit"
    action_points: str
    answered: bool  # the assessor answered; the internal verifier is checking
    due_on: date | None

    @property
    def next_step(self) -> str:
        return REFERRAL_NEXT_ANSWERED if self.answered else REFERRAL_NEXT_OPEN


def candidate_progress(registration) -> list[UnitProgress]:
    """registration_progress with each unit's referrals not yet closed, in the candidate's words. Constant
    number of queries (the referral hook's one, and one for the decisions referred)."""
    rows = registration_progress(registration)
    marks = hooks.marks_for([registration.pk])
    mappings = (
        {
            m.pk: m
            for m in EvidenceMapping.objects.filter(
                registration=registration, pk__in=[m.mapping_id for m in marks if m.mapping_id]
            ).select_related("criterion", "range_item", "requirement", "evidence")
        }
        if marks
        else {}
    )
    by_unit = defaultdict(list)
    for mark in marks:
        mapping = mappings.get(mark.mapping_id)
        what = f"{mapping.target_label} ({mapping.evidence.title})" if mapping else "the whole unit"
        by_unit[mark.unit_id].append(
            CandidateReferral(
                what=what, action_points=mark.action_points, answered=not mark.unanswered, due_on=mark.due_on
            )
        )
    for row in rows:
        row.referrals = by_unit.get(row.unit.pk, [])
        # The page asks the permission predicates about each unit, which read its registration.
        if row.unit_assessment is not None:
            row.unit_assessment.registration = registration
        row.assessment_row = row.unit_assessment or UnitAssessment(registration=registration, unit=row.unit)
    return rows


PROGRESS_NOT_YET_SHOWN = 10


def latest_not_yet(registration, limit=PROGRESS_NOT_YET_SHOWN) -> list[EvidenceMapping]:
    """The newest "not yet" decisions on the registration (the progress page counts the rest per unit)."""
    return list(
        EvidenceMapping.objects.filter(registration=registration, decision=EvidenceMapping.Decision.NOT_YET)
        .select_related("evidence", "criterion", "unit")
        .order_by("-assessed_at", "-id")[:limit]
    )


def evidence_with_mapping_counts(registration) -> QuerySet[EvidenceItem]:
    return (
        candidate_evidence(registration)
        .annotate(mapped=Count("mappings", filter=Q(mappings__registration=registration)))
        .order_by("-created_at", "-id")
    )


def feedback_for(registration) -> QuerySet[Feedback]:
    return Feedback.objects.filter(registration=registration).select_related("author", "unit")


# --- caseload ---------------------------------------------------------------------------------------
EXPIRES_SOON_DAYS = 90


def _expires_soon(expires_on: date | None) -> bool:
    return bool(expires_on) and (expires_on - date.today()).days <= EXPIRES_SOON_DAYS  # noqa: DTZ011 - a calendar date


@dataclass
class CaseloadRow:
    registration: Registration
    units_total: int
    units_signed: int
    criteria_total: int
    criteria_met: int
    evidence_waiting: int
    awaiting_countersignature: int
    last_activity: datetime | None
    attention: list[str]
    plan_review: date | None = None  # the newest assessment plan's next review date
    plan_review_state: str = ""  # "overdue", "due" (within PLAN_REVIEW_DUE_DAYS) or ""
    ready_to_sign: list = field(default_factory=list)  # units nothing holds back from sign-off

    @property
    def percent(self) -> int:
        return round(100 * self.criteria_met / self.criteria_total) if self.criteria_total else 0

    @property
    def expires_soon(self) -> bool:
        return _expires_soon(self.registration.expires_on)


@dataclass(frozen=True)
class CaseloadUrgency:
    """What the caseload's order needs of one registration: read for every registration of the caseload, in
    a few aggregate queries and no model instance (the rest of a row is read for the rows shown)."""

    registration_id: int
    candidate_id: int
    expires_on: date | None
    evidence_waiting: int
    awaiting_countersignature: int
    last_activity: datetime | None
    plan_review: date | None
    plan_review_state: str

    @property
    def expires_soon(self) -> bool:
        return _expires_soon(self.expires_on)

    def key(self) -> tuple:
        """Waiting evidence first (most first), then countersignatures, overdue plan reviews, expiring
        registrations, then the candidates who have been quiet the longest."""
        quiet = self.last_activity.timestamp() if self.last_activity else 0
        return (
            -self.evidence_waiting,
            -self.awaiting_countersignature,
            self.plan_review_state != "overdue",
            not self.expires_soon,
            quiet,
        )

    def attention(self) -> list[str]:
        notes = []
        if self.evidence_waiting:
            notes.append(f"{self.evidence_waiting} evidence waiting for assessment")
        if self.awaiting_countersignature:
            notes.append(f"{self.awaiting_countersignature} unit(s) awaiting countersignature")
        if self.expires_soon:
            notes.append(f"registration expires {self.expires_on:{DATE}}")
        if self.plan_review_state:
            notes.append(
                f"assessment plan review {self.plan_review_state} "
                f"({'since' if self.plan_review_state == 'overdue' else 'on'} {self.plan_review:{DATE}})"
            )
        return notes


PLAN_REVIEW_DUE_DAYS = 7


def plan_reviews_due(reg_ids, today: date) -> dict[int, tuple[date, str]]:
    """{registration id: (next review date, "overdue" | "due")} of each registration's newest assessment plan
    whose review is overdue or due within PLAN_REVIEW_DUE_DAYS. Two queries."""
    newest = {}
    for plan in (
        ActionPlan.objects.filter(registration_id__in=reg_ids)
        .prefetch_related("reviews")
        .order_by("registration_id", "-created_at", "-id")
    ):
        newest.setdefault(plan.registration_id, plan)
    result = {}
    for reg_id, plan in newest.items():
        when = plan.next_review()
        if when is None:
            continue
        if when < today:
            result[reg_id] = (when, "overdue")
        elif (when - today).days <= PLAN_REVIEW_DUE_DAYS:
            result[reg_id] = (when, "due")
    return result


CASELOAD_SEARCH = (
    "candidate__first_name",
    "candidate__last_name",
    "candidate__username",
    "candidate_number",
    "qualification__code",
)


class CaseloadRows(Sequence):
    """The caseload, sorted. The order is decided over every registration from CaseloadUrgency alone; the rows
    read (a page of 25, the dashboard's 10) are then built once, in constant queries: their registrations,
    units, criteria counts and "ready to sign" (the costly part: every open unit's coverage). So a page costs
    its rows however big the caseload. Iterating reads every row."""

    def __init__(self, order: list[CaseloadUrgency]):
        self._order, self._rows = order, {}

    def __len__(self):
        return len(self._order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._filled(self._order[index])
        return self._filled([self._order[index]])[0]

    def __iter__(self):
        return iter(self._filled(self._order))

    def _filled(self, picked: list[CaseloadUrgency]) -> list[CaseloadRow]:
        todo = [u for u in picked if u.registration_id not in self._rows]
        if todo:
            self._rows.update(caseload_rows(todo))
        # a registration deleted since the order was read is left out of the page, not an error
        return [self._rows[u.registration_id] for u in picked if u.registration_id in self._rows]


def caseload_rows(urgencies: list[CaseloadUrgency]) -> dict[int, CaseloadRow]:
    """{registration id: its caseload row}: the registration with what the page shows of it (its candidate and
    qualification), its units, criteria and "ready to sign". Fifteen queries whatever the number of rows
    (nine of them for "ready to sign")."""
    registrations = Registration.objects.select_related("candidate", "qualification").in_bulk(
        [u.registration_id for u in urgencies]
    )
    reg_ids = list(registrations)
    units = units_of_registrations(registrations.values())
    criteria_per_unit = dict(
        AssessmentCriterion.objects.filter(unit_id__in={u.pk for us in units.values() for u in us})
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    # The criteria met (as criteria_met_rows: accepted evidence, or a unit transferred in signed, every criterion
    # of which counts) counted by the database: one row per registration, not one per criterion met (11,000
    # rows for a caseload of 125 read for a count). A transferred unit's own mappings are left out of the count
    # (its criteria are all counted already).
    signed_units = UnitAssessment.objects.filter(
        status=UnitAssessment.Status.SIGNED, registration_id__in=reg_ids
    )
    transferred_signed = signed_units.exclude(transferred_from="")
    signed, transferred = defaultdict(int), defaultdict(list)
    for reg_id, unit_id, transferred_from in signed_units.order_by().values_list(
        "registration_id", "unit_id", "transferred_from"
    ):
        signed[reg_id] += 1
        if transferred_from:
            transferred[reg_id].append(unit_id)
    met = dict(
        EvidenceMapping.objects.filter(
            registration_id__in=reg_ids,
            decision=EvidenceMapping.Decision.ACCEPTED,
            criterion__isnull=False,
        )
        .exclude(
            Exists(
                transferred_signed.filter(
                    registration_id=OuterRef("registration_id"), unit_id=OuterRef("unit_id")
                )
            )
        )
        .order_by()
        .values_list("registration_id")
        .annotate(n=Count("criterion_id", distinct=True))
        .values_list("registration_id", "n")
    )
    for reg_id, unit_ids in transferred.items():
        met[reg_id] = met.get(reg_id, 0) + sum(criteria_per_unit.get(u, 0) for u in unit_ids)
    ready = units_ready_to_sign(registrations.values(), units)
    rows = {}
    for urgency in urgencies:
        reg_id = urgency.registration_id
        if reg_id not in registrations:
            continue
        reg_units = units[reg_id]
        rows[reg_id] = CaseloadRow(
            registration=registrations[reg_id],
            units_total=len(reg_units),
            units_signed=signed[reg_id],
            criteria_total=sum(criteria_per_unit.get(u.pk, 0) for u in reg_units),
            criteria_met=met.get(reg_id, 0),
            evidence_waiting=urgency.evidence_waiting,
            awaiting_countersignature=urgency.awaiting_countersignature,
            last_activity=urgency.last_activity,
            attention=urgency.attention(),
            plan_review=urgency.plan_review,
            plan_review_state=urgency.plan_review_state,
            ready_to_sign=ready.get(reg_id, []),
        )
    return rows


def _count_of(queryset) -> Subquery:
    """COUNT(*) of `queryset` as a correlated subquery (an annotation per row of the outer query)."""
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def caseload_for(user, *, search: str = "") -> Sequence[CaseloadRow]:
    """Every active registration the user assesses (whose candidate or qualification matches `search`), with its
    progress, most in need of attention first. The order needs every registration, so only what it is decided
    by is read for all of them (CaseloadUrgency); the rows read are built when they are read (CaseloadRows).

    Three queries whatever the number of candidates and evidence items, and fifteen more when the first rows are
    read (caseload_rows).
    """
    from audit.paging import words_filter

    # What the order is decided by, in one query: per registration, index probes (its units awaiting a
    # countersignature, its candidate's current evidence nothing maps yet, the newest evidence and mapping)
    # rather than aggregates over id lists of the whole caseload (five queries: 55 ms for a caseload of 300 at
    # 5,000 candidates, 22 ms as one).
    registrations = list(
        words_filter(
            registrations_assessed_by(user).filter(status=Registration.Status.ACTIVE),
            search,
            CASELOAD_SEARCH,
        )
        .annotate(
            countersign=_count_of(
                UnitAssessment.objects.filter(
                    registration_id=OuterRef("pk"), status=UnitAssessment.Status.AWAITING_COUNTERSIGNATURE
                )
            ),
            waiting=_count_of(
                EvidenceItem.objects.filter(
                    is_current_version(), candidate_id=OuterRef("candidate_id"), deleted_at__isnull=True
                ).exclude(Exists(EvidenceMapping.objects.filter(evidence=OuterRef("pk"))))
            ),
            last_evidence=Subquery(
                EvidenceItem.objects.filter(candidate_id=OuterRef("candidate_id"), deleted_at__isnull=True)
                .order_by("-updated_at")
                .values("updated_at")[:1]
            ),
            last_mapping=Subquery(
                EvidenceMapping.objects.filter(registration_id=OuterRef("pk"))
                .order_by("-assessed_at")
                .values("assessed_at")[:1]
            ),
        )
        .order_by("candidate__last_name", "id")
        .values_list(
            "pk", "candidate_id", "expires_on", "countersign", "waiting", "last_evidence", "last_mapping"
        )
    )
    if not registrations:
        return []
    reviews_due = plan_reviews_due([row[0] for row in registrations], date.today())  # noqa: DTZ011 - a calendar date
    order = []
    for reg_id, candidate_id, expires_on, countersign, waiting, last_evidence, last_mapping in registrations:
        activity = [t for t in (last_evidence, last_mapping) if t]
        plan_review, plan_review_state = reviews_due.get(reg_id, (None, ""))
        order.append(
            CaseloadUrgency(
                registration_id=reg_id,
                candidate_id=candidate_id,
                expires_on=expires_on,
                evidence_waiting=waiting or 0,
                awaiting_countersignature=countersign or 0,
                last_activity=max(activity) if activity else None,
                plan_review=plan_review,
                plan_review_state=plan_review_state,
            )
        )
    order.sort(key=CaseloadUrgency.key)
    return CaseloadRows(order)


# --- registration: the units to choose, under their group headings, and the running tally ------------------
NOT_ASSESSABLE_NOTE = (
    "content not in the catalogue: cannot be assessed until its learning outcomes and "
    "criteria are imported (python manage.py import_catalogue FILE)"
)


@dataclass
class UnitChoice:
    unit: Unit
    status: str
    group: str | None

    @property
    def assessable(self) -> bool:
        return self.unit.has_criteria_text


def registration_unit_groups(qualification) -> list[tuple[str, list[UnitChoice]]]:
    """[(heading, [units])]: the mandatory units, then each optional group in the handbook's order."""
    memberships = (
        QualificationUnit.objects.filter(qualification=qualification)
        .select_related("unit", "group")
        .order_by("group__order", "order", "unit__number")
    )
    groups: dict[str, list[UnitChoice]] = {}
    for m in memberships:
        heading = (
            "Mandatory units"
            if m.status == QualificationUnit.Status.MANDATORY
            else (m.group.name if m.group_id else "Optional units")
        )
        groups.setdefault(heading, []).append(
            UnitChoice(m.unit, m.status, m.group.name if m.group_id else None)
        )
    ordered = sorted(groups.items(), key=lambda kv: kv[0] != "Mandatory units")
    return ordered


@dataclass
class ChoiceTally:
    total_credits: int
    credits_by_level: dict[str, int]
    rules: list  # qualifications.rules.RuleResult, each with met True / False / None
    still_to_choose: list[str]
    not_assessable: list[Unit]

    @property
    def complete(self) -> bool:
        return not self.still_to_choose


def choice_tally(qualification, optional_units) -> ChoiceTally:
    """Credits, credits per level and each rule of combination for the mandatory plus the chosen units."""
    spec = specs.qualification_spec(qualification)
    optional_units = list(optional_units)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    verdict = rules.evaluate(spec, mandatory + [u.ref for u in optional_units])
    chosen = set(mandatory) | {u.ref for u in optional_units}
    not_assessable = list(Unit.objects.filter(ref__in=chosen, has_criteria_text=False).order_by("number"))
    return ChoiceTally(
        verdict.total_credits,
        verdict.credits_by_level,
        verdict.rules,
        [r.message for r in verdict.rules if r.met is False],
        not_assessable,
    )


def registration_choice(registration) -> ChoiceTally:
    return choice_tally(registration.qualification, registration.optional_units.all())


def date_extensions_visible_to(user):
    """Awarding-body date extensions of the centres the user administers."""
    from .models import AwardingBodyExtension

    return AwardingBodyExtension.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])
    ).select_related("qualification", "centre", "recorded_by")


# --- the employer's confirmation on the summary of unit achievement (assessment/employer.py) ---------------


def employer_confirmations_of(registration) -> list[EmployerConfirmation]:
    """The registration's requests, newest first, with their units (two queries)."""
    return list(
        EmployerConfirmation.objects.filter(registration=registration)
        .select_related("signature")
        .prefetch_related("units")
    )


def latest_confirmed(registration) -> EmployerConfirmation | None:
    """The newest confirmation the employer gave (what the summary of unit achievement prints)."""
    return (
        EmployerConfirmation.objects.filter(
            registration=registration, outcome=EmployerConfirmation.Outcome.CONFIRMED
        )
        .select_related("signature")
        .prefetch_related("units")
        .order_by("-used_at", "-id")
        .first()
    )

"""Reads for the catalogue. `qualifications_visible_to(user)` / `units_visible_to(user)` decide who sees it.

The catalogue is public knowledge inside the system: every person who holds a role in a centre, and
external verifiers, may browse all of it. People with no role see nothing (404).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet

from audit.dates import DATE

from .models import (
    AssessmentCriterion,
    EvidenceGuideRow,
    EvidenceRequirement,
    LearningOutcome,
    OptionalGroup,
    Qualification,
    QualificationUnit,
    RangeItem,
    Rule,
    Unit,
)
from .validation import (
    ERROR,
    GROUP_FIELDS,
    QUALIFICATION_FIELDS,
    UNIT_FIELDS,
    Problem,
    rule_in_words,
    validate_catalogue_data,
)


def _may_browse(user) -> bool:
    return bool(user.is_authenticated and (user.role_set or user.is_superuser))


def qualifications_visible_to(user) -> QuerySet[Qualification]:
    if not _may_browse(user):
        return Qualification.objects.none()
    return Qualification.objects.all()


def units_visible_to(user) -> QuerySet[Unit]:
    if not _may_browse(user):
        return Unit.objects.none()
    return Unit.objects.all()


def qualification_list(user):
    """The qualifications with their unit counts, in code order (one query)."""
    return (
        qualifications_visible_to(user)
        .annotate(
            unit_count=Count("memberships", distinct=True),
            incomplete_rules=Count("rules", filter=Q(rules__is_complete=False), distinct=True),
        )
        .order_by("code")
    )


def evidence_rules(qualification, units) -> list[dict]:
    """The handbook's evidence rules and exceptions for this qualification, in its words with where it states
    them: the qualification-wide setting rule, the last dates, which units accept staged drills, where
    knowledge evidence may be simulated, and every "N of the following" (two queries)."""
    out = []
    if qualification.evidence_context_note:
        out.append(
            {
                "title": "Where evidence may come from (every unit of the qualification, shared units too)",
                "text": qualification.evidence_context_note,
                "source": qualification.evidence_context_source,
            }
        )
    if qualification.last_registration_date or qualification.last_certification_date:
        parts = []
        if qualification.last_registration_date:
            parts.append(f"Last registration date {qualification.last_registration_date:{DATE}}")
        if qualification.last_certification_date:
            parts.append(f"Last certification date {qualification.last_certification_date:{DATE}}")
        out.append(
            {
                "title": "Last dates (refused after them unless the awarding body extends them)",
                "text": "; ".join(parts),
                "source": qualification.dates_source,
            }
        )
    for condition in qualification.entry_conditions or []:
        page = f", page {condition['page']}" if condition.get("page") else ""
        out.append(
            {
                "title": "Entry condition (the centre admin confirms it for each candidate at registration)",
                "text": condition.get("text", ""),
                "source": condition.get("source", "") + page,
            }
        )
    for unit in units:
        if unit.staged_drills_allowed:
            out.append(
                {
                    "title": f"Unit {unit.number}: staged emergency drills accepted",
                    "text": unit.evidence_context_note,
                    "source": unit.evidence_context_source,
                }
            )
    knowledge_free = [u for u in units if u.simulation_allowed is False and u.knowledge_simulation_allowed]
    if knowledge_free:
        out.append(
            {
                "title": "Knowledge criteria may be met by simulation in units "
                + ", ".join(u.number for u in knowledge_free)
                + " (simulation is barred for performance "
                "evidence only)",
                "text": "Simulation is not allowed for any performance evidence within this Unit.",
                "source": "evidence requirement 1 of each of these units",
            }
        )
    barred = [u for u in units if u.simulation_allowed is False and u.knowledge_simulation_allowed is False]
    if barred:
        out.append(
            {
                "title": "No simulation for any evidence in units " + ", ".join(u.number for u in barred),
                "text": "Simulation is not allowed for any evidence within this Unit.",
                "source": "evidence requirement 1 of each of these units",
            }
        )
    unit_ids = [u.pk for u in units]
    for item in RangeItem.objects.filter(unit_id__in=unit_ids, min_count__isnull=False).select_related(
        "unit"
    ):
        out.append(
            {
                "title": f"Unit {item.unit.number} range {item.ref}: {item.min_count} of its sub-items",
                "text": item.text,
                "source": item.min_count_source,
            }
        )
    parents = (
        EvidenceRequirement.objects.filter(
            unit_id__in=unit_ids, min_count__isnull=False, children__isnull=False
        )
        .distinct()
        .select_related("unit")
    )
    for item in parents:
        out.append(
            {
                "title": f"Unit {item.unit.number} evidence requirement {item.ref}: {item.min_count} of its "
                f"sub-items",
                "text": item.text,
                "source": f"unit {item.unit.number}, evidence requirement {item.ref}",
            }
        )
    return out


def qualification_structure(user, code: str) -> dict | None:
    """A qualification's page: groups, mandatory and optional units, rules in plain words, warnings."""
    qualification = (
        qualifications_visible_to(user)
        .filter(code=code)
        .prefetch_related(
            Prefetch("groups", queryset=OptionalGroup.objects.order_by("order", "name")),
            Prefetch("rules", queryset=Rule.objects.order_by("order")),
        )
        .first()
    )
    if qualification is None:
        return None
    memberships = list(
        QualificationUnit.objects.filter(qualification=qualification)
        .select_related("unit", "group")
        .order_by("order", "unit__number")
    )
    mandatory = [m for m in memberships if m.status == QualificationUnit.Status.MANDATORY]
    groups = [
        {
            "group": group,
            "memberships": [m for m in memberships if m.group_id == group.pk and m not in mandatory],
        }
        for group in qualification.groups.all()
    ]
    ungrouped = [m for m in memberships if m.group_id is None and m not in mandatory]
    rules = [
        {"rule": rule, "words": rule_in_words(rule.kind, rule.params, is_complete=rule.is_complete)}
        for rule in qualification.rules.all()
    ]
    problems = qualification_problems(qualification)
    credited = [m.unit.credits for m in memberships if m.unit.credits is not None]
    return {
        "evidence_rules": evidence_rules(qualification, [m.unit for m in memberships]),
        "not_assessable": [m.unit for m in memberships if not m.unit.has_criteria_text],
        "qualification": qualification,
        "mandatory": mandatory,
        "groups": groups,
        "ungrouped": ungrouped,
        "rules": rules,
        "problems": problems,
        "certifiable": not [p for p in problems if p.blocks_certification],
        "unit_count": len(memberships),
        "known_credits": sum(credited),
        "defects": [line for line in qualification.defects.splitlines() if line.strip()],
    }


def unit_page(user, ref: str) -> dict | None:
    """A unit's page: outcomes with criteria, range, evidence requirements and guide, qualifications using it."""
    unit = units_visible_to(user).filter(ref=ref).first()
    if unit is None:
        return None
    outcomes = list(LearningOutcome.objects.filter(unit=unit).order_by("number"))
    criteria = defaultdict(list)
    for criterion in AssessmentCriterion.objects.filter(unit=unit).order_by(
        "outcome__number", "number", "ref"
    ):
        criteria[criterion.outcome_id].append(criterion)
    range_items = list(RangeItem.objects.filter(unit=unit).order_by("order", "ref"))
    range_by_outcome = defaultdict(list)
    for item in range_items:
        range_by_outcome[item.outcome_id].append(item)
    requirements = list(EvidenceRequirement.objects.filter(unit=unit).order_by("order", "ref"))
    for r in requirements:
        r.method_label = r.method.replace("_", " ")
    top_requirements = [r for r in requirements if r.parent_id is None]
    children = defaultdict(list)
    for r in requirements:
        if r.parent_id is not None:
            children[r.parent_id].append(r)
    memberships = list(
        QualificationUnit.objects.filter(unit=unit)
        .select_related("qualification", "group")
        .order_by("qualification__code")
    )
    return {
        "unit": unit,
        "outcomes": [
            {"outcome": o, "criteria": criteria.get(o.pk, []), "range": range_by_outcome.get(o.pk, [])}
            for o in outcomes
        ],
        "unit_range": range_by_outcome.get(None, []),
        "requirements": [{"requirement": r, "children": children.get(r.pk, [])} for r in top_requirements],
        "guide": list(EvidenceGuideRow.objects.filter(unit=unit).order_by("order")),
        "memberships": memberships,
        "defects": [line for line in unit.defects.splitlines() if line.strip()],
        "criterion_count": sum(len(v) for v in criteria.values()),
    }


def unit_search(user, query: str, *, limit: int = 50) -> list[Unit]:
    """Units whose number, reference or title matches; exact numbers first. One query."""
    query = (query or "").strip()
    if not query:
        return []
    matches = (
        units_visible_to(user)
        .filter(
            Q(number__iexact=query)
            | Q(ref__iexact=query)
            | Q(title__icontains=query)
            | Q(ref__icontains=query)
        )
        .prefetch_related(
            Prefetch("memberships", queryset=QualificationUnit.objects.select_related("qualification"))
        )
    )
    exact = query.lower()
    units = list(matches[: limit * 2])
    units.sort(key=lambda u: (u.number.lower() != exact and u.ref.lower() != exact, u.scheme, u.number))
    return units[:limit]


# --- export ---------------------------------------------------------------------------------------


def _unit_content(unit, content) -> dict:
    data = {name: getattr(unit, name) for name in UNIT_FIELDS}
    data.update(content.get(unit.pk, _EMPTY_CONTENT))
    return data


_EMPTY_CONTENT = {"outcomes": [], "range": [], "evidence_requirements": [], "evidence_guide": []}


def _content_for(units_filter) -> dict:
    """Outcomes, criteria, range, evidence requirements and guide rows per unit pk (five queries)."""
    content = {}

    def of(unit_id):
        if unit_id not in content:
            content[unit_id] = {
                "outcomes": [],
                "range": [],
                "evidence_requirements": [],
                "evidence_guide": [],
            }
        return content[unit_id]

    outcomes = {}
    for o in LearningOutcome.objects.filter(**units_filter).order_by("unit_id", "number"):
        outcomes[o.pk] = {"number": o.number, "title": o.title, "kind": o.kind, "criteria": []}
        of(o.unit_id)["outcomes"].append(outcomes[o.pk])
    for cr in AssessmentCriterion.objects.filter(**units_filter).order_by("outcome__number", "number", "ref"):
        outcomes[cr.outcome_id]["criteria"].append(
            {
                "number": cr.number,
                "ref": cr.ref,
                "text": cr.text,
                "kind": cr.kind,
                "guidance": cr.guidance,
                "defect": cr.defect,
            }
        )
    for item in (
        RangeItem.objects.filter(**units_filter).select_related("parent", "outcome").order_by("order", "ref")
    ):
        of(item.unit_id)["range"].append(
            {
                "ref": item.ref,
                "text": item.text,
                "order": item.order,
                "parent": item.parent.ref if item.parent_id else None,
                "outcome": item.outcome.number if item.outcome_id else None,
                "min_count": item.min_count,
                "min_count_source": item.min_count_source,
            }
        )
    for r in (
        EvidenceRequirement.objects.filter(**units_filter).select_related("parent").order_by("order", "ref")
    ):
        of(r.unit_id)["evidence_requirements"].append(
            {
                "ref": r.ref,
                "text": r.text,
                "order": r.order,
                "parent": r.parent.ref if r.parent_id else None,
                "min_count": r.min_count,
                "method": r.method,
                "criteria": list(r.criteria or []),
                "kind": r.kind,
            }
        )
    for row in EvidenceGuideRow.objects.filter(**units_filter).order_by("order"):
        of(row.unit_id)["evidence_guide"].append(
            {
                "order": row.order,
                "criteria_refs": row.criteria_refs,
                "evidence": row.evidence,
                "defect": row.defect,
            }
        )
    return content


def catalogue_export(codes=None) -> dict:
    """The catalogue (or the qualifications named by `codes`) in the export shape of validation.py.

    A constant number of queries whatever the size. With codes=None, units that belong to no
    qualification are listed under "units" so that export -> import loses nothing.
    """
    qualifications = Qualification.objects.order_by("code").prefetch_related(
        Prefetch("groups", queryset=OptionalGroup.objects.order_by("order", "name")),
        Prefetch("rules", queryset=Rule.objects.order_by("order")),
        Prefetch(
            "memberships",
            queryset=QualificationUnit.objects.select_related("unit", "group").order_by(
                "order", "unit__number"
            ),
        ),
    )
    if codes is not None:
        qualifications = qualifications.filter(code__in=list(codes))
        units_filter = {
            "unit__in": QualificationUnit.objects.filter(qualification__code__in=list(codes)).values(
                "unit_id"
            )
        }
    else:
        units_filter = {}
    qualifications = list(qualifications)
    content = _content_for(units_filter)
    out = {"qualifications": []}
    for q in qualifications:
        data = {name: getattr(q, name) for name in QUALIFICATION_FIELDS}
        for name in ("last_registration_date", "last_certification_date"):
            data[name] = data[name].isoformat() if data[name] else None
        data["groups"] = [{name: getattr(g, name) for name in GROUP_FIELDS} for g in q.groups.all()]
        data["rules"] = [
            {
                "order": r.order,
                "kind": r.kind,
                "params": r.params,
                "text": r.text,
                "is_complete": r.is_complete,
                "incomplete_reason": r.incomplete_reason,
            }
            for r in q.rules.all()
        ]
        data["units"] = [
            {
                **_unit_content(m.unit, content),
                "status": m.status,
                "group": m.group.name if m.group_id else None,
                "order": m.order,
            }
            for m in q.memberships.all()
        ]
        out["qualifications"].append(data)
    if codes is None:
        out["units"] = [
            _unit_content(unit, content)
            for unit in Unit.objects.filter(memberships__isnull=True).order_by("scheme", "number", "ref")
        ]
    return out


# --- validation and certification ---------------------------------------------------------------


def catalogue_problems() -> list[Problem]:
    """Every problem in the catalogue as stored (errors and incomplete-data warnings)."""
    return validate_catalogue_data(catalogue_export())


def qualification_problems(qualification) -> list[Problem]:
    """The problems of one qualification and its units (a constant number of queries)."""
    return validate_catalogue_data(catalogue_export(codes=[qualification.code]))


def qualification_is_certifiable(qualification) -> tuple[bool, list[str]]:
    """The certification gate: (True, []) only when the qualification's data is complete and valid.

    A qualification whose rules of combination are incomplete or not stated, or whose units lack the
    credit values its rules count, can never be certified until someone completes the data.
    """
    if isinstance(qualification, str):
        qualification = Qualification.objects.get(code=qualification)
    blocking = [
        p for p in qualification_problems(qualification) if p.severity == ERROR or p.blocks_certification
    ]
    return (not blocking, [f"{p.record}: {p.message}" for p in blocking])

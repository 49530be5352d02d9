"""The plan's coverage, counted by the database, and what the plan page shows (overview, grid, labels)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from assessment.models import EvidenceMapping, Method, Registration
from qualifications.models import Unit

from .. import sampling
from ..models import CandidateSite, PoolEntry, SamplingPlan, Stage
from . import summary
from .pool import Pool, _full_sample_flags, plan_pool
from .pool_sql import _pool_sql


@dataclass
class PlanCoverage:
    """The plan's requirements met and not met (the same Needs as sampling.coverage over plan_pool), counted by
    the database; `people` names the assessors."""

    needs: list[sampling.Need]
    people: dict[str, str]
    flags: dict[str, str]
    unsampled_assessors: list[str]
    unsampled_units: list[str]
    unsampled_methods: list[str]
    unsampled_sites: list[str]
    units: list[str] = field(default_factory=list)  # every unit of the pool (the grid's columns)
    candidates: int = 0  # registrations with a decision in the pool
    unsampled_candidates: int = 0  # ... with none of them sampled

    @property
    def met(self) -> int:
        return sum(1 for n in self.needs if n.met)


def _summary_sql(plan) -> tuple[str, list]:
    """The pool as the CTE `pool`, read from the plan's summary rows (the same columns as pool_sql's, plus the
    unit's methods)."""
    entry = PoolEntry._meta.db_table
    return (
        f"""WITH pool AS (SELECT unit_assessment_id AS ua_id, stage, assessor_id, registration_id AS reg_id,
                               unit_id, sampled, methods FROM {entry} WHERE plan_id = %s)""",  # noqa: S608 - table names only
        [plan.pk],
    )


def plan_coverage(plan, flags: dict[str, str] | None = None, exact: bool = False) -> PlanCoverage:
    """What the plan needs and what is sampled, by assessor, unit, method, site and stage: counted by one aggregate
    query over the plan's summary rows (brought up to date first) and kept on the plan until they change
    (summary.refresh), the assessors and units then named by one query, plus three reading who is sampled in
    full, whatever the size of the centre. `exact`: counted from the pool's definition itself (pool_sql), the
    reference the summary is tested against (and what an unsaved change to `plan` needs)."""
    if flags is None:
        flags = _full_sample_flags(plan)
    if exact:
        counts = _count(plan, *_pool_sql(plan), exact=True)
    else:
        counts = summary.refresh(plan, count=lambda: _count(plan, *_summary_sql(plan))) or []
    rows = _named(counts)
    plain = sampling.SamplingPlan(
        min_share=plan.min_share_percent / 100, full_sample_assessors=frozenset(flags)
    )
    order = {"candidates": -1, "assessor": 0, "unit": 1, "method": 2, "site": 3, "stage": 4}
    needs, people, unsampled_assessors, units = [], {}, [], []
    candidates = candidates_sampled = 0
    for kind, key, count, have, first, last in sorted(rows, key=lambda r: (order[r[0]], r[1])):
        if kind == "candidates":
            candidates, candidates_sampled = count, have
            continue
        if kind == "unit":
            units.append(key)
            if not plan.cover_units:
                continue
        if kind == "assessor":
            people[key] = f"{first} {last}".strip() or key
            q = sampling.quota(plain, key, count)
            needs.append(sampling.Need("assessor", key, q, min(q, have)))
            if not have:
                unsampled_assessors.append(key)
        else:
            needs.append(sampling.Need(kind, key, 1, int(bool(have))))
    unmet = {
        kind: [n.key for n in needs if n.kind == kind and not n.met] for kind in ("unit", "method", "site")
    }
    return PlanCoverage(
        needs,
        people,
        flags,
        unsampled_assessors,
        unmet["unit"],
        unmet["method"],
        unmet["site"],
        units,
        candidates,
        candidates - candidates_sampled,
    )


def _count(plan, pool: str, params: list, exact: bool = False) -> list[list]:
    """The plan's coverage counts over the pool CTE `pool`: [kind, key, count, sampled] rows, assessors and units by
    their ids (named when read, so that a renamed assessor or unit is never shown by an old name)."""
    from django.db import connection

    mapping, site = EvidenceMapping._meta.db_table, CandidateSite._meta.db_table
    parts = [
        """SELECT 'assessor', CAST(p.assessor_id AS TEXT), COUNT(DISTINCT p.reg_id),
                  COUNT(DISTINCT CASE WHEN p.sampled = 1 THEN p.reg_id END) FROM pool p GROUP BY p.assessor_id"""
    ]
    # the candidates (the grid's rows) and those with something sampled: the pages' counts, in the same query
    parts.append("""SELECT 'candidates', '', COUNT(DISTINCT p.reg_id),
                           COUNT(DISTINCT CASE WHEN p.sampled = 1 THEN p.reg_id END) FROM pool p""")
    # the units are the grid's columns: counted whether the plan needs them or not
    parts.append("SELECT 'unit', CAST(p.unit_id AS TEXT), 1, MAX(p.sampled) FROM pool p GROUP BY p.unit_id")
    if plan.cover_methods and exact:
        # One probe per method (the field's choices) of the index on (registration, unit, method), stopping at the
        # first decision found, rather than every mapping of the pool grouped by method.
        has = (
            f"EXISTS (SELECT 1 FROM pool p WHERE {{}}EXISTS (SELECT 1 FROM {mapping} m WHERE "  # noqa: S608 - table names and constants only
            f"m.registration_id = p.reg_id AND m.unit_id = p.unit_id AND m.method = %s))"
        )
        for code in Method.values:
            parts.append(f"""SELECT 'method', %s, 1, CASE WHEN {has.format("p.sampled = 1 AND ")} THEN 1 ELSE 0 END
                             WHERE {has.format("")}""")  # noqa: S608 - table names and constants only
            params = params + [code, code, code]
    elif plan.cover_methods:
        # the summary rows carry each unit's methods (",observation,questioning,")
        for code in Method.values:
            parts.append("""SELECT 'method', %s, 1, MAX(p.sampled) FROM pool p WHERE p.methods LIKE %s
                            HAVING COUNT(*) > 0""")
            params = params + [code, f"%,{code},%"]
    if plan.cover_sites:
        parts.append(f"""SELECT 'site', cs.site, 1, MAX(p.sampled) FROM pool p
                         JOIN {site} cs ON cs.registration_id = p.reg_id WHERE cs.site <> '' GROUP BY cs.site""")  # noqa: S608 - table names and constants only
    if plan.stages:
        parts.append(f"""SELECT 'stage', p.stage, 1, MAX(p.sampled) FROM pool p
                         WHERE p.stage IN ({", ".join("%s" for _ in plan.stages)}) GROUP BY p.stage""")  # noqa: S608 - table names and constants only
        params = params + [str(s) for s in plan.stages]
    with connection.cursor() as cursor:
        cursor.execute(pool + "\n" + "\nUNION ALL\n".join(parts), params)
        return [[kind, key, int(n), int(have or 0)] for kind, key, n, have in cursor.fetchall()]


def _named(counts: list[list]) -> list[tuple]:
    """The counts with their assessors (username, first and last names) and units (refs) read now: one query.
    Units sharing a ref are one column, sampled if any of them is."""
    from django.db import connection

    user, unit = User._meta.db_table, Unit._meta.db_table
    user_ids = [int(key) for kind, key, _, _ in counts if kind == "assessor"] or [0]
    unit_ids = [int(key) for kind, key, _, _ in counts if kind == "unit"] or [0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 'assessor', id, username, first_name, last_name FROM {user} "  # noqa: S608 - table names only
            f"WHERE id IN ({', '.join('%s' for _ in user_ids)}) UNION ALL "
            f"SELECT 'unit', id, ref, '', '' FROM {unit} WHERE id IN ({', '.join('%s' for _ in unit_ids)})",
            user_ids + unit_ids,
        )
        names = {(kind, str(pk)): (name, first, last) for kind, pk, name, first, last in cursor.fetchall()}
    rows, units = [], {}
    for kind, key, n, have in counts:
        if kind == "unit":
            ref = names.get((kind, key), (key,))[0]
            units[ref] = max(units.get(ref, 0), have)
        elif kind == "assessor":
            username, first, last = names.get((kind, key), (key, "", ""))
            rows.append((kind, username, n, have, first, last))
        else:
            rows.append((kind, key, n, have, "", ""))
    return rows + [("unit", ref, 1, have, "", "") for ref, have in units.items()]


def _pool_registrations(plan, having: str = "") -> QuerySet[Registration]:
    """The registrations of the plan's summary rows (refreshed by plan_coverage, which the pages call first)."""
    pool, params = _summary_sql(plan)
    ids = RawSQL(f"{pool} SELECT reg_id FROM pool GROUP BY reg_id {having}", params)  # noqa: S608, S611 - constants only
    return (
        Registration.objects.filter(pk__in=ids)
        .select_related("candidate")
        .order_by("candidate__first_name", "candidate__last_name", "candidate__username", "pk")
    )


def summary_decisions(plan, registration_ids) -> list[sampling.Decision]:
    """The pool's decisions of these registrations (a page of them) read from the plan's summary rows, which the
    caller has brought up to date (plan_coverage refreshes them): the same decisions plan_pool builds from the
    models, in two queries."""
    from .pool import decision_key

    ids = sorted(set(registration_ids))
    sites = dict(
        CandidateSite.objects.filter(registration_id__in=ids or [0])
        .order_by()
        .values_list("registration_id", "site")
    )
    return [
        sampling.Decision(
            id=decision_key(ua_id, stage),
            assessor=assessor,
            candidate=f"r{reg_id}",
            unit=unit,
            methods=frozenset(m for m in methods.split(",") if m),
            site=sites.get(reg_id, ""),
            stage=stage,
        )
        for ua_id, stage, assessor, reg_id, unit, methods in PoolEntry.objects.filter(
            plan=plan, registration_id__in=ids or [0]
        )
        .order_by()
        .values_list(
            "unit_assessment_id", "stage", "assessor__username", "registration_id", "unit__ref", "methods"
        )
    ]


class Counted:
    """A queryset whose count is already known (counted by an aggregate query): a paginator slices it without
    counting it again."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def plan_candidates(plan, count: int | None = None):
    """The registrations with a decision in the plan's pool, by candidate name: the rows of the grid, to page
    (`count`: PlanCoverage.candidates, so the page does not count them again)."""
    registrations = _pool_registrations(plan)
    return registrations if count is None else Counted(registrations, count)


def plan_unsampled_candidates(plan) -> QuerySet[Registration]:
    """The registrations of the pool with none of their decisions sampled, by candidate name."""
    return _pool_registrations(plan, "HAVING MAX(sampled) = 0")


def plan_page_grid(plan, registrations, units, verifier=None, flags=None) -> list[dict]:
    """The coverage grid's rows for these registrations (a page): one cell per unit, the decisions in it sampled,
    the verifier's own, or to sample. The pool is read for these registrations only."""
    registrations = list(registrations)
    pool = plan_pool(
        plan, verifier=verifier, registration_ids=[r.pk for r in registrations], flags=flags or {}
    )
    overview = PlanOverview(pool, None, None, units, [f"r{r.pk}" for r in registrations])
    return plan_grid(overview, overview.candidates)


def latest_generation(plan, user):
    """The user's latest sample generation for the plan (the proposal the plan page shows), or None."""
    from ..models import SampleGeneration

    return (
        SampleGeneration.objects.filter(plan=plan, requested_by=user).order_by("-created_at", "-id").first()
    )


def method_label(code: str) -> str:
    return Method(code).label if code in Method.values else code


def stage_label(code: str) -> str:
    return Stage(code).label if code in Stage.values else code


def describe_need(need: sampling.Need, people: dict[str, str]) -> str:
    """A plan requirement in words, people by their names and methods and stages by their labels."""
    if need.kind == "assessor":
        return f"Assessor {people.get(need.key, need.key)}: {need.have} of {need.needed} candidates sampled"
    name = {
        "unit": f"Unit {need.key}",
        "method": f"Method {method_label(need.key).lower()}",
        "site": f"Site {need.key}",
        "stage": f"{stage_label(need.key)} stage",
    }.get(need.kind, need.key)
    return f"{name}: sampled" if need.met else f"{name}: not yet sampled"


@dataclass
class PlanOverview:
    pool: Pool
    proposal: sampling.Proposal
    coverage: sampling.Coverage
    units: list[str]
    candidates: list[str]  # candidate keys in name order: the rows of the grid, paged by the plan page

    @property
    def grid(self) -> list[dict]:
        """Every candidate's row (the plan page draws one page of them with `plan_grid`)."""
        return plan_grid(self, self.candidates)


def plan_overview(plan: SamplingPlan, verifier=None) -> PlanOverview:
    """The plan's pool, proposal and coverage; for a `verifier`, without their own assessments."""
    pool = plan_pool(plan, verifier=verifier)
    proposal = sampling.propose_sample(pool.plain_plan, pool.decisions, already_sampled=pool.sampled_ids)
    cov = sampling.coverage(pool.plain_plan, pool.all_decisions, pool.sampled_ids)
    units = sorted({d.unit for d in pool.all_decisions})
    candidates = sorted(cov.by_candidate, key=lambda c: (pool.people.get(c, c), c))
    return PlanOverview(pool, proposal, cov, units, candidates)


def plan_grid(overview: PlanOverview, candidates) -> list[dict]:
    """The coverage grid's rows for `candidates` (keys): vertically each candidate, one cell per unit."""
    pool, wanted = overview.pool, set(candidates)
    cells: dict[tuple[str, str], list[sampling.Decision]] = defaultdict(list)
    for d in pool.all_decisions:
        if d.candidate in wanted:
            cells[(d.candidate, d.unit)].append(d)
    own = {d.id for d in pool.own}
    grid = []
    for candidate in candidates:
        row = {"candidate": pool.people.get(candidate, candidate), "cells": []}
        for unit in overview.units:
            row["cells"].append(
                {
                    "unit": unit,
                    "decisions": [
                        {
                            "key": d.id,
                            "stage": d.stage,
                            "stage_label": stage_label(d.stage),
                            "sampled": d.id in pool.sampled_ids,
                            "own": d.id in own,
                        }
                        for d in cells.get((candidate, unit), [])
                    ],
                }
            )
        grid.append(row)
    return grid

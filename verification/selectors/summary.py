"""The pool's summary rows: what the plan pages and the dashboards count coverage from.

`PoolEntry` holds one row per sampleable decision of a plan (the rows of pool_sql's CTE, with the unit's methods).
Writers never compute them: every change that can move a decision in or out of a pool (a mapping, a sign-off or
reopening, a registration's status, assessor or site, a sample item; verification/receivers.py) writes a
`PoolStale` row for each plan of the registration's centre and qualification, in the same transaction. Readers
call `refresh(plan)` first: one query when nothing is stale; otherwise, under the plan's row lock, the stale
registrations' rows are rebuilt from the pool's definition and the stale rows read are deleted (by id, so a
change committed meanwhile stays marked). A plan whose `pool_built_at` is empty (new, edited, or loaded in
bulk) is rebuilt in full. The work is bounded by what changed since the last read, not by the centre.

The plan's coverage counts (by assessor, unit, method, site, stage: coverage.plan_coverage) are counted from
these rows once after each change and kept on the plan (`coverage_counts`, emptied whenever the rows are
rebuilt): an IV dashboard read with nothing changed does not count 12,500 rows again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from assessment.models import EvidenceMapping, Registration

from ..models import PoolEntry, PoolStale, SamplingPlan
from .pool_sql import _pool_sql

# More stale registrations than this: the plan is rebuilt in full (one query instead of a long IN list).
REBUILD_ALL_OVER = 500
DELETE_CHUNK = 900  # ids per DELETE (under SQLite's 999 parameters)


def refresh(plan, count: Callable[[], list] | None = None) -> list | None:
    """Bring the plan's summary rows up to date (see the module docstring). With `count` (a function counting the
    plan's coverage from its summary rows): its result, kept on the plan (`coverage_counts`) and counted again only
    when the rows have changed since, under the plan's row lock so that counts from older rows never overwrite
    newer ones. One query when nothing has changed."""
    state = (
        SamplingPlan.objects.filter(pk=plan.pk)
        .annotate(stale=Exists(PoolStale.objects.filter(plan_id=OuterRef("pk"))))
        .values_list("pool_built_at", "stale", "coverage_counts")
        .first()
    )
    if state is None:
        return None
    built_at, has_stale, counts = state
    if built_at is not None and not has_stale and (count is None or counts is not None):
        return counts
    with transaction.atomic():
        locked = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
        stale = list(PoolStale.objects.filter(plan_id=plan.pk).values_list("pk", "registration_id"))
        registration_ids = {r for _, r in stale}
        rebuilt = locked.pool_built_at is None or len(registration_ids) > REBUILD_ALL_OVER
        if rebuilt:
            _build(locked, None)
            locked.pool_built_at = timezone.now()
        elif registration_ids:
            _build(locked, registration_ids)
        changed = rebuilt or bool(registration_ids)
        ids = [pk for pk, _ in stale]
        for start in range(0, len(ids), DELETE_CHUNK):
            PoolStale.objects.filter(pk__in=ids[start : start + DELETE_CHUNK]).delete()
        counts = None if changed else locked.coverage_counts
        if count is not None and counts is None:
            counts = count()
        if rebuilt or counts != locked.coverage_counts:
            SamplingPlan.objects.filter(pk=plan.pk).update(
                pool_built_at=locked.pool_built_at, coverage_counts=counts
            )
        return counts


def _build(plan, registration_ids) -> None:
    """Replace the plan's rows (of `registration_ids`, or all of them) by the pool's rows now."""
    entries = PoolEntry.objects.filter(plan_id=plan.pk)
    if registration_ids is None:
        mappings = EvidenceMapping.objects.filter(
            registration__in=Registration.objects.filter(
                centre_id=plan.centre_id, qualification_id=plan.qualification_id
            ).values("pk")
        )
    else:
        registration_ids = sorted(registration_ids)
        entries = entries.filter(registration_id__in=registration_ids)
        mappings = EvidenceMapping.objects.filter(registration_id__in=registration_ids)
    entries.delete()
    sql, params = _pool_sql(plan, registration_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + "\nSELECT ua_id, stage, assessor_id, reg_id, unit_id, sampled FROM pool", params)
        rows = cursor.fetchall()
    if not rows:
        return
    methods: dict[tuple[int, int], set[str]] = defaultdict(set)
    for reg_id, unit_id, method in (
        mappings.order_by().values_list("registration_id", "unit_id", "method").distinct()
    ):
        methods[(reg_id, unit_id)].add(method)
    PoolEntry.objects.bulk_create(
        [
            PoolEntry(
                plan_id=plan.pk,
                unit_assessment_id=ua_id,
                stage=stage,
                assessor_id=assessor_id,
                registration_id=reg_id,
                unit_id=unit_id,
                sampled=sampled,
                methods="".join(f",{m}" for m in sorted(methods[(reg_id, unit_id)])) + ",",
            )
            for ua_id, stage, assessor_id, reg_id, unit_id, sampled in rows
        ],
        batch_size=2000,
    )


def mark_stale(registration_ids) -> None:
    """Mark these registrations' rows stale in every plan of their centre and qualification (one query)."""
    ids = sorted({int(r) for r in registration_ids if r})
    if not ids:
        return
    _mark(f"r.id IN ({', '.join('%s' for _ in ids)})", ids)


def mark_stale_unit_assessments(unit_assessment_ids) -> None:
    """The same, for the registrations of these unit assessments."""
    from assessment.models import UnitAssessment

    ids = sorted({int(u) for u in unit_assessment_ids if u})
    if not ids:
        return
    ua = UnitAssessment._meta.db_table
    _mark(f"r.id IN (SELECT registration_id FROM {ua} WHERE id IN ({', '.join('%s' for _ in ids)}))", ids)  # noqa: S608 - table names only


def _mark(condition: str, params: list) -> None:
    stale, plan, reg = PoolStale._meta.db_table, SamplingPlan._meta.db_table, Registration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {stale} (plan_id, registration_id) SELECT p.id, r.id FROM {plan} p "  # noqa: S608 - table names only
            f"JOIN {reg} r ON r.centre_id = p.centre_id AND r.qualification_id = p.qualification_id "
            f"WHERE {condition}",
            params,
        )


def rebuild_later(plan_ids=None) -> int:
    """Have these plans (or every plan) rebuilt in full at their next read: after a bulk load that bypassed the
    models' signals, or a change of the plan itself. Returns the number of plans."""
    plans = SamplingPlan.objects.all() if plan_ids is None else SamplingPlan.objects.filter(pk__in=plan_ids)
    return plans.update(pool_built_at=None, coverage_counts=None)

"""The sampling pool's one definition in SQL: a CTE the summary rows are built from and the exact coverage counts."""

from __future__ import annotations

from datetime import timedelta

from assessment.models import EvidenceMapping, Registration, UnitAssessment

from ..models import SampleItem, Stage
from .pool import _day_start


def _pool_sql(plan, registration_ids=None) -> tuple[str, list]:
    """A CTE `pool` of the plan's sampleable decisions, one row per (unit assessment, stage): the same decisions
    as plan_pool (signed units signed inside the period, a transferred unit once confirmed here, open units with an assessment decision inside it, and
    whatever was sampled since), with `sampled` 1 or 0. Everything is reduced by the database: no mapping row
    reaches Python. `registration_ids`: only these registrations' decisions (each the same as in the whole pool).

    The one definition of the pool in SQL: the summary rows (summary.py) are built from it, and the exact
    coverage (`plan_coverage(..., exact=True)`) counts it directly."""
    ua, reg = UnitAssessment._meta.db_table, Registration._meta.db_table
    item, mapping = SampleItem._meta.db_table, EvidenceMapping._meta.db_table
    start, end = _day_start(plan.period_start), _day_start(plan.period_end + timedelta(days=1))
    params: list = [plan.centre_id, plan.qualification_id, Registration.Status.WITHDRAWN]
    only = ""
    if registration_ids is not None:
        ids = sorted(set(registration_ids)) or [0]
        only = f" AND id IN ({', '.join('%s' for _ in ids)})"
        params += ids
    params.append(plan.pk)
    summative = f"ua.id IN (SELECT unit_assessment_id FROM sampled WHERE stage = '{Stage.SUMMATIVE.value}')"  # noqa: S608 - table names and constants only
    if plan.summative:
        # A transferred unit (signed at a sending centre) is left out until the assessor here confirms it; from
        # then on it is their decision, made when they confirmed it.
        summative = (
            "(ua.status = %s AND COALESCE(ua.transfer_confirmed_at, ua.signed_at) >= %s"
            " AND COALESCE(ua.transfer_confirmed_at, ua.signed_at) < %s"
            f" AND (ua.transferred_from = '' OR ua.transfer_confirmed_at IS NOT NULL)) OR {summative}"
        )
        params += [UnitAssessment.Status.SIGNED, start, end]
    interim = f"ua.id IN (SELECT unit_assessment_id FROM sampled WHERE stage = '{Stage.INTERIM.value}')"  # noqa: S608 - table names and constants only
    interim_params: list = []
    if plan.interim:
        interim = (
            f"(ua.status = %s AND EXISTS (SELECT 1 FROM {mapping} m WHERE m.registration_id = ua.registration_id"  # noqa: S608 - table names and constants only
            f" AND m.unit_id = ua.unit_id AND m.assessed_at >= %s AND m.assessed_at < %s)) OR {interim}"
        )
        interim_params = [UnitAssessment.Status.OPEN, start, end]
    sql = f"""
        WITH regs AS (SELECT id, assessor_id FROM {reg} WHERE centre_id = %s AND qualification_id = %s
                      AND status <> %s{only}),
        sampled AS (SELECT unit_assessment_id, stage FROM {item} WHERE plan_id = %s),
        pool AS (
          SELECT ua.id AS ua_id, '{Stage.SUMMATIVE.value}' AS stage,
                 COALESCE(ua.signed_by_id, ua.transfer_confirmed_by_id, r.assessor_id) AS assessor_id, ua.registration_id AS reg_id, ua.unit_id AS unit_id,
                 CASE WHEN EXISTS (SELECT 1 FROM sampled s WHERE s.unit_assessment_id = ua.id
                                   AND s.stage = '{Stage.SUMMATIVE.value}') THEN 1 ELSE 0 END AS sampled
          FROM {ua} ua JOIN regs r ON r.id = ua.registration_id WHERE {summative}
          UNION ALL
          SELECT ua.id, '{Stage.INTERIM.value}', r.assessor_id, ua.registration_id, ua.unit_id,
                 CASE WHEN EXISTS (SELECT 1 FROM sampled s WHERE s.unit_assessment_id = ua.id
                                   AND s.stage = '{Stage.INTERIM.value}') THEN 1 ELSE 0 END
          FROM {ua} ua JOIN regs r ON r.id = ua.registration_id WHERE {interim}
        )"""  # noqa: S608 - table names and constants only
    return sql, params + interim_params

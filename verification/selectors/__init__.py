"""Reads for verification. The `*_visible_to(user)` querysets are the only place that decides who sees what.

Internal verifiers and centre admins see the sampling of the centres where they hold that role; external
verifiers see only the registrations of their active grants (`ev_registrations_visible_to`), and nothing
else in the system.

One module per section; this package re-exports their names, so callers write
`from verification import selectors` / `selectors.plan_pool(...)`.

- visibility: who sees which plans, sample items, decisions, flags, grants, claims and candidate sites
- external_verifier: external verifiers' grants, the registrations and evidence those grants open, the access log
- assessed_by: who assessed a unit (the own-assessment rule)
- pool: the sampling pool: the plan's sampleable decisions, their keys and the full-sample flags
- pool_sql: the pool's one definition in SQL (a CTE)
- summary: the pool's summary rows (PoolEntry), kept up to date from PoolStale marks, that coverage counts
- coverage: the plan's coverage counted by the database, and the plan page (overview, grid, labels)
- decisions: sample item states, referrals, sign-off blockers, IV signatures, the sampling record
- claims: certification claims: the checks before a claim, the claim summaries
- dashboards: the home pages of the internal verifier, the centre admin and the external verifier
"""

from . import summary
from .assessed_by import assessors_of
from .claims import (
    ClaimCheck,
    ClaimSummary,
    _plan_reasons,
    claim_candidate_registrations,
    claim_candidates_for,
    claim_checks,
    claim_summaries,
    claim_summary,
    today,
)
from .coverage import (
    Counted,
    PlanCoverage,
    PlanOverview,
    _pool_registrations,
    describe_need,
    latest_generation,
    method_label,
    plan_candidates,
    plan_coverage,
    plan_grid,
    plan_overview,
    plan_page_grid,
    plan_unsampled_candidates,
    stage_label,
    summary_decisions,
)
from .dashboards import centre_admin_dashboard, ev_dashboard, iv_dashboard
from .decisions import (
    ItemState,
    IVSignature,
    MappingState,
    RecordDecision,
    RecordEntry,
    decisions_waiting_for,
    item_mappings,
    item_states,
    iv_signatures_for,
    mapping_label,
    mapping_states,
    open_referrals_for,
    referral_answer_url,
    referral_answer_url_for,
    referral_marks,
    referral_what,
    referrals_for_assessor,
    reinstate_blockers,
    sampling_record_for,
    sign_off_blockers,
)
from .external_verifier import (
    EvScope,
    EvUnitReview,
    _granted_registrations_q,
    _sampled_items,
    _whole_registration_ids,
    access_log_for,
    active_grants_for,
    ev_evidence_condition,
    ev_evidence_trail,
    ev_grant_for_evidence,
    ev_granted_registration_ids,
    ev_registrations_visible_to,
    ev_scope_for,
    ev_unit_review,
    grant_for_registration,
)
from .pool import Pool, _day_start, _full_sample_flags, decision_key, parse_decision_key, plan_pool
from .pool_sql import _pool_sql
from .visibility import (
    IV_OR_ADMIN,
    claims_visible_to,
    decisions_visible_to,
    external_verifiers_known_to,
    flags_visible_to,
    grants_visible_to,
    plans_visible_to,
    sample_items_visible_to,
    sites_visible_to,
)

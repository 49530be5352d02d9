"""Writes for assessment: each decision is one atomic function that validates, saves and audits.

One module per entity; this package re-exports their public names, so callers write
`from assessment import services` / `services.unit_sign_off(...)` and tests import the messages from here.

- messages: every message a user can meet (one wording each) and the statements signed
- common: raising a message, the registration lock and the unit assessment locks (the lock order is there)
- transitions: the only writers of Registration.status and UnitAssessment.status; withdraw and reinstate
- dates: the registration period, the last registration / certification dates and their extensions
- registrations: registering a candidate and changing the registration
- mappings: evidence mapped to criteria, range items and requirements, and the decisions on each mapping
- sign_off: authenticity statement, sign-off, countersignature, reopening
- transfers: units that arrive signed from a sending centre (a passport import), confirmed or withdrawn here
- records: observation, questioning and professional discussion records
- skills_scans, action_plans, reports, feedback: induction, the assessment plan, the 2006 report, feedback
"""

from ..permissions import REGISTRATION_LOCKED, registration_lock_message
from .action_plans import action_plan_agree, action_plan_create, action_plan_review
from .common import add_months
from .dates import awarding_body_extension_record, date_problem, last_date, registration_extend
from .feedback import feedback_give
from .mappings import mapping_add, mapping_decide, mapping_remove, unit_assessment_ensure
from .messages import (
    ALREADY_REGISTERED,
    ALREADY_SIGNED,
    AUTHENTICITY_ALREADY,
    AUTHENTICITY_STATEMENT,
    BAD_PASSWORD,
    BAD_STATUS_ACTION,
    CANDIDATE_IS_STAFF,
    CANNOT_SIGN,
    CLAIM_AFTER_LAST_DATE,
    CONTEXT_REFUSED,
    COUNTERSIGNATURE_STATEMENT,
    COUNTERSIGNER_NOT_QUALIFIED,
    ENTRY_CONDITIONS_NOT_CONFIRMED,
    EVIDENCE_CHANGED,
    EVIDENCE_NOT_CANDIDATES,
    EXTENSION_DATE_NOT_LATER,
    EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK,
    EXTENSION_KIND_UNKNOWN,
    EXTENSION_NO_DATE,
    EXTENSION_REASON_REQUIRED,
    EXTENSION_REFERENCE_REQUIRED,
    IV_IS_ASSESSOR,
    NEXT_REVIEW_BEFORE_REVIEW,
    NOT_ASSESSOR,
    NOT_AWAITING_COUNTERSIGNATURE,
    NOT_CANDIDATE,
    NOT_CENTRE_ADMIN,
    NOT_IN_CENTRE,
    NOT_OPTIONAL_UNIT,
    NOT_SIGNED,
    NOT_SIGNED_SEE_LIST,
    NOTHING_TICKED,
    PLAN_ALREADY_AGREED,
    PLAN_NEEDS_ITEMS,
    REASON_REQUIRED,
    RECORD_ALREADY_SIGNED,
    RECORD_FUTURE_DATE,
    RECORD_LOCKED,
    RECORD_NEEDS_CRITERIA,
    REGISTRATION_AFTER_LAST_DATE,
    REGISTRATION_ENDED,
    REINSTATE_PERIOD_OVER,
    REINSTATE_REFUSED,
    REOPEN_NOT_ALLOWED,
    REOPEN_REASON_REQUIRED,
    REPORT_ALREADY_SIGNED,
    REPORT_FUTURE_DATE,
    REPORT_NEEDS_OUTCOME,
    REQUIREMENT_HAS_SUB_ITEMS,
    REQUIREMENT_NOT_MAPPABLE,
    REVIEW_DATE_BEFORE_PLAN,
    REVIEW_FUTURE_DATE,
    REVIEW_NEEDS_NOTES,
    SCAN_ALREADY_AGREED,
    SCAN_NEEDS_ACTIONS,
    SCAN_NEEDS_RATINGS,
    SCAN_OTHER_REGISTRATION,
    SELECTION_REFUSED,
    SELECTION_REFUSED_SEE_TALLY,
    SIGN_OFF_STATEMENT,
    STALE,
    TRANSFER_NEEDS_CENTRE,
    TRANSFER_NOT_OPEN,
    TRANSFER_NOT_PENDING,
    TRANSFER_REJECT_NEEDS_NOTE,
    TRANSFERRED_UNIT,
    TRANSITION_REFUSED,
    UNIT_IN_USE,
    UNIT_LOCKED,
    UNIT_NOT_IN_REGISTRATION,
    UNKNOWN_PLAN_METHOD,
    UNKNOWN_SETTING,
    WITHDRAW_REASON_REQUIRED,
)
from .records import RECORD_EVIDENCE_KIND, RECORDING_CATEGORIES, record_candidate_sign, record_create
from .registrations import (
    SelectionRefused,
    choice_still_to_make,
    entry_condition_source,
    entry_conditions_of,
    registration_create,
    registration_update,
    selection_problems,
    suggested_route,
    unknown_entry_conditions,
)
from .reports import assessment_report_create, assessment_report_sign
from .sign_off import (
    CannotSignOff,
    authenticity_sign,
    sign_off_problems,
    unit_countersign,
    unit_reopen,
    unit_sign_off,
)
from .skills_scans import skills_scan_agree, skills_scan_create
from .transfers import PriorMapping, unit_transfer_confirm, unit_transfer_in, unit_transfer_withdraw
from .transitions import (
    check_transition,
    registration_reinstate,
    registration_transition,
    registration_withdraw,
    unit_assessment_transition,
)

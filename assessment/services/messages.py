"""The messages a user can meet in assessment's services, one wording each (tests import them)."""

from __future__ import annotations

from audit.dates import DATE
from audit.signatures import STATEMENTS
from audit.signatures import Kind as SignatureKind

# --- messages a user can meet (tests import them) ---------------------------------------------------
NOT_CENTRE_ADMIN = "Only a centre admin of this centre can do this."
NOT_IN_CENTRE = "{person} is not a {role} at {centre}."
IV_IS_ASSESSOR = (
    "The internal verifier cannot be the candidate's assessor: nobody verifies their own assessments."
)
CANDIDATE_IS_STAFF = "A candidate cannot be their own assessor or internal verifier."
NOT_OPTIONAL_UNIT = "Unit {unit} is not an optional unit of {qualification}."
SELECTION_REFUSED = "This choice of units cannot lead to {qualification}: {problems}"
# The registration page names the broken rules once, in its tally ("Not yet: ..."), beside the units.
SELECTION_REFUSED_SEE_TALLY = (
    "This choice of units cannot lead to {qualification}: the rules marked “Not yet” in "
    "the tally below are broken."
)
UNKNOWN_ENTRY_CONDITIONS = (
    "{keys} is not an entry condition of {qualification} (its entry conditions: {known})."
)
REGISTERED_IN_FUTURE = "{date} is in the future: a registration date is today or earlier."
ALREADY_REGISTERED = (
    "{candidate} already has an active registration on {qualification}: change that registration's "
    "units instead of registering again."
)
ENTRY_CONDITIONS_NOT_CONFIRMED = (
    "{qualification} can be registered only once you confirm each entry condition its "
    "handbook states for the candidate. Not confirmed: {conditions}"
)
UNIT_IN_USE = "Unit {unit} cannot be removed: assessment decisions are recorded against it."
NOT_ASSESSOR = "Only the candidate's assessor can record assessment decisions."
NOT_CANDIDATE = "Only the candidate can do this."
UNIT_LOCKED = (
    "Unit {unit} is signed off and locked: reopen it first (internal verifier referral or centre admin)."
)
UNIT_NOT_IN_REGISTRATION = "Unit {unit} is not part of this registration."
# A unit that arrived signed from a sending centre (assessment/services/transfers.py): until its assessor here
# confirms or rejects it on the prior-learning page, nothing else may change it (it cannot be reopened either).
TRANSFERRED_UNIT = (
    "Unit {unit} is a transferred unit, signed at {centre}: it cannot be changed, signed or reopened here. "
    "The candidate's assessor confirms or rejects it on the prior-learning page; rejecting it opens the unit."
)
TRANSFER_NOT_PENDING = (
    "Unit {unit} is not a transferred unit waiting for confirmation: there is nothing to confirm or reject."
)
TRANSFER_NEEDS_CENTRE = "Name the sending centre the unit was signed at, and when."
TRANSFER_NOT_OPEN = "Unit {unit} already holds assessment work here: it cannot arrive signed from a passport."
TRANSFER_REJECT_NEEDS_NOTE = "Say why the transferred unit is rejected: the candidate and the IV read it."

EVIDENCE_NOT_CANDIDATES = "That evidence does not belong to this candidate."
NOTHING_TICKED = "Tick at least one criterion."
REASON_REQUIRED = "Say why the evidence is not yet enough: the candidate needs to know what to do."
CONTEXT_REFUSED = "{problem}"
EVIDENCE_CHANGED = (
    "“{title}” was changed by the candidate after you opened this page: {changes}. Nothing was saved: "
    "read the evidence as it is now, then decide again."
)
STALE = (
    "Someone else changed this unit while you had the page open (it is now at version {now}, you saw "
    "{seen}). Nothing was saved: reload the page and check before trying again."
)
BAD_PASSWORD = "Your password was not correct: the unit was not signed."
CANNOT_SIGN = "Unit {unit} cannot be signed off yet: {problems}"
# The unit's page lists the reasons (CannotSignOff.problems) once, under "Before the unit can be signed".
NOT_SIGNED_SEE_LIST = "Unit {unit} was not signed: what still stands in its way is listed above."
ALREADY_SIGNED = "Unit {unit} is already signed off."
NOT_AWAITING_COUNTERSIGNATURE = "This unit is not waiting for a countersignature."
COUNTERSIGNER_NOT_QUALIFIED = (
    "A countersignature must come from a qualified assessor of the centre who did not "
    "sign the unit and is not its internal verifier."
)
NOT_SIGNED = "Unit {unit} is not signed off, so there is nothing to reopen."
REOPEN_REASON_REQUIRED = "Write the reason for reopening a signed unit: it goes into the audit trail."
REOPEN_NOT_ALLOWED = (
    "Only the registration's internal verifier (by referral) or a centre admin can reopen a unit."
)
AUTHENTICITY_ALREADY = "You have already signed the authenticity statement for this unit."
RECORD_NEEDS_CRITERIA = "Reference at least one assessment criterion."
RECORD_FUTURE_DATE = (
    "The date is in the future: a record is of something the candidate has already done. Give "
    "the day you observed, questioned or discussed (dd/mm/yyyy)."
)
RECORD_LOCKED = "This record supports a signed-off unit and is locked."
PLAN_NEEDS_ITEMS = "Add at least one activity with a target date."
PLAN_ALREADY_AGREED = "You have already agreed this action plan."
RECORD_ALREADY_SIGNED = "You have already signed this record."
TRANSITION_REFUSED = "{entity} cannot go from “{was}” to “{to}”: nothing was changed."
BAD_STATUS_ACTION = "Choose withdraw or reinstate."
WITHDRAW_REASON_REQUIRED = "Write the reason for the withdrawal: it goes on the candidate's record."
REINSTATE_PERIOD_OVER = (
    f"The registration period ended on {{expires:{DATE}}}: a withdrawn candidate can be "
    "reinstated only within it. Record an extension first, or register the candidate again."
)
REINSTATE_REFUSED = "The registration cannot be reinstated: {problems}"
SCAN_NEEDS_RATINGS = "Rate at least one unit (1, 2 or 3) before saving the skills scan."
SCAN_NEEDS_ACTIONS = "Write the actions you and the candidate agreed: the assessment plan starts from them."
SCAN_ALREADY_AGREED = "You have already agreed this skills scan."
SCAN_OTHER_REGISTRATION = "That skills scan belongs to another registration."
UNKNOWN_PLAN_METHOD = "“{method}” is not one of the assessment plan's methods."
REVIEW_NEEDS_NOTES = "Write what the review found: progress against the target dates and what comes next."
REVIEW_DATE_BEFORE_PLAN = "A review cannot be dated before the plan was made ({made})."
NEXT_REVIEW_BEFORE_REVIEW = "The next review must come after this one."
REPORT_NEEDS_OUTCOME = "Write the outcome of the assessment."
REPORT_FUTURE_DATE = (
    "The date is in the future: an assessment report is of an assessment that has already taken "
    "place. Give the day of the assessment (dd/mm/yyyy)."
)
REVIEW_FUTURE_DATE = (
    "The date of the review is in the future: record a review once it has taken place. Give the "
    "day of the review (dd/mm/yyyy); the next review date is the one in the future."
)
REPORT_ALREADY_SIGNED = "You have already signed this assessment report."
UNKNOWN_SETTING = "Choose where the evidence was gathered: real work, a realistic working environment, simulation or a staged emergency drill."
REQUIREMENT_HAS_SUB_ITEMS = "Evidence requirement {ref} has lettered sub-items: map the evidence to those."
REQUIREMENT_NOT_MAPPABLE = (
    "Evidence requirement {ref} says where or how evidence may be gathered; it is not "
    "something evidence is mapped to."
)

# One wording per statement, the logbook's: audit.signatures.STATEMENTS (screen, record and print alike).
AUTHENTICITY_STATEMENT = STATEMENTS[SignatureKind.AUTHENTICITY]
SIGN_OFF_STATEMENT = STATEMENTS[SignatureKind.UNIT_SIGN_OFF]
COUNTERSIGNATURE_STATEMENT = STATEMENTS[SignatureKind.COUNTERSIGNATURE]

# --- dates the handbooks state ---------------------------------------------------------------------
REGISTRATION_ENDED = (
    f"The registration ended on {{date:{DATE}}}{{period}}: assessment decisions after its end are refused until a "
    "centre admin records an extension (reason and new end date)."
)
REGISTRATION_AFTER_LAST_DATE = (
    f"{{code}} cannot be registered on {{day:{DATE}}}: its last registration date is {{last:{DATE}}} ({{source}}). "
    "A centre admin can record the awarding body's extension (its reference and the new date)."
)
CLAIM_AFTER_LAST_DATE = (
    f"{{code}} cannot be certificated on {{day:{DATE}}}: its last certification date is {{last:{DATE}}} ({{source}}). "
    "A centre admin can record the awarding body's extension (its reference and the new date)."
)
EXTENSION_REASON_REQUIRED = "Write the reason for the extension: it goes into the audit trail."
EXTENSION_DATE_NOT_LATER = f"The new end date must be later than the current one ({{date:{DATE}}})."
EXTENSION_REFERENCE_REQUIRED = "Give the awarding body's reference for the extension."
EXTENSION_KIND_UNKNOWN = "Choose the last registration date or the last certification date."
EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK = (
    f"The extended date must be later than the handbook's {{last:{DATE}}}."
)
EXTENSION_NO_DATE = "{code} has no {what} in the catalogue: there is nothing to extend."

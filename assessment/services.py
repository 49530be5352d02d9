"""Writes for assessment: each decision is one atomic function that validates, saves and audits.

Concurrency: every change to a unit (a mapping, the authenticity statement, a sign-off, a reopening) takes
the unit assessment row with SELECT ... FOR UPDATE, checks the version the person saw, and bumps it. A
sign-off also needs its row to still be OPEN at the version seen (a conditional UPDATE, which serialises on
SQLite too) and writes a UnitSignOff row that a unique constraint allows once per round. So two assessors or
two tabs never produce a double sign-off or a lost update: the second one is told what happened instead.

A certified or withdrawn registration is closed: every write below refuses it (REGISTRATION_LOCKED). The check
reads the registration row FOR UPDATE *after* the unit assessment rows, so a certification claim (which locks
the registration row) and a sign-off cannot interleave, and the lock order is always unit assessments first,
then the registration (no deadlock).
"""
from __future__ import annotations

import calendar
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.services import notify
from audit.actions import Action
from audit.dates import not_in_future
from audit.services import audit_record, refusals_audited
from audit.signatures import STATEMENTS, signature_record
from audit.signatures import Kind as SignatureKind
from evidence.models import EvidenceItem
from evidence.revisions import evidence_changes_since
from evidence.services import EvidenceDetails, evidence_lock, evidence_staff_create
from evidence.sniffing import AUDIO, VIDEO, FileRefused
from qualifications import planner, rules, specs
from qualifications.models import EvidenceRequirement, QualificationUnit, Unit

from . import hooks, permissions, signing
from .models import (
    ActionPlan,
    ActionPlanItem,
    ActionPlanReview,
    AssessmentRecord,
    AssessmentReport,
    EvidenceMapping,
    Feedback,
    MappingDecision,
    Method,
    PlanMethod,
    Registration,
    RequirementConfirmation,
    Setting,
    SkillsScan,
    SkillsScanRating,
    UnitAssessment,
    UnitSignOff,
)
from .permissions import REGISTRATION_LOCKED, registration_lock_message  # noqa: F401 - tests import it from here

# --- messages a user can meet (tests import them) ---------------------------------------------------
NOT_CENTRE_ADMIN = "Only a centre admin of this centre can do this."
NOT_IN_CENTRE = "{person} is not a {role} at {centre}."
IV_IS_ASSESSOR = "The internal verifier cannot be the candidate's assessor: nobody verifies their own assessments."
CANDIDATE_IS_STAFF = "A candidate cannot be their own assessor or internal verifier."
NOT_OPTIONAL_UNIT = "Unit {unit} is not an optional unit of {qualification}."
SELECTION_REFUSED = "This choice of units cannot lead to {qualification}: {problems}"
# The registration page names the broken rules once, in its tally ("Not yet: ..."), beside the units.
SELECTION_REFUSED_SEE_TALLY = ("This choice of units cannot lead to {qualification}: the rules marked “Not yet” in "
                               "the tally below are broken.")
ALREADY_REGISTERED = ("{candidate} already has an active registration on {qualification}: change that registration's "
                      "units instead of registering again.")
ENTRY_CONDITIONS_NOT_CONFIRMED = ("{qualification} can be registered only once you confirm each entry condition its "
                                  "handbook states for the candidate. Not confirmed: {conditions}")
UNIT_IN_USE = "Unit {unit} cannot be removed: assessment decisions are recorded against it."
NOT_ASSESSOR = "Only the candidate's assessor can record assessment decisions."
NOT_CANDIDATE = "Only the candidate can do this."
UNIT_LOCKED = "Unit {unit} is signed off and locked: reopen it first (internal verifier referral or centre admin)."
UNIT_NOT_IN_REGISTRATION = "Unit {unit} is not part of this registration."
EVIDENCE_NOT_CANDIDATES = "That evidence does not belong to this candidate."
NOTHING_TICKED = "Tick at least one criterion."
REASON_REQUIRED = "Say why the evidence is not yet enough: the candidate needs to know what to do."
CONTEXT_REFUSED = "{problem}"
EVIDENCE_CHANGED = ("“{title}” was changed by the candidate after you opened this page: {changes}. Nothing was saved: "
                    "read the evidence as it is now, then decide again.")
STALE = ("Someone else changed this unit while you had the page open (it is now at version {now}, you saw "
         "{seen}). Nothing was saved: reload the page and check before trying again.")
BAD_PASSWORD = "Your password was not correct: the unit was not signed."
CANNOT_SIGN = "Unit {unit} cannot be signed off yet: {problems}"
# The unit's page lists the reasons (CannotSignOff.problems) once, under "Before the unit can be signed".
NOT_SIGNED_SEE_LIST = "Unit {unit} was not signed: what still stands in its way is listed above."
ALREADY_SIGNED = "Unit {unit} is already signed off."
NOT_AWAITING_COUNTERSIGNATURE = "This unit is not waiting for a countersignature."
COUNTERSIGNER_NOT_QUALIFIED = ("A countersignature must come from a qualified assessor of the centre who did not "
                               "sign the unit and is not its internal verifier.")
NOT_SIGNED = "Unit {unit} is not signed off, so there is nothing to reopen."
REOPEN_REASON_REQUIRED = "Write the reason for reopening a signed unit: it goes into the audit trail."
REOPEN_NOT_ALLOWED = "Only the registration's internal verifier (by referral) or a centre admin can reopen a unit."
AUTHENTICITY_ALREADY = "You have already signed the authenticity statement for this unit."
RECORD_NEEDS_CRITERIA = "Reference at least one assessment criterion."
RECORD_FUTURE_DATE = ("The date is in the future: a record is of something the candidate has already done. Give "
                      "the day you observed, questioned or discussed (dd/mm/yyyy).")
RECORD_LOCKED = "This record supports a signed-off unit and is locked."
PLAN_NEEDS_ITEMS = "Add at least one activity with a target date."
PLAN_ALREADY_AGREED = "You have already agreed this action plan."
RECORD_ALREADY_SIGNED = "You have already signed this record."
TRANSITION_REFUSED = "{entity} cannot go from “{was}” to “{to}”: nothing was changed."
BAD_STATUS_ACTION = "Choose withdraw or reinstate."
WITHDRAW_REASON_REQUIRED = "Write the reason for the withdrawal: it goes on the candidate's record."
REINSTATE_PERIOD_OVER = ("The registration period ended on {expires:%d/%m/%Y}: a withdrawn candidate can be "
                         "reinstated only within it. Record an extension first, or register the candidate again.")
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
REPORT_FUTURE_DATE = ("The date is in the future: an assessment report is of an assessment that has already taken "
                      "place. Give the day of the assessment (dd/mm/yyyy).")
REVIEW_FUTURE_DATE = ("The date of the review is in the future: record a review once it has taken place. Give the "
                      "day of the review (dd/mm/yyyy); the next review date is the one in the future.")
REPORT_ALREADY_SIGNED = "You have already signed this assessment report."
UNKNOWN_SETTING = "Choose where the evidence was gathered: real work, a realistic working environment, simulation or a staged emergency drill."
REQUIREMENT_HAS_SUB_ITEMS = "Evidence requirement {ref} has lettered sub-items: map the evidence to those."
REQUIREMENT_NOT_MAPPABLE = ("Evidence requirement {ref} says where or how evidence may be gathered; it is not "
                            "something evidence is mapped to.")

# One wording per statement, the logbook's: audit.signatures.STATEMENTS (screen, record and print alike).
AUTHENTICITY_STATEMENT = STATEMENTS[SignatureKind.AUTHENTICITY]
SIGN_OFF_STATEMENT = STATEMENTS[SignatureKind.UNIT_SIGN_OFF]
COUNTERSIGNATURE_STATEMENT = STATEMENTS[SignatureKind.COUNTERSIGNATURE]


class CannotSignOff(ValidationError):
    """A sign-off refused for what still stands in the unit's way; `problems` lists each reason, so that the
    page can show them once, in its list, instead of repeating them in the error."""

    def __init__(self, message, *, problems):
        super().__init__(message, code="cannot_sign")
        self.problems = list(problems)


class SelectionRefused(ValidationError):
    """A choice of units the rules of combination refuse (the page's tally says which rules)."""

    def __init__(self, message, *, qualification):
        super().__init__(message, code="selection_refused")
        self.qualification = qualification


def _raise(message: str, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _holds(user, centre, role) -> bool:
    return Membership.objects.filter(user=user, centre=centre, role=role).exists()


def _refuse_if_closed(registration):
    message = registration_lock_message(registration)
    if message:
        raise ValidationError(message)


def _lock_registration(registration_id) -> Registration:
    """The registration row FOR UPDATE, refused when closed (certified or withdrawn).

    Take it after any unit assessment rows: one lock order everywhere (see the module docstring).
    """
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    _refuse_if_closed(registration)
    return registration


# --- state transitions ------------------------------------------------------------------------------
def check_transition(model, was: str, to: str, entity: str) -> None:
    """Refuse a move the model's TRANSITIONS table does not allow (TRANSITION_REFUSED, in the labels)."""
    if to not in model.TRANSITIONS.get(was, set()):
        labels = dict(model.Status.choices)
        _raise(TRANSITION_REFUSED, entity=entity, was=labels.get(was, was), to=labels.get(to, to))


@transaction.atomic
def registration_transition(*, registration, actor, to: str, reason: str = "", action: str = "",
                            details=None) -> Registration:
    """The only writer of Registration.status: checks Registration.TRANSITIONS on the locked row, saves the
    status with its reason, and writes the audit row (`registration_<to>` unless `action` names another)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    was = registration.status
    check_transition(Registration, was, to, "The registration")
    now = timezone.now()
    Registration.objects.filter(pk=registration.pk).update(status=to, status_reason=reason, status_changed_at=now,
                                                           updated_at=now)
    registration.refresh_from_db()
    audit_record(actor=actor, action=action or Action(f"registration_{to}"), obj=registration, centre=registration.centre,
                 details={"from": was, "to": to, "reason": reason, **(details or {})})
    return registration


@refusals_audited(Action.REGISTRATION_WITHDRAW_REFUSED, "registration")
@transaction.atomic
def registration_withdraw(*, registration, actor, reason: str) -> Registration:
    """A centre admin withdraws a candidate (with a reason); nothing in the registration changes any more."""
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    reason = (reason or "").strip()
    if not reason:
        _raise(WITHDRAW_REASON_REQUIRED)
    return registration_transition(registration=registration, actor=actor, to=Registration.Status.WITHDRAWN,
                                   reason=reason)


@refusals_audited(Action.REGISTRATION_REINSTATE_REFUSED, "registration")
@transaction.atomic
def registration_reinstate(*, registration, actor, reason: str = "") -> Registration:
    """A centre admin reinstates a withdrawn candidate within the registration period (not after an exit
    claim closed the registration)."""
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    check_transition(Registration, registration.status, Registration.Status.ACTIVE, "The registration")
    if registration.expires_on and timezone.localdate() > registration.expires_on:
        _raise(REINSTATE_PERIOD_OVER, expires=registration.expires_on)
    problems = hooks.reinstate_problems(registration)
    if problems:
        _raise(REINSTATE_REFUSED, problems=" ".join(problems))
    return registration_transition(registration=registration, actor=actor, to=Registration.Status.ACTIVE,
                                   reason=(reason or "").strip() or "Reinstated.", action=Action.REGISTRATION_REINSTATED)


def unit_assessment_transition(*, ua: UnitAssessment, actor, to: str, action: str, details=None,
                               **fields) -> UnitAssessment:
    """The only writer of UnitAssessment.status. `ua` is the row the caller locked; the move must be in
    UnitAssessment.TRANSITIONS and the row still at the status and version the caller saw (a conditional
    UPDATE: the guard that also holds where FOR UPDATE is a no-op, SQLite). Saves `fields` with it, bumps the
    version and writes the audit row. Run inside the caller's transaction."""
    was = ua.status
    check_transition(UnitAssessment, was, to, f"Unit {ua.unit.ref}")
    now = timezone.now()
    updated = UnitAssessment.objects.filter(pk=ua.pk, version=ua.version, status=was).update(
        status=to, version=F("version") + 1, updated_at=now, **fields)
    if not updated:
        _raise(STALE, now="newer", seen=ua.version)
    ua.refresh_from_db()
    audit_record(actor=actor, action=action, obj=ua, centre=ua.registration.centre,
                 details={"unit": ua.unit.ref, "from": was, "to": to, **(details or {})})
    return ua


# --- dates the handbooks state (registration period, last registration and certification dates) ------
REGISTRATION_ENDED = (
    "The registration ended on {date:%d/%m/%Y}{period}: assessment decisions after its end are refused until a "
    "centre admin records an extension (reason and new end date).")
REGISTRATION_AFTER_LAST_DATE = (
    "{code} cannot be registered on {day:%d/%m/%Y}: its last registration date is {last:%d/%m/%Y} ({source}). "
    "A centre admin can record the awarding body's extension (its reference and the new date).")
CLAIM_AFTER_LAST_DATE = (
    "{code} cannot be certificated on {day:%d/%m/%Y}: its last certification date is {last:%d/%m/%Y} ({source}). "
    "A centre admin can record the awarding body's extension (its reference and the new date).")
EXTENSION_REASON_REQUIRED = "Write the reason for the extension: it goes into the audit trail."
EXTENSION_DATE_NOT_LATER = "The new end date must be later than the current one ({date:%d/%m/%Y})."
EXTENSION_REFERENCE_REQUIRED = "Give the awarding body's reference for the extension."
EXTENSION_KIND_UNKNOWN = "Choose the last registration date or the last certification date."
EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK = "The extended date must be later than the handbook's {last:%d/%m/%Y}."
EXTENSION_NO_DATE = "{code} has no {what} in the catalogue: there is nothing to extend."


def _today() -> date:
    return timezone.localdate()


def _refuse_if_past_end(registration):
    """Mapping and sign-off after the registration's end are refused (4411: "Qualification registration is
    valid for 36 months"); a centre admin's extension moves the end."""
    if registration.expires_on and registration.expires_on < _today():
        months = registration.qualification.registration_period_months
        period = (f" ({registration.qualification.code} registration is valid for {months} months)"
                  if months else "")
        _raise(REGISTRATION_ENDED, date=registration.expires_on, period=period)


def last_date(centre, qualification, kind) -> date | None:
    """The qualification's last registration / certification date for this centre: the handbook's, or the
    latest awarding-body extension the centre recorded."""
    from .models import AwardingBodyExtension

    printed = (qualification.last_registration_date if kind == AwardingBodyExtension.Kind.REGISTRATION
               else qualification.last_certification_date)
    if printed is None:
        return None
    extension = AwardingBodyExtension.objects.filter(centre=centre, qualification=qualification, kind=kind).order_by(
        "-new_date").first()
    return max(printed, extension.new_date) if extension else printed


def date_problem(centre, qualification, kind, day: date) -> str | None:
    """Why `day` is past the qualification's last registration / certification date, or None."""
    from .models import AwardingBodyExtension

    last = last_date(centre, qualification, kind)
    if last is None or day <= last:
        return None
    message = REGISTRATION_AFTER_LAST_DATE if kind == AwardingBodyExtension.Kind.REGISTRATION else CLAIM_AFTER_LAST_DATE
    return message.format(code=qualification.code, day=day, last=last,
                          source=qualification.dates_source or qualification.source or "the handbook")


@transaction.atomic
def registration_extend(*, registration, actor, new_expires_on: date, reason: str):
    """A centre admin moves a registration's end, with a reason; audited, kept as a RegistrationExtension."""
    from .models import RegistrationExtension

    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    _refuse_if_closed(registration)
    reason = (reason or "").strip()
    if not reason:
        _raise(EXTENSION_REASON_REQUIRED)
    if registration.expires_on and new_expires_on <= registration.expires_on:
        _raise(EXTENSION_DATE_NOT_LATER, date=registration.expires_on)
    extension = RegistrationExtension.objects.create(
        registration=registration, previous_expires_on=registration.expires_on, new_expires_on=new_expires_on,
        reason=reason, recorded_by=actor, recorded_at=timezone.now())
    previous = registration.expires_on
    registration.expires_on = new_expires_on
    registration.save(update_fields=["expires_on", "updated_at"])
    audit_record(actor=actor, action=Action.REGISTRATION_EXTENDED, obj=registration, centre=registration.centre,
                 details={"from": previous, "to": new_expires_on, "reason": reason})
    return extension


@transaction.atomic
def awarding_body_extension_record(*, centre, qualification, actor, kind: str, reference: str, new_date: date):
    """A centre admin records the awarding body's extension of a last registration / certification date."""
    from .models import AwardingBodyExtension

    if not permissions.is_centre_admin(actor, centre.pk):
        _raise(NOT_CENTRE_ADMIN)
    if kind not in AwardingBodyExtension.Kind.values:
        _raise(EXTENSION_KIND_UNKNOWN)
    reference = (reference or "").strip()
    if not reference:
        _raise(EXTENSION_REFERENCE_REQUIRED)
    printed = (qualification.last_registration_date if kind == AwardingBodyExtension.Kind.REGISTRATION
               else qualification.last_certification_date)
    if printed is None:
        _raise(EXTENSION_NO_DATE, code=qualification.code, what=AwardingBodyExtension.Kind(kind).label.lower())
    if new_date <= printed:
        _raise(EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK, last=printed)
    extension = AwardingBodyExtension(centre=centre, qualification=qualification, kind=kind, reference=reference,
                                      new_date=new_date, recorded_by=actor, recorded_at=timezone.now())
    extension.full_clean()
    extension.save()
    audit_record(actor=actor, action=Action.AWARDING_BODY_EXTENSION_RECORDED, obj=extension, centre=centre, details={
        "qualification": qualification.code, "kind": kind, "reference": reference, "new_date": new_date,
        "handbook_date": printed})
    return extension


# --- registration -----------------------------------------------------------------------------------
def selection_problems(qualification, optional_units) -> list[str]:
    """The rules engine's objections to registering on `qualification` with these optional units."""
    spec = specs.qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    return list(planner.selection_problems(spec, mandatory + [u.ref for u in optional_units]))


def choice_still_to_make(qualification, optional_units) -> list[str]:
    """What the chosen units still lack (a choice that can still complete, but is not complete yet): the rules
    of combination not yet met by the mandatory and chosen units, in plain words. [] when complete."""
    spec = specs.qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    verdict = rules.evaluate(spec, mandatory + [u.ref for u in optional_units])
    return [r.message for r in verdict.rules if r.met is False]


def suggested_route(qualification, optional_units):
    """The planner's cheapest route from this selection to the qualification (a rules.Plan)."""
    spec = specs.qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    return planner.plan(spec, [], chosen=mandatory + [u.ref for u in optional_units])


def _check_people(*, centre, candidate, assessor, internal_verifier):
    for person, role in ((candidate, Role.CANDIDATE), (assessor, Role.ASSESSOR),
                         (internal_verifier, Role.INTERNAL_VERIFIER)):
        if not _holds(person, centre, role):
            _raise(NOT_IN_CENTRE, person=person, role=role.label.lower(), centre=centre.name)
    if assessor.pk == internal_verifier.pk:
        _raise(IV_IS_ASSESSOR)
    if candidate.pk in (assessor.pk, internal_verifier.pk):
        _raise(CANDIDATE_IS_STAFF)


def _check_units(qualification, optional_units):
    allowed = set(
        QualificationUnit.objects.filter(qualification=qualification, status=QualificationUnit.Status.OPTIONAL)
        .values_list("unit_id", flat=True)
    )
    for unit in optional_units:
        if unit.pk not in allowed:
            _raise(NOT_OPTIONAL_UNIT, unit=unit.ref, qualification=qualification.code)
    problems = selection_problems(qualification, optional_units)
    if problems:
        raise SelectionRefused(SELECTION_REFUSED.format(qualification=qualification.code, problems=" ".join(problems)),
                               qualification=qualification.code)


def _ensure_unit_assessments(registration):
    from .selectors import registration_units

    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit=u) for u in registration_units(registration)],
        ignore_conflicts=True,
    )


def entry_conditions_of(qualification) -> list[dict]:
    """The entry conditions the catalogue records for the qualification (data, not code)."""
    return [c for c in (qualification.entry_conditions or []) if isinstance(c, dict) and c.get("key")]


def entry_condition_source(condition) -> str:
    """Where the handbook states a condition, with its page or the note that the source lost it."""
    page = condition.get("page")
    where = condition.get("source") or "the handbook"
    return f"{where}, page {page}" if page else f"{where}; page number not in the source text"


@transaction.atomic
def registration_create(*, actor, centre, candidate, qualification, assessor, internal_verifier,
                        registered_on: date, expires_on: date | None = None, optional_units=(),
                        candidate_number: str = "", entry_conditions_confirmed=()) -> Registration:
    """Register a candidate; the rules engine must accept the chosen optional units.

    `entry_conditions_confirmed`: the keys of the qualification's entry conditions (4430-04's age and "not
    already holding it") the centre admin confirms; every condition the catalogue records must be among them.
    A copy of each confirmed condition is kept on the registration with who confirmed it and when."""
    if not permissions.is_centre_admin(actor, centre.pk):
        _raise(NOT_CENTRE_ADMIN)
    _check_people(centre=centre, candidate=candidate, assessor=assessor, internal_verifier=internal_verifier)
    problem = date_problem(centre, qualification, "registration", registered_on)
    if problem:
        raise ValidationError(problem)
    if Registration.objects.filter(candidate=candidate, qualification=qualification,
                                   status=Registration.Status.ACTIVE).exists():
        _raise(ALREADY_REGISTERED, candidate=candidate, qualification=qualification.code)
    conditions = entry_conditions_of(qualification)
    confirmed = set(entry_conditions_confirmed or ())
    missing = [c for c in conditions if c["key"] not in confirmed]
    if missing:
        _raise(ENTRY_CONDITIONS_NOT_CONFIRMED, qualification=qualification.code,
               conditions=" ".join(f"“{c['text']}” ({entry_condition_source(c)})." for c in missing))
    optional_units = list(optional_units)
    _check_units(qualification, optional_units)
    if expires_on is None and qualification.registration_period_months:
        expires_on = add_months(registered_on, qualification.registration_period_months)
    registration = Registration(
        centre=centre, candidate=candidate, qualification=qualification, assessor=assessor,
        internal_verifier=internal_verifier, registered_on=registered_on, expires_on=expires_on,
        candidate_number=candidate_number,
    )
    if conditions:
        registration.entry_conditions_confirmed = [
            {"key": c["key"], "text": c["text"], "source": c.get("source", ""), "page": c.get("page")}
            for c in conditions]
        registration.entry_conditions_confirmed_by = actor
        registration.entry_conditions_confirmed_at = timezone.now()
    registration.full_clean()
    registration.save()
    registration.optional_units.set(optional_units)
    _ensure_unit_assessments(registration)
    audit_record(actor=actor, action=Action.REGISTRATION_CREATED, obj=registration, centre=centre, details={
        "candidate": candidate.username, "qualification": qualification.code, "assessor": assessor.username,
        "internal_verifier": internal_verifier.username, "registered_on": registered_on,
        "expires_on": expires_on, "optional_units": sorted(u.ref for u in optional_units),
        "entry_conditions_confirmed": registration.entry_conditions_confirmed or [],
    })
    return registration


@transaction.atomic
def registration_update(*, registration, actor, assessor, internal_verifier, optional_units,
                        expires_on: date | None, candidate_number: str = "") -> Registration:
    """Change the assessor, IV, optional units or expiry. A change of assessor or IV is audited by name."""
    list(UnitAssessment.objects.select_for_update().filter(registration_id=registration.pk).order_by("pk"))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    _refuse_if_closed(registration)
    _check_people(centre=registration.centre, candidate=registration.candidate, assessor=assessor,
                  internal_verifier=internal_verifier)
    optional_units = list(optional_units)
    _check_units(registration.qualification, optional_units)
    before = set(registration.optional_units.values_list("pk", flat=True))
    removed = before - {u.pk for u in optional_units}
    if removed:
        in_use = (
            UnitAssessment.objects.filter(registration=registration, unit_id__in=removed)
            .exclude(status=UnitAssessment.Status.OPEN).select_related("unit").first()
        )
        used_unit = in_use.unit if in_use else None
        if used_unit is None:
            mapping = EvidenceMapping.objects.filter(registration=registration, unit_id__in=removed).select_related(
                "unit").first()
            used_unit = mapping.unit if mapping else None
        if used_unit is not None:
            _raise(UNIT_IN_USE, unit=used_unit.ref)
    changes = {}
    for field, new in (("assessor", assessor), ("internal_verifier", internal_verifier)):
        old = getattr(registration, field)
        if old.pk != new.pk:
            changes[field] = {"from": old.username, "to": new.username}
            setattr(registration, field, new)
    if registration.expires_on != expires_on:
        changes["expires_on"] = {"from": registration.expires_on, "to": expires_on}
        registration.expires_on = expires_on
    if registration.candidate_number != candidate_number:
        changes["candidate_number"] = {"from": registration.candidate_number, "to": candidate_number}
        registration.candidate_number = candidate_number
    registration.full_clean()
    registration.save()
    after = {u.pk for u in optional_units}
    if after != before:
        refs = dict(Unit.objects.filter(pk__in=before | after).values_list("pk", "ref"))
        changes["optional_units"] = {"added": sorted(refs[p] for p in after - before),
                                     "removed": sorted(refs[p] for p in before - after)}
        registration.optional_units.set(optional_units)
        UnitAssessment.objects.filter(registration=registration, unit_id__in=removed,
                                      status=UnitAssessment.Status.OPEN).delete()
        _ensure_unit_assessments(registration)
    for field in ("assessor", "internal_verifier"):
        if field in changes:
            audit_record(actor=actor, action=Action(f"registration_{field}_changed"), obj=registration,
                         details=changes[field])
    if changes:
        audit_record(actor=actor, action=Action.REGISTRATION_UPDATED, obj=registration, details=changes)
    return registration


# --- unit locking helpers ---------------------------------------------------------------------------
def _lock_unit_assessments(registration, unit_ids) -> dict[int, UnitAssessment]:
    """Take the unit assessment rows FOR UPDATE (creating missing ones), in a fixed order (no deadlock)."""
    unit_ids = sorted(set(unit_ids))
    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit_id=u) for u in unit_ids], ignore_conflicts=True
    )
    rows = UnitAssessment.objects.select_for_update(of=("self",)).filter(registration=registration,
                                                                    unit_id__in=unit_ids)
    return {ua.unit_id: ua for ua in rows.select_related("unit").order_by("pk")}


def _lock_one(unit_assessment) -> UnitAssessment:
    return UnitAssessment.objects.select_for_update(of=("self", "registration")).select_related(
        "unit", "registration__centre", "registration__candidate", "registration__assessor",
        "registration__internal_verifier", "registration__qualification",
    ).get(pk=unit_assessment.pk)


def _check_version(ua: UnitAssessment, expected_version):
    if expected_version is not None and int(expected_version) != ua.version:
        _raise(STALE, now=ua.version, seen=expected_version)


def _bump(unit_assessments):
    UnitAssessment.objects.filter(pk__in=[ua.pk for ua in unit_assessments]).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _refuse_if_locked(ua: UnitAssessment):
    if ua.is_locked:
        _raise(UNIT_LOCKED, unit=ua.unit.ref)


def _lock_evidence(item, actor):
    evidence_lock(item=item, actor=actor)


# --- evidence settings and requirement targets (issue 19) ----------------------------------------------
def _refuse_setting(registration, unit, evidence, setting, kind):
    """Refuse evidence from a setting the unit (in this qualification) does not accept, in the handbook's words."""
    from .coverage import context_problem
    from .selectors import unit_facts

    problem = context_problem(unit_facts(unit, registration.qualification), evidence.title, setting, kind)
    if problem:
        _raise(CONTEXT_REFUSED, problem=problem)


def _check_requirement_targets(requirements):
    """Evidence maps to a requirement that asks for evidence, and to the lettered sub-items of one that has them."""
    if not requirements:
        return
    with_children = set(EvidenceRequirement.objects.filter(
        parent__in=[r.pk for r in requirements]).values_list("parent_id", flat=True))
    for requirement in requirements:
        if requirement.pk in with_children:
            _raise(REQUIREMENT_HAS_SUB_ITEMS, ref=requirement.ref)
        if requirement.kind != EvidenceRequirement.Kind.EVIDENCE or (
                requirement.parent_id and requirement.parent.kind != EvidenceRequirement.Kind.EVIDENCE):
            _raise(REQUIREMENT_NOT_MAPPABLE, ref=requirement.ref)


# --- mapping ----------------------------------------------------------------------------------------
def _history(mappings, *, action, actor, at, rounds, evidence_revision):
    """One MappingDecision row per mapping decided: the history is never overwritten (see the model)."""
    MappingDecision.objects.bulk_create([
        MappingDecision(
            registration_id=m.registration_id, unit_id=m.unit_id, round=rounds[m.unit_id], mapping_ref=m.pk,
            evidence_id=m.evidence_id, evidence_revision=evidence_revision, criterion_id=m.criterion_id,
            range_item_id=m.range_item_id, action=action, decision=m.decision, method=m.method,
            location=m.location, reason=m.reason, decided_by=actor, decided_at=at,
        )
        for m in mappings
    ])


def _lock_current_evidence(evidence, seen_revision) -> EvidenceItem:
    """The evidence row FOR UPDATE (an edit waits for the decision, or the decision sees the edit); refused
    when the candidate changed it since the assessor's page showed `seen_revision`."""
    current = EvidenceItem.objects.select_for_update().get(pk=evidence.pk)
    if current.deleted_at is not None:
        _raise(EVIDENCE_NOT_CANDIDATES)
    if seen_revision not in (None, "") and int(seen_revision) != current.revision:
        _raise(EVIDENCE_CHANGED, title=current.title,
               changes="; ".join(evidence_changes_since(current, int(seen_revision))))
    return current


@transaction.atomic
def mapping_add(*, registration, evidence, actor, criteria=(), range_items=(), method: str, location: str = "",
                decision: str, reason: str = "", evidence_revision=None, requirements=(),
                setting: str = "") -> list[EvidenceMapping]:
    """Map one piece of evidence to criteria (range items, evidence requirements) across any units of the
    registration. `setting` is where the assessor confirms the evidence was gathered (empty: as the evidence
    says); an accepted mapping the unit's setting rules refuse is refused with the handbook's words.

    `evidence_revision` is the revision of the evidence the assessor's page showed: when the candidate has
    edited it since, nothing is saved and the message says what changed. Every decision is kept in the
    mapping decision history with the revision it was made on.
    """
    from .selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    if evidence.candidate_id != registration.candidate_id or evidence.deleted_at is not None:
        _raise(EVIDENCE_NOT_CANDIDATES)
    criteria, range_items, requirements = list(criteria), list(range_items), list(requirements)
    if not criteria and not range_items and not requirements:
        _raise(NOTHING_TICKED)
    if method not in Method.values:
        _raise("Choose an assessment method.")
    if setting and setting not in Setting.values:
        _raise(UNKNOWN_SETTING)
    _check_requirement_targets(requirements)
    reason = reason.strip()
    if decision == EvidenceMapping.Decision.NOT_YET and not reason:
        _raise(REASON_REQUIRED)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        reason = ""
    units = {u.pk: u for u in registration_units(registration)}
    targets = ([("criterion", t) for t in criteria] + [("range_item", t) for t in range_items]
               + [("requirement", t) for t in requirements])
    for _, target in targets:
        if target.unit_id not in units:
            _raise(UNIT_NOT_IN_REGISTRATION, unit=target.unit.ref)
    locked = _lock_unit_assessments(registration, [t.unit_id for _, t in targets])
    registration = _lock_registration(registration.pk)
    _refuse_if_past_end(registration)
    for ua in locked.values():
        _refuse_if_locked(ua)
    evidence = _lock_current_evidence(evidence, evidence_revision)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        for field_name, target in targets:
            _refuse_setting(registration, units[target.unit_id], evidence, setting or evidence.context,
                            target.kind if field_name == "criterion" else "performance")
    now = timezone.now()
    created = []
    for field_name, target in targets:
        existing = EvidenceMapping.objects.filter(
            registration=registration, evidence=evidence, **{field_name: target}).first()
        mapping = existing or EvidenceMapping(
            registration=registration, evidence=evidence, unit_id=target.unit_id, **{field_name: target})
        mapping.method, mapping.location, mapping.decision, mapping.reason = method, location, decision, reason
        mapping.setting = setting
        mapping.assessed_by, mapping.assessed_at = actor, now
        if existing:
            mapping.version += 1
        mapping.full_clean(validate_constraints=False)
        mapping.save()
        created.append(mapping)
    _history(created, action=MappingDecision.Action.MAPPED, actor=actor, at=now,
             rounds={u: ua.round for u, ua in locked.items()}, evidence_revision=evidence.revision)
    _bump(locked.values())
    _lock_evidence(evidence, actor)
    audit_record(actor=actor, action=Action.EVIDENCE_MAPPED, obj=evidence, centre=registration.centre, details={
        "registration": registration.pk, "method": method, "location": location, "decision": decision,
        "reason": reason, "targets": [str(m) for m in created], "setting": setting or evidence.context,
    })
    return created


@transaction.atomic
def mapping_decide(*, mapping, actor, decision: str, reason: str = "", expected_version=None) -> EvidenceMapping:
    """Accept a mapping, or mark it "not yet" with a reason. Refused on a stale page or a locked unit."""
    mapping = EvidenceMapping.objects.select_related("registration", "evidence", "unit").get(pk=mapping.pk)
    if not permissions.is_assessor_of(actor, mapping.registration):
        _raise(NOT_ASSESSOR)
    ua = _lock_unit_assessments(mapping.registration, [mapping.unit_id])[mapping.unit_id]
    _refuse_if_past_end(_lock_registration(mapping.registration_id))
    _refuse_if_locked(ua)
    mapping = EvidenceMapping.objects.select_for_update(of=("self", "registration", "evidence")).select_related(
        "registration", "evidence", "unit").get(pk=mapping.pk)
    if expected_version is not None and int(expected_version) != mapping.version:
        _raise(STALE, now=mapping.version, seen=expected_version)
    reason = reason.strip()
    if decision == EvidenceMapping.Decision.NOT_YET and not reason:
        _raise(REASON_REQUIRED)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        _refuse_setting(mapping.registration, mapping.unit, mapping.evidence, mapping.effective_setting,
                        mapping.criterion.kind if mapping.criterion_id else "performance")
        reason = ""
    before = mapping.decision
    mapping.decision, mapping.reason = decision, reason
    mapping.assessed_by, mapping.assessed_at = actor, timezone.now()
    mapping.version += 1
    mapping.full_clean(validate_constraints=False)
    mapping.save()
    _history([mapping], action=MappingDecision.Action.DECIDED, actor=actor, at=mapping.assessed_at,
             rounds={ua.unit_id: ua.round}, evidence_revision=mapping.evidence.revision)
    _bump([ua])
    audit_record(actor=actor, action=Action.MAPPING_DECIDED, obj=mapping, centre=mapping.registration.centre,
                 details={"from": before, "to": decision, "reason": reason})
    return mapping


@transaction.atomic
def mapping_remove(*, mapping, actor, expected_version=None) -> None:
    mapping = EvidenceMapping.objects.select_related("registration", "unit").get(pk=mapping.pk)
    if not permissions.is_assessor_of(actor, mapping.registration):
        _raise(NOT_ASSESSOR)
    ua = _lock_unit_assessments(mapping.registration, [mapping.unit_id])[mapping.unit_id]
    _lock_registration(mapping.registration_id)
    _refuse_if_locked(ua)
    mapping = EvidenceMapping.objects.select_for_update().get(pk=mapping.pk)
    if expected_version is not None and int(expected_version) != mapping.version:
        _raise(STALE, now=mapping.version, seen=expected_version)
    description = str(mapping)
    _history([mapping], action=MappingDecision.Action.REMOVED, actor=actor, at=timezone.now(),
             rounds={ua.unit_id: ua.round},
             evidence_revision=EvidenceItem.objects.values_list("revision", flat=True).get(pk=mapping.evidence_id))
    audit_record(actor=actor, action=Action.MAPPING_REMOVED, obj=mapping, centre=ua.registration.centre,
                 details={"mapping": description, "decision": mapping.decision})
    mapping.delete()
    _bump([ua])


@transaction.atomic
def unit_assessment_ensure(*, registration, unit) -> UnitAssessment:
    """The unit assessment row of a unit of the registration, created when missing (no audit: no decision)."""
    ua, _ = UnitAssessment.objects.get_or_create(registration=registration, unit=unit)
    return ua


# --- authenticity, sign-off, countersignature, reopening --------------------------------------------
@transaction.atomic
def authenticity_sign(*, unit_assessment, actor, client_ip: str | None = None) -> UnitAssessment:
    """The candidate declares the unit's evidence their own work: a signature over that evidence."""
    ua = _lock_one(unit_assessment)
    if not permissions.is_candidate_of(actor, ua.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(ua.registration_id)
    if ua.authenticity_signed_at:
        _raise(AUTHENTICITY_ALREADY)
    _refuse_if_locked(ua)
    ua.authenticity_signed_at = timezone.now()
    ua.version += 1
    ua.save(update_fields=["authenticity_signed_at", "version", "updated_at"])
    signature = signature_record(kind=SignatureKind.AUTHENTICITY, obj=ua, content=signing.authenticity_content(ua),
                                 signer=actor, client_ip=client_ip, centre=ua.registration.centre,
                                 signed_at=ua.authenticity_signed_at)
    audit_record(actor=actor, action=Action.AUTHENTICITY_SIGNED, obj=ua, centre=ua.registration.centre,
                 details={"unit": ua.unit.ref, "statement": AUTHENTICITY_STATEMENT, "signature": signature.code})
    from django.urls import reverse

    notify(user=ua.registration.assessor, kind="sign_off_awaited",
           text=f"{actor} signed the authenticity statement for unit {ua.unit.ref}: the unit awaits your sign-off.",
           url=reverse("assessment:unit_matrix", args=[ua.registration_id, ua.unit_id]))
    return ua


def _confirmations(confirmed_requirements) -> dict[str, str]:
    """{ref: note}; a bare list of refs is confirmations without notes (which sign-off refuses)."""
    if isinstance(confirmed_requirements, dict):
        return {str(ref): (note or "").strip() for ref, note in confirmed_requirements.items()}
    return {str(ref): "" for ref in confirmed_requirements or ()}


def sign_off_problems(ua: UnitAssessment, confirmed_requirements=()) -> list[str]:
    """What stands between the unit and its sign-off: coverage (criteria, range, evidence requirements, the
    candidate's statement) and the higher apps' blockers (an unanswered referral)."""
    return _sign_off_matrix(ua, _confirmations(confirmed_requirements)).sign_off_problems


def _sign_off_matrix(ua, confirmations):
    from .selectors import unit_matrix

    return unit_matrix(ua.registration, ua.unit, confirmed_requirements=confirmations)


def _record_confirmations(ua, matrix, confirmations, actor, now) -> list[str]:
    """The assessor's confirmations (with notes) of requirements evidence does not meet, kept per round."""
    written = []
    for status in matrix.coverage.requirements:
        ref = status.requirement.ref
        if status.confirmable and not status.evidenced and confirmations.get(ref):
            RequirementConfirmation.objects.create(
                unit_assessment=ua, round=ua.round, requirement_id=status.requirement.id,
                note=confirmations[ref], confirmed_by=actor, confirmed_at=now)
            written.append(ref)
    return written


@transaction.atomic
def unit_sign_off(*, unit_assessment, actor, password: str, expected_version=None,
                  confirmed_requirements=(), client_ip: str | None = None) -> UnitAssessment:
    """The assessor signs the unit: every criterion met by accepted evidence, every requirement satisfied,
    the authenticity statement signed, and the assessor's password re-checked. A trainee's signature waits
    for a qualified assessor's countersignature; either way the unit is locked from now on."""
    ua = _lock_one(unit_assessment)
    if not permissions.is_assessor_of(actor, ua.registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(ua.registration_id)
    if not actor.check_password(password or ""):
        _raise(BAD_PASSWORD)
    if ua.is_locked:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    _check_version(ua, expected_version)
    _refuse_if_past_end(ua.registration)
    confirmations = _confirmations(confirmed_requirements)
    matrix = _sign_off_matrix(ua, confirmations)
    problems = matrix.sign_off_problems
    if problems:
        raise CannotSignOff(CANNOT_SIGN.format(unit=ua.unit.ref, problems=" ".join(problems)), problems=problems)
    now = timezone.now()
    status = (UnitAssessment.Status.AWAITING_COUNTERSIGNATURE if actor.is_trainee_assessor
              else UnitAssessment.Status.SIGNED)
    try:
        with transaction.atomic():
            UnitSignOff.objects.create(unit_assessment=ua, round=ua.round, assessor=actor, signed_at=now)
    except IntegrityError:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    try:
        ua = unit_assessment_transition(
            ua=ua, actor=actor, to=status, action=Action.UNIT_SIGNED_OFF, signed_by=actor, signed_at=now,
            details={"unit": ua.unit.ref, "round": ua.round, "trainee": actor.is_trainee_assessor,
                     "confirmed_requirements": {ref: confirmations[ref] for ref in sorted(
                         _record_confirmations(ua, matrix, confirmations, actor, now))},
                     "statement": SIGN_OFF_STATEMENT})
    except ValidationError:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(kind=SignatureKind.UNIT_SIGN_OFF, obj=ua, content=content, signer=actor,
                                 client_ip=client_ip, centre=ua.registration.centre, signed_at=now)
    audit_record(actor=actor, action=Action.UNIT_SIGNATURE_RECORDED, obj=ua, centre=ua.registration.centre,
                 details={"unit": ua.unit.ref, "round": ua.round, "signature": signature.code})
    return ua


@transaction.atomic
def unit_countersign(*, unit_assessment, actor, password: str, expected_version=None,
                     client_ip: str | None = None) -> UnitAssessment:
    ua = _lock_one(unit_assessment)
    _lock_registration(ua.registration_id)
    if ua.status != UnitAssessment.Status.AWAITING_COUNTERSIGNATURE:
        _raise(NOT_AWAITING_COUNTERSIGNATURE)
    if not permissions.may_countersign(actor, ua):
        _raise(COUNTERSIGNER_NOT_QUALIFIED)
    if not actor.check_password(password or ""):
        _raise(BAD_PASSWORD)
    _check_version(ua, expected_version)
    now = timezone.now()
    ua = unit_assessment_transition(ua=ua, actor=actor, to=UnitAssessment.Status.SIGNED, action=Action.UNIT_COUNTERSIGNED,
                                    countersigned_by=actor, countersigned_at=now,
                                    details={"signed_by": ua.signed_by.username, "round": ua.round})
    UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).update(countersigned_by=actor,
                                                                         countersigned_at=now)
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(kind=SignatureKind.COUNTERSIGNATURE, obj=ua, content=content, signer=actor,
                                 client_ip=client_ip, centre=ua.registration.centre, signed_at=now)
    audit_record(actor=actor, action=Action.UNIT_COUNTERSIGNATURE_RECORDED, obj=ua, centre=ua.registration.centre,
                 details={"unit": ua.unit.ref, "statement": COUNTERSIGNATURE_STATEMENT, "signature": signature.code})
    return ua


@transaction.atomic
def unit_reopen(*, unit_assessment, actor, reason: str, by_referral: bool = False) -> UnitAssessment:
    """Unlock a signed unit: an internal verifier's referral, or a centre admin with a written reason.

    The verification app calls this with by_referral=True when an IV refers a decision back.
    """
    ua = _lock_one(unit_assessment)
    registration = ua.registration
    _lock_registration(registration.pk)
    reason = (reason or "").strip()
    if not reason:
        _raise(REOPEN_REASON_REQUIRED)
    if not permissions.may_reopen(actor, registration, by_referral=by_referral):
        _raise(REOPEN_NOT_ALLOWED)
    if not ua.is_locked:
        _raise(NOT_SIGNED, unit=ua.unit.ref)
    now = timezone.now()
    UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).update(
        reopened_at=now, reopened_by=actor, reopen_reason=reason)
    previous = {"status": ua.status, "signed_by": ua.signed_by.username if ua.signed_by else None,
                "round": ua.round}
    ua = unit_assessment_transition(
        ua=ua, actor=actor, to=UnitAssessment.Status.OPEN, action=Action.UNIT_REOPENED,
        signed_by=None, countersigned_by=None, signed_at=None, countersigned_at=None, round=F("round") + 1,
        details={"reason": reason, "by_referral": by_referral, "previous": previous})
    return ua


# --- assessment records -----------------------------------------------------------------------------
RECORD_EVIDENCE_KIND = {
    AssessmentRecord.Kind.OBSERVATION: EvidenceItem.Kind.OBSERVATION_RECORD,
    AssessmentRecord.Kind.QUESTIONING: EvidenceItem.Kind.OTHER,
    AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION: EvidenceItem.Kind.PROFESSIONAL_DISCUSSION,
}


RECORDING_CATEGORIES = (AUDIO, VIDEO)  # a recording is audio or video, whatever its name says


def _resubmitted(model, registration, token):
    """The object an earlier submission of the same form (same token) created, marked `resubmitted`, or None:
    a form sent twice (a double click, or Back and Save again) makes one object."""
    if not token:
        return None
    existing = model.objects.filter(registration=registration, submission_token=token).first()
    if existing is not None:
        existing.resubmitted = True
    return existing


def record_create(*, registration, actor, kind: str, date: date, description: str, criteria, place: str = "",
                  questions_and_answers: str = "", recording=None,
                  setting: str = Setting.REAL_WORK, token: str = "") -> AssessmentRecord:
    """An observation, questioning or professional discussion record.

    It enters the portfolio as evidence (evidence.services.evidence_staff_create: locked at once) mapped with its
    method and accepted against the criteria it references, so it counts for coverage and for "at least two
    observed" requirements. A recording goes through the same checks as a candidate's upload and must be audio
    or video: anything else is refused and nothing is saved (no record, no evidence, no stored file).
    `setting` is where the assessor saw or heard the work (real work, a realistic working environment, simulation,
    a staged emergency drill); a unit that does not accept it refuses the record in the handbook's words.
    The evidence service owns the transaction, so that a failure also removes the stored file.
    """
    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    if (existing := _resubmitted(AssessmentRecord, registration, token)) is not None:
        return existing
    _refuse_if_closed(Registration.objects.get(pk=registration.pk))  # mapping_add checks again under lock
    criteria = list(criteria)
    if not criteria:
        _raise(RECORD_NEEDS_CRITERIA)
    not_in_future(date, RECORD_FUTURE_DATE)
    if setting not in Setting.values:
        _raise(UNKNOWN_SETTING)
    record = AssessmentRecord(registration=registration, kind=kind, assessor=actor, date=date, place=place,
                              description=description, questions_and_answers=questions_and_answers, setting=setting,
                              submission_token=token or "")
    record.full_clean(exclude=["criteria", "evidence_item"])
    label = AssessmentRecord.Kind(kind).label
    details = EvidenceDetails(
        title=f"{label} {date:%d/%m/%Y}", description=place, activity_date=date, kind=RECORD_EVIDENCE_KIND[kind],
        context=setting,
        statement_text="\n\n".join(t for t in (description, questions_and_answers) if t),
    )

    def attach(item):
        record.evidence_item = item
        record.save()
        record.criteria.set(criteria)
        audit_record(actor=actor, action=Action.ASSESSMENT_RECORD_CREATED, obj=record, centre=registration.centre,
                     details={"kind": kind, "date": date, "criteria": [str(c) for c in criteria], "setting": setting,
                              "recording": item.original_name or None, "sha256": item.sha256 or None})
        mapping_add(registration=registration, evidence=item, actor=actor, criteria=criteria,
                    method=record.method, location=label, decision=EvidenceMapping.Decision.ACCEPTED, setting=setting)

    try:
        evidence_staff_create(actor=actor, candidate=registration.candidate, centre=registration.centre,
                              details=details, upload=recording,
                              categories=RECORDING_CATEGORIES if recording is not None else None,
                              after_create=attach)
    except FileRefused as exc:
        raise ValidationError(str(exc)) from None
    except IntegrityError:
        # A concurrent resubmission won the race on the token (its transaction holds the record): that is the answer.
        if (existing := _resubmitted(AssessmentRecord, registration, token)) is None:
            raise
        return existing
    return record


@transaction.atomic
def record_candidate_sign(*, record, actor) -> AssessmentRecord:
    record = AssessmentRecord.objects.select_for_update().select_related("registration").get(pk=record.pk)
    if not permissions.is_candidate_of(actor, record.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(record.registration_id)
    if record.candidate_signed_at:
        _raise(RECORD_ALREADY_SIGNED)
    record.candidate_signed_at = timezone.now()
    record.save(update_fields=["candidate_signed_at"])
    audit_record(actor=actor, action=Action.ASSESSMENT_RECORD_SIGNED_BY_CANDIDATE, obj=record,
                 centre=record.registration.centre)
    return record


# --- action plan and feedback -----------------------------------------------------------------------
# --- skills scan (induction) ---------------------------------------------------------------------
@transaction.atomic
def skills_scan_create(*, registration, actor, ratings, agreed_actions: str) -> SkillsScan:
    """ratings: [(unit, candidate_rating or None, assessor_rating or None, notes)], units of the registration."""
    from .selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    _refuse_if_closed(registration)
    allowed = {u.pk for u in registration_units(registration)}
    lines = [(u, c, a, (n or "").strip()) for u, c, a, n in ratings if c or a]
    if not lines:
        _raise(SCAN_NEEDS_RATINGS)
    if not (agreed_actions or "").strip():
        _raise(SCAN_NEEDS_ACTIONS)
    for unit, _c, _a, _n in lines:
        if unit.pk not in allowed:
            _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    scan = SkillsScan(registration=registration, created_by=actor, agreed_actions=agreed_actions.strip())
    scan.full_clean()
    scan.save()
    for unit, candidate_rating, assessor_rating, notes in lines:
        rating = SkillsScanRating(scan=scan, unit=unit, candidate_rating=candidate_rating,
                                  assessor_rating=assessor_rating, notes=notes)
        rating.full_clean()
        rating.save()
    audit_record(actor=actor, action=Action.SKILLS_SCAN_CREATED, obj=scan, centre=registration.centre,
                 details={"ratings": [(u.ref, c, a) for u, c, a, _n in lines]})
    return scan


@transaction.atomic
def skills_scan_agree(*, scan, actor) -> SkillsScan:
    scan = SkillsScan.objects.select_for_update().select_related("registration").get(pk=scan.pk)
    if not permissions.is_candidate_of(actor, scan.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(scan.registration_id)
    if scan.candidate_agreed_at:
        _raise(SCAN_ALREADY_AGREED)
    scan.candidate_agreed_at = timezone.now()
    scan.save(update_fields=["candidate_agreed_at"])
    audit_record(actor=actor, action=Action.SKILLS_SCAN_AGREED, obj=scan, centre=scan.registration.centre)
    return scan


# --- assessment plan --------------------------------------------------------------------------------
@transaction.atomic
def action_plan_create(*, registration, actor, items, review_date: date | None = None, unit=None, venue: str = "",
                       scheduled_at=None, methods=(), skills_scan=None, token: str = "") -> ActionPlan:
    """items: [(activity, target_date, [criteria])]; methods: PlanMethod values (the boxes ticked)."""
    from .selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)  # a concurrent resubmission waits here, then finds the first one's plan
    if (existing := _resubmitted(ActionPlan, registration, token)) is not None:
        return existing
    items = [(a.strip(), d, list(c)) for a, d, c in items if a and a.strip() and d]
    if not items:
        _raise(PLAN_NEEDS_ITEMS)
    for method in methods:
        if method not in PlanMethod.values:
            _raise(UNKNOWN_PLAN_METHOD, method=method)
    if unit is not None and unit.pk not in {u.pk for u in registration_units(registration)}:
        _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    if skills_scan is not None and skills_scan.registration_id != registration.pk:
        _raise(SCAN_OTHER_REGISTRATION)
    plan = ActionPlan(registration=registration, created_by=actor, review_date=review_date, unit=unit,
                      venue=(venue or "").strip(), scheduled_at=scheduled_at,
                      methods=[m for m in PlanMethod.values if m in set(methods)], skills_scan=skills_scan,
                      submission_token=token or "")
    plan.full_clean()
    plan.save()
    for activity, target_date, criteria in items:
        item = ActionPlanItem.objects.create(plan=plan, activity=activity, target_date=target_date)
        item.criteria.set(criteria)
    audit_record(actor=actor, action=Action.ACTION_PLAN_CREATED, obj=plan, centre=registration.centre,
                 details={"items": [(a, d, [str(c) for c in cs]) for a, d, cs in items],
                          "unit": unit.ref if unit else None, "methods": plan.methods,
                          "skills_scan": skills_scan.pk if skills_scan else None})
    return plan


@transaction.atomic
def action_plan_review(*, plan, actor, reviewed_on: date, notes: str, next_review_date: date | None = None
                       ) -> ActionPlanReview:
    """Record a review of an assessment plan; the next review date is what the caseload watches."""
    plan = ActionPlan.objects.select_for_update().select_related("registration").get(pk=plan.pk)
    if not permissions.is_assessor_of(actor, plan.registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(plan.registration_id)
    if not (notes or "").strip():
        _raise(REVIEW_NEEDS_NOTES)
    not_in_future(reviewed_on, REVIEW_FUTURE_DATE)
    made = timezone.localtime(plan.created_at).date()
    if reviewed_on < made:
        _raise(REVIEW_DATE_BEFORE_PLAN, made=made.strftime("%d/%m/%Y"))
    if next_review_date is not None and next_review_date <= reviewed_on:
        _raise(NEXT_REVIEW_BEFORE_REVIEW)
    review = ActionPlanReview(plan=plan, reviewed_by=actor, reviewed_on=reviewed_on, notes=notes.strip(),
                              next_review_date=next_review_date)
    review.full_clean()
    review.save()
    audit_record(actor=actor, action=Action.ACTION_PLAN_REVIEWED, obj=plan, centre=plan.registration.centre,
                 details={"reviewed_on": str(reviewed_on), "next_review_date": str(next_review_date or "")})
    return review


# --- assessment report (2006) -----------------------------------------------------------------------
@transaction.atomic
def assessment_report_create(*, registration, actor, unit, date: date, answers: dict, outcome: str,
                             comments: str = "", questions: str = "", candidate_answers: str = "") -> AssessmentReport:
    from .selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    _refuse_if_closed(registration)
    if unit.pk not in {u.pk for u in registration_units(registration)}:
        _raise(UNIT_NOT_IN_REGISTRATION, unit=unit.number)
    if not (outcome or "").strip():
        _raise(REPORT_NEEDS_OUTCOME)
    not_in_future(date, REPORT_FUTURE_DATE)
    keys = {k for k, _ in AssessmentReport.QUESTIONS}
    report = AssessmentReport(
        registration=registration, unit=unit, assessor=actor, date=date, outcome=outcome.strip(),
        answers={k: bool(v) for k, v in (answers or {}).items() if k in keys and v is not None},
        comments=(comments or "").strip(), questions=(questions or "").strip(),
        candidate_answers=(candidate_answers or "").strip())
    report.full_clean(exclude=["answers"])  # the seven questions may all be left unanswered: {} is no error
    report.save()
    audit_record(actor=actor, action=Action.ASSESSMENT_REPORT_CREATED, obj=report, centre=registration.centre,
                 details={"unit": unit.ref, "answers": report.answers})
    return report


@transaction.atomic
def assessment_report_sign(*, report, actor) -> AssessmentReport:
    report = AssessmentReport.objects.select_for_update().select_related("registration").get(pk=report.pk)
    if not permissions.is_candidate_of(actor, report.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(report.registration_id)
    if report.candidate_signed_at:
        _raise(REPORT_ALREADY_SIGNED)
    report.candidate_signed_at = timezone.now()
    report.save(update_fields=["candidate_signed_at"])
    audit_record(actor=actor, action=Action.ASSESSMENT_REPORT_SIGNED_BY_CANDIDATE, obj=report,
                 centre=report.registration.centre)
    return report


@transaction.atomic
def action_plan_agree(*, plan, actor) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().select_related("registration").get(pk=plan.pk)
    if not permissions.is_candidate_of(actor, plan.registration):
        _raise(NOT_CANDIDATE)
    _lock_registration(plan.registration_id)
    if plan.agreed_at:
        _raise(PLAN_ALREADY_AGREED)
    plan.agreed_at = timezone.now()
    plan.save(update_fields=["agreed_at"])
    audit_record(actor=actor, action=Action.ACTION_PLAN_AGREED, obj=plan, centre=plan.registration.centre)
    return plan


@transaction.atomic
def feedback_give(*, registration, actor, text: str, unit=None, token: str = "") -> Feedback:
    """Feedback to the candidate; the email goes out once the transaction has committed. The same form sent
    again (same token) gives back the first feedback: no second one, no second email."""
    from .tasks import send_feedback_email

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    if (existing := _resubmitted(Feedback, registration, token)) is not None:
        return existing
    feedback = Feedback(registration=registration, author=actor, text=(text or "").strip(), unit=unit,
                        submission_token=token or "")
    feedback.full_clean()
    feedback.save()
    audit_record(actor=actor, action=Action.FEEDBACK_GIVEN, obj=feedback, centre=registration.centre,
                 details={"unit": unit.ref if unit else None})
    feedback_id = feedback.pk
    transaction.on_commit(lambda: send_feedback_email.enqueue(feedback_id))
    from django.urls import reverse

    notify(user=registration.candidate, kind="feedback", email=False,   # the feedback email is sent above
           text=f"Feedback from {actor}{f' on unit {unit.ref}' if unit else ''}: {feedback.text[:200]}",
           url=reverse("assessment:progress_detail", args=[registration.pk]))
    return feedback

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
from audit.services import audit_record
from audit.signatures import STATEMENTS, signature_record
from audit.signatures import Kind as SignatureKind
from evidence.models import EvidenceItem
from evidence.sniffing import AUDIO, VIDEO, FileRefused

from . import permissions, signing
from .models import (
    ActionPlan,
    ActionPlanItem,
    AssessmentRecord,
    EvidenceMapping,
    Feedback,
    MappingDecision,
    Method,
    Registration,
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
ALREADY_SIGNED = "Unit {unit} is already signed off."
NOT_AWAITING_COUNTERSIGNATURE = "This unit is not waiting for a countersignature."
COUNTERSIGNER_NOT_QUALIFIED = ("A countersignature must come from a qualified assessor of the centre who did not "
                               "sign the unit and is not its internal verifier.")
NOT_SIGNED = "Unit {unit} is not signed off, so there is nothing to reopen."
REOPEN_REASON_REQUIRED = "Write the reason for reopening a signed unit: it goes into the audit trail."
REOPEN_NOT_ALLOWED = "Only the registration's internal verifier (by referral) or a centre admin can reopen a unit."
AUTHENTICITY_ALREADY = "You have already signed the authenticity statement for this unit."
RECORD_NEEDS_CRITERIA = "Reference at least one assessment criterion."
RECORD_LOCKED = "This record supports a signed-off unit and is locked."
PLAN_NEEDS_ITEMS = "Add at least one activity with a target date."
PLAN_ALREADY_AGREED = "You have already agreed this action plan."
RECORD_ALREADY_SIGNED = "You have already signed this record."

# One wording per statement, the logbook's: audit.signatures.STATEMENTS (screen, record and print alike).
AUTHENTICITY_STATEMENT = STATEMENTS[SignatureKind.AUTHENTICITY]
SIGN_OFF_STATEMENT = STATEMENTS[SignatureKind.UNIT_SIGN_OFF]
COUNTERSIGNATURE_STATEMENT = STATEMENTS[SignatureKind.COUNTERSIGNATURE]


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


# --- registration -----------------------------------------------------------------------------------
def selection_problems(qualification, optional_units) -> list[str]:
    """The rules engine's objections to registering on `qualification` with these optional units."""
    from qualifications import rules, specs

    spec = specs.qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    return list(rules.selection_problems(spec, mandatory + [u.ref for u in optional_units]))


def suggested_route(qualification, optional_units):
    """The planner's cheapest route from this selection to the qualification (a rules.Plan)."""
    from qualifications import rules, specs

    spec = specs.qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    return rules.plan(spec, [], chosen=mandatory + [u.ref for u in optional_units])


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
    from qualifications.models import QualificationUnit

    allowed = set(
        QualificationUnit.objects.filter(qualification=qualification, status=QualificationUnit.Status.OPTIONAL)
        .values_list("unit_id", flat=True)
    )
    for unit in optional_units:
        if unit.pk not in allowed:
            _raise(NOT_OPTIONAL_UNIT, unit=unit.ref, qualification=qualification.code)
    problems = selection_problems(qualification, optional_units)
    if problems:
        _raise(SELECTION_REFUSED, qualification=qualification.code, problems=" ".join(problems))


def _ensure_unit_assessments(registration):
    from .selectors import registration_units

    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit=u) for u in registration_units(registration)],
        ignore_conflicts=True,
    )


@transaction.atomic
def registration_create(*, actor, centre, candidate, qualification, assessor, internal_verifier,
                        registered_on: date, expires_on: date | None = None, optional_units=(),
                        candidate_number: str = "") -> Registration:
    """Register a candidate; the rules engine must accept the chosen optional units."""
    if not permissions.is_centre_admin(actor, centre.pk):
        _raise(NOT_CENTRE_ADMIN)
    _check_people(centre=centre, candidate=candidate, assessor=assessor, internal_verifier=internal_verifier)
    optional_units = list(optional_units)
    _check_units(qualification, optional_units)
    if expires_on is None and qualification.registration_period_months:
        expires_on = add_months(registered_on, qualification.registration_period_months)
    registration = Registration(
        centre=centre, candidate=candidate, qualification=qualification, assessor=assessor,
        internal_verifier=internal_verifier, registered_on=registered_on, expires_on=expires_on,
        candidate_number=candidate_number,
    )
    registration.full_clean()
    registration.save()
    registration.optional_units.set(optional_units)
    _ensure_unit_assessments(registration)
    audit_record(actor=actor, action="registration_created", obj=registration, centre=centre, details={
        "candidate": candidate.username, "qualification": qualification.code, "assessor": assessor.username,
        "internal_verifier": internal_verifier.username, "registered_on": registered_on,
        "expires_on": expires_on, "optional_units": sorted(u.ref for u in optional_units),
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
        from qualifications.models import Unit

        refs = dict(Unit.objects.filter(pk__in=before | after).values_list("pk", "ref"))
        changes["optional_units"] = {"added": sorted(refs[p] for p in after - before),
                                     "removed": sorted(refs[p] for p in before - after)}
        registration.optional_units.set(optional_units)
        UnitAssessment.objects.filter(registration=registration, unit_id__in=removed,
                                      status=UnitAssessment.Status.OPEN).delete()
        _ensure_unit_assessments(registration)
    for field in ("assessor", "internal_verifier"):
        if field in changes:
            audit_record(actor=actor, action=f"registration_{field}_changed", obj=registration,
                         details=changes[field])
    if changes:
        audit_record(actor=actor, action="registration_updated", obj=registration, details=changes)
    return registration


# --- unit locking helpers ---------------------------------------------------------------------------
def _lock_unit_assessments(registration, unit_ids) -> dict[int, UnitAssessment]:
    """Take the unit assessment rows FOR UPDATE (creating missing ones), in a fixed order (no deadlock)."""
    unit_ids = sorted(set(unit_ids))
    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit_id=u) for u in unit_ids], ignore_conflicts=True
    )
    rows = UnitAssessment.objects.select_for_update().filter(registration=registration, unit_id__in=unit_ids)
    return {ua.unit_id: ua for ua in rows.select_related("unit").order_by("pk")}


def _lock_one(unit_assessment) -> UnitAssessment:
    return UnitAssessment.objects.select_for_update().select_related(
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
    """evidence.services.evidence_lock when the evidence app provides it (it does, by contract)."""
    try:
        from evidence.services import evidence_lock
    except ImportError:  # the evidence app's services not there yet: same effect, same audit
        if item.locked_at is None:
            EvidenceItem.objects.filter(pk=item.pk, locked_at__isnull=True).update(locked_at=timezone.now())
            audit_record(actor=actor, action="evidence_locked", obj=item, centre=item.centre)
        return
    evidence_lock(item=item, actor=actor)


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
    from evidence.revisions import evidence_changes_since

    current = EvidenceItem.objects.select_for_update().get(pk=evidence.pk)
    if current.deleted_at is not None:
        _raise(EVIDENCE_NOT_CANDIDATES)
    if seen_revision not in (None, "") and int(seen_revision) != current.revision:
        _raise(EVIDENCE_CHANGED, title=current.title,
               changes="; ".join(evidence_changes_since(current, int(seen_revision))))
    return current


@transaction.atomic
def mapping_add(*, registration, evidence, actor, criteria=(), range_items=(), method: str, location: str = "",
                decision: str, reason: str = "", evidence_revision=None) -> list[EvidenceMapping]:
    """Map one piece of evidence to criteria (and range items) across any units of the registration.

    `evidence_revision` is the revision of the evidence the assessor's page showed: when the candidate has
    edited it since, nothing is saved and the message says what changed. Every decision is kept in the
    mapping decision history with the revision it was made on.
    """
    from .selectors import registration_units

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    if evidence.candidate_id != registration.candidate_id or evidence.deleted_at is not None:
        _raise(EVIDENCE_NOT_CANDIDATES)
    criteria, range_items = list(criteria), list(range_items)
    if not criteria and not range_items:
        _raise(NOTHING_TICKED)
    if method not in Method.values:
        _raise("Choose an assessment method.")
    reason = reason.strip()
    if decision == EvidenceMapping.Decision.NOT_YET and not reason:
        _raise(REASON_REQUIRED)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        reason = ""
    units = {u.pk: u for u in registration_units(registration)}
    for target in criteria + range_items:
        if target.unit_id not in units:
            _raise(UNIT_NOT_IN_REGISTRATION, unit=target.unit.ref)
    locked = _lock_unit_assessments(registration, [t.unit_id for t in criteria + range_items])
    _lock_registration(registration.pk)
    for ua in locked.values():
        _refuse_if_locked(ua)
    evidence = _lock_current_evidence(evidence, evidence_revision)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        from .coverage import context_problem
        from .selectors import unit_facts

        for unit_id in locked:
            problem = context_problem(unit_facts(units[unit_id]), evidence.title, evidence.context)
            if problem:
                _raise(CONTEXT_REFUSED, problem=problem)
    now = timezone.now()
    created = []
    for target in criteria + range_items:
        is_criterion = target in criteria
        existing = EvidenceMapping.objects.filter(
            registration=registration, evidence=evidence,
            **({"criterion": target} if is_criterion else {"range_item": target}),
        ).first()
        mapping = existing or EvidenceMapping(
            registration=registration, evidence=evidence, unit_id=target.unit_id,
            **({"criterion": target} if is_criterion else {"range_item": target}),
        )
        mapping.method, mapping.location, mapping.decision, mapping.reason = method, location, decision, reason
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
    audit_record(actor=actor, action="evidence_mapped", obj=evidence, centre=registration.centre, details={
        "registration": registration.pk, "method": method, "location": location, "decision": decision,
        "reason": reason, "targets": [str(m) for m in created],
    })
    return created


@transaction.atomic
def mapping_decide(*, mapping, actor, decision: str, reason: str = "", expected_version=None) -> EvidenceMapping:
    """Accept a mapping, or mark it "not yet" with a reason. Refused on a stale page or a locked unit."""
    mapping = EvidenceMapping.objects.select_related("registration", "evidence", "unit").get(pk=mapping.pk)
    if not permissions.is_assessor_of(actor, mapping.registration):
        _raise(NOT_ASSESSOR)
    ua = _lock_unit_assessments(mapping.registration, [mapping.unit_id])[mapping.unit_id]
    _lock_registration(mapping.registration_id)
    _refuse_if_locked(ua)
    mapping = EvidenceMapping.objects.select_for_update().select_related("registration", "evidence", "unit").get(
        pk=mapping.pk)
    if expected_version is not None and int(expected_version) != mapping.version:
        _raise(STALE, now=mapping.version, seen=expected_version)
    reason = reason.strip()
    if decision == EvidenceMapping.Decision.NOT_YET and not reason:
        _raise(REASON_REQUIRED)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        from .coverage import context_problem
        from .selectors import unit_facts

        problem = context_problem(unit_facts(mapping.unit), mapping.evidence.title, mapping.evidence.context)
        if problem:
            _raise(CONTEXT_REFUSED, problem=problem)
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
    audit_record(actor=actor, action="mapping_decided", obj=mapping, centre=mapping.registration.centre,
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
    audit_record(actor=actor, action="mapping_removed", obj=mapping, centre=ua.registration.centre,
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
    audit_record(actor=actor, action="authenticity_signed", obj=ua, centre=ua.registration.centre,
                 details={"unit": ua.unit.ref, "statement": AUTHENTICITY_STATEMENT, "signature": signature.code})
    return ua


def sign_off_problems(ua: UnitAssessment, confirmed_requirements=()) -> list[str]:
    from .selectors import unit_matrix

    matrix = unit_matrix(ua.registration, ua.unit, confirmed_requirements=list(confirmed_requirements))
    return matrix.coverage.problems


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
    problems = sign_off_problems(ua, confirmed_requirements)
    if problems:
        _raise(CANNOT_SIGN, unit=ua.unit.ref, problems=" ".join(problems))
    now = timezone.now()
    status = (UnitAssessment.Status.AWAITING_COUNTERSIGNATURE if actor.is_trainee_assessor
              else UnitAssessment.Status.SIGNED)
    # The conditional UPDATE is the guard that also holds where FOR UPDATE is a no-op (SQLite).
    updated = UnitAssessment.objects.filter(pk=ua.pk, version=ua.version, status=UnitAssessment.Status.OPEN).update(
        status=status, signed_by=actor, signed_at=now, version=F("version") + 1, updated_at=now,
    )
    if not updated:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    try:
        with transaction.atomic():
            UnitSignOff.objects.create(unit_assessment=ua, round=ua.round, assessor=actor, signed_at=now)
    except IntegrityError:
        _raise(ALREADY_SIGNED, unit=ua.unit.ref)
    ua.refresh_from_db()
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(kind=SignatureKind.UNIT_SIGN_OFF, obj=ua, content=content, signer=actor,
                                 client_ip=client_ip, centre=ua.registration.centre, signed_at=now)
    audit_record(actor=actor, action="unit_signed_off", obj=ua, centre=ua.registration.centre, details={
        "unit": ua.unit.ref, "round": ua.round, "trainee": actor.is_trainee_assessor,
        "confirmed_requirements": sorted(confirmed_requirements), "statement": SIGN_OFF_STATEMENT,
        "signature": signature.code,
    })
    return ua


@transaction.atomic
def unit_countersign(*, unit_assessment, actor, password: str, expected_version=None,
                     client_ip: str | None = None) -> UnitAssessment:
    ua = _lock_one(unit_assessment)
    _lock_registration(ua.registration_id)
    if ua.status != UnitAssessment.Status.AWAITING_COUNTERSIGNATURE:
        _raise(NOT_AWAITING_COUNTERSIGNATURE)
    registration = ua.registration
    if not permissions.may_countersign(actor, ua):
        _raise(COUNTERSIGNER_NOT_QUALIFIED)
    if not actor.check_password(password or ""):
        _raise(BAD_PASSWORD)
    _check_version(ua, expected_version)
    now = timezone.now()
    ua.status = UnitAssessment.Status.SIGNED
    ua.countersigned_by, ua.countersigned_at = actor, now
    ua.version += 1
    ua.save(update_fields=["status", "countersigned_by", "countersigned_at", "version", "updated_at"])
    UnitSignOff.objects.filter(unit_assessment=ua, round=ua.round).update(countersigned_by=actor,
                                                                         countersigned_at=now)
    content = signing.decisions_content(ua) | {"round": ua.round}
    signature = signature_record(kind=SignatureKind.COUNTERSIGNATURE, obj=ua, content=content, signer=actor,
                                 client_ip=client_ip, centre=registration.centre, signed_at=now)
    audit_record(actor=actor, action="unit_countersigned", obj=ua, centre=registration.centre,
                 details={"unit": ua.unit.ref, "signed_by": ua.signed_by.username, "round": ua.round,
                          "statement": COUNTERSIGNATURE_STATEMENT, "signature": signature.code})
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
    ua.status = UnitAssessment.Status.OPEN
    ua.signed_by = ua.countersigned_by = None
    ua.signed_at = ua.countersigned_at = None
    ua.round += 1
    ua.version += 1
    ua.save()
    audit_record(actor=actor, action="unit_reopened", obj=ua, centre=registration.centre, details={
        "unit": ua.unit.ref, "reason": reason, "by_referral": by_referral, "previous": previous,
    })
    return ua


# --- assessment records -----------------------------------------------------------------------------
RECORD_EVIDENCE_KIND = {
    AssessmentRecord.Kind.OBSERVATION: EvidenceItem.Kind.OBSERVATION_RECORD,
    AssessmentRecord.Kind.QUESTIONING: EvidenceItem.Kind.OTHER,
    AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION: EvidenceItem.Kind.PROFESSIONAL_DISCUSSION,
}


RECORDING_CATEGORIES = (AUDIO, VIDEO)  # a recording is audio or video, whatever its name says


def record_create(*, registration, actor, kind: str, date: date, description: str, criteria, place: str = "",
                  questions_and_answers: str = "", recording=None) -> AssessmentRecord:
    """An observation, questioning or professional discussion record.

    It enters the portfolio as evidence (evidence.services.evidence_staff_create: locked at once) mapped with its
    method and accepted against the criteria it references, so it counts for coverage and for "at least two
    observed" requirements. A recording goes through the same checks as a candidate's upload and must be audio
    or video: anything else is refused and nothing is saved (no record, no evidence, no stored file).
    The evidence service owns the transaction, so that a failure also removes the stored file.
    """
    from evidence.services import EvidenceDetails, evidence_staff_create

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _refuse_if_closed(Registration.objects.get(pk=registration.pk))  # mapping_add checks again under lock
    criteria = list(criteria)
    if not criteria:
        _raise(RECORD_NEEDS_CRITERIA)
    record = AssessmentRecord(registration=registration, kind=kind, assessor=actor, date=date, place=place,
                              description=description, questions_and_answers=questions_and_answers)
    record.full_clean(exclude=["criteria", "evidence_item"])
    label = AssessmentRecord.Kind(kind).label
    details = EvidenceDetails(
        title=f"{label} {date:%d/%m/%Y}", description=place, activity_date=date, kind=RECORD_EVIDENCE_KIND[kind],
        context=EvidenceItem.Context.REAL_WORK,
        statement_text="\n\n".join(t for t in (description, questions_and_answers) if t),
    )

    def attach(item):
        record.evidence_item = item
        record.save()
        record.criteria.set(criteria)
        audit_record(actor=actor, action="assessment_record_created", obj=record, centre=registration.centre,
                     details={"kind": kind, "date": date, "criteria": [str(c) for c in criteria],
                              "recording": item.original_name or None, "sha256": item.sha256 or None})
        mapping_add(registration=registration, evidence=item, actor=actor, criteria=criteria,
                    method=record.method, location=label, decision=EvidenceMapping.Decision.ACCEPTED)

    try:
        evidence_staff_create(actor=actor, candidate=registration.candidate, centre=registration.centre,
                              details=details, upload=recording,
                              categories=RECORDING_CATEGORIES if recording is not None else None,
                              after_create=attach)
    except FileRefused as exc:
        raise ValidationError(str(exc)) from None
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
    audit_record(actor=actor, action="assessment_record_signed_by_candidate", obj=record,
                 centre=record.registration.centre)
    return record


# --- action plan and feedback -----------------------------------------------------------------------
@transaction.atomic
def action_plan_create(*, registration, actor, items, review_date: date | None = None) -> ActionPlan:
    """items: [(activity, target_date, [criteria])]."""
    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    items = [(a.strip(), d, list(c)) for a, d, c in items if a and a.strip() and d]
    if not items:
        _raise(PLAN_NEEDS_ITEMS)
    plan = ActionPlan(registration=registration, created_by=actor, review_date=review_date)
    plan.full_clean()
    plan.save()
    for activity, target_date, criteria in items:
        item = ActionPlanItem.objects.create(plan=plan, activity=activity, target_date=target_date)
        item.criteria.set(criteria)
    audit_record(actor=actor, action="action_plan_created", obj=plan, centre=registration.centre,
                 details={"items": [(a, d, [str(c) for c in cs]) for a, d, cs in items]})
    return plan


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
    audit_record(actor=actor, action="action_plan_agreed", obj=plan, centre=plan.registration.centre)
    return plan


@transaction.atomic
def feedback_give(*, registration, actor, text: str, unit=None) -> Feedback:
    """Feedback to the candidate; the email goes out once the transaction has committed."""
    from .tasks import send_feedback_email

    if not permissions.is_assessor_of(actor, registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(registration.pk)
    feedback = Feedback(registration=registration, author=actor, text=(text or "").strip(), unit=unit)
    feedback.full_clean()
    feedback.save()
    audit_record(actor=actor, action="feedback_given", obj=feedback, centre=registration.centre,
                 details={"unit": unit.ref if unit else None})
    feedback_id = feedback.pk
    transaction.on_commit(lambda: send_feedback_email.enqueue(feedback_id))
    return feedback

"""Registering a candidate, changing the registration (people, optional units, expiry)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import holds
from audit.actions import Action
from audit.dates import DATE, not_in_future
from audit.services import audit_record
from qualifications import planner, rules, specs
from qualifications.models import QualificationUnit, Unit

from .. import permissions
from ..models import EvidenceMapping, Registration, UnitAssessment
from .common import _raise, _refuse_if_closed, add_months
from .dates import date_problem
from .messages import (
    ALREADY_REGISTERED,
    CANDIDATE_IS_STAFF,
    ENTRY_CONDITIONS_NOT_CONFIRMED,
    IV_IS_ASSESSOR,
    NOT_CENTRE_ADMIN,
    NOT_IN_CENTRE,
    NOT_OPTIONAL_UNIT,
    REGISTERED_IN_FUTURE,
    SELECTION_REFUSED,
    UNIT_IN_USE,
    UNKNOWN_ENTRY_CONDITIONS,
)


class SelectionRefused(ValidationError):
    """A choice of units the rules of combination refuse (the page's tally says which rules)."""

    def __init__(self, message, *, qualification):
        super().__init__(message, code="selection_refused")
        self.qualification = qualification


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
    for person, role in (
        (candidate, Role.CANDIDATE),
        (assessor, Role.ASSESSOR),
        (internal_verifier, Role.INTERNAL_VERIFIER),
    ):
        if not holds(person, centre, role):
            _raise(NOT_IN_CENTRE, person=person, role=role.label.lower(), centre=centre.name)
    if assessor.pk == internal_verifier.pk:
        _raise(IV_IS_ASSESSOR)
    if candidate.pk in (assessor.pk, internal_verifier.pk):
        _raise(CANDIDATE_IS_STAFF)


def _check_units(qualification, optional_units):
    allowed = set(
        QualificationUnit.objects.filter(
            qualification=qualification, status=QualificationUnit.Status.OPTIONAL
        ).values_list("unit_id", flat=True)
    )
    for unit in optional_units:
        if unit.pk not in allowed:
            _raise(NOT_OPTIONAL_UNIT, unit=unit.ref, qualification=qualification.code)
    problems = selection_problems(qualification, optional_units)
    if problems:
        raise SelectionRefused(
            SELECTION_REFUSED.format(qualification=qualification.code, problems=" ".join(problems)),
            qualification=qualification.code,
        )


def _ensure_unit_assessments(registration):
    from ..selectors import registration_units

    UnitAssessment.objects.bulk_create(
        [UnitAssessment(registration=registration, unit=u) for u in registration_units(registration)],
        ignore_conflicts=True,
    )


def entry_conditions_of(qualification) -> list[dict]:
    """The entry conditions the catalogue records for the qualification (data, not code)."""
    return [c for c in (qualification.entry_conditions or []) if isinstance(c, dict) and c.get("key")]


def unknown_entry_conditions(qualification, keys) -> str:
    """Empty when every key is one of the qualification's entry conditions; else what is wrong, in words (the
    register form only offers the known ones; the MIS import, the API and the passport import are told this)."""
    known = {c["key"] for c in entry_conditions_of(qualification)}
    strange = [k for k in keys if k not in known]
    if not strange:
        return ""
    return UNKNOWN_ENTRY_CONDITIONS.format(
        keys=", ".join(f"'{k}'" for k in strange),
        qualification=qualification.code,
        known=", ".join(sorted(known)) or "none",
    )


def entry_condition_source(condition) -> str:
    """Where the handbook states a condition, with its page or the note that the source lost it."""
    page = condition.get("page")
    where = condition.get("source") or "the handbook"
    return f"{where}, page {page}" if page else f"{where}; page number not in the source text"


@transaction.atomic
def registration_create(
    *,
    actor,
    centre,
    candidate,
    qualification,
    assessor,
    internal_verifier,
    registered_on: date,
    expires_on: date | None = None,
    optional_units=(),
    candidate_number: str = "",
    entry_conditions_confirmed=(),
) -> Registration:
    """Register a candidate; the rules engine must accept the chosen optional units.

    `entry_conditions_confirmed`: the keys of the qualification's entry conditions (4430-04's age and "not
    already holding it") the centre admin confirms; every condition the catalogue records must be among them.
    A copy of each confirmed condition is kept on the registration with who confirmed it and when."""
    if not permissions.is_centre_admin(actor, centre.pk):
        _raise(NOT_CENTRE_ADMIN)
    _check_people(centre=centre, candidate=candidate, assessor=assessor, internal_verifier=internal_verifier)
    unknown = unknown_entry_conditions(qualification, entry_conditions_confirmed or ())
    if unknown:
        raise ValidationError(unknown)
    not_in_future(registered_on, REGISTERED_IN_FUTURE.format(date=f"{registered_on:{DATE}}"))
    problem = date_problem(centre, qualification, "registration", registered_on)
    if problem:
        raise ValidationError(problem)
    if Registration.objects.filter(
        candidate=candidate, qualification=qualification, status=Registration.Status.ACTIVE
    ).exists():
        _raise(ALREADY_REGISTERED, candidate=candidate, qualification=qualification.code)
    conditions = entry_conditions_of(qualification)
    confirmed = set(entry_conditions_confirmed or ())
    missing = [c for c in conditions if c["key"] not in confirmed]
    if missing:
        _raise(
            ENTRY_CONDITIONS_NOT_CONFIRMED,
            qualification=qualification.code,
            conditions=" ".join(f"“{c['text']}” ({entry_condition_source(c)})." for c in missing),
        )
    optional_units = list(optional_units)
    _check_units(qualification, optional_units)
    if expires_on is None and qualification.registration_period_months:
        expires_on = add_months(registered_on, qualification.registration_period_months)
    registration = Registration(
        centre=centre,
        candidate=candidate,
        qualification=qualification,
        assessor=assessor,
        internal_verifier=internal_verifier,
        registered_on=registered_on,
        expires_on=expires_on,
        candidate_number=candidate_number,
    )
    if conditions:
        registration.entry_conditions_confirmed = [
            {"key": c["key"], "text": c["text"], "source": c.get("source", ""), "page": c.get("page")}
            for c in conditions
        ]
        registration.entry_conditions_confirmed_by = actor
        registration.entry_conditions_confirmed_at = timezone.now()
    registration.full_clean()
    registration.save()
    registration.optional_units.set(optional_units)
    _ensure_unit_assessments(registration)
    audit_record(
        actor=actor,
        action=Action.REGISTRATION_CREATED,
        obj=registration,
        centre=centre,
        details={
            "candidate": candidate.username,
            "qualification": qualification.code,
            "assessor": assessor.username,
            "internal_verifier": internal_verifier.username,
            "registered_on": registered_on,
            "expires_on": expires_on,
            "optional_units": sorted(u.ref for u in optional_units),
            "entry_conditions_confirmed": registration.entry_conditions_confirmed or [],
        },
    )
    return registration


@transaction.atomic
def registration_update(
    *,
    registration,
    actor,
    assessor,
    internal_verifier,
    optional_units,
    expires_on: date | None,
    candidate_number: str = "",
) -> Registration:
    """Change the assessor, IV, optional units or expiry. A change of assessor or IV is audited by name."""
    list(UnitAssessment.objects.select_for_update().filter(registration_id=registration.pk).order_by("pk"))
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    _refuse_if_closed(registration)
    _check_people(
        centre=registration.centre,
        candidate=registration.candidate,
        assessor=assessor,
        internal_verifier=internal_verifier,
    )
    optional_units = list(optional_units)
    _check_units(registration.qualification, optional_units)
    before = set(registration.optional_units.values_list("pk", flat=True))
    removed = before - {u.pk for u in optional_units}
    if removed:
        in_use = (
            UnitAssessment.objects.filter(registration=registration, unit_id__in=removed)
            .exclude(status=UnitAssessment.Status.OPEN)
            .select_related("unit")
            .first()
        )
        used_unit = in_use.unit if in_use else None
        if used_unit is None:
            mapping = (
                EvidenceMapping.objects.filter(registration=registration, unit_id__in=removed)
                .select_related("unit")
                .first()
            )
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
        changes["optional_units"] = {
            "added": sorted(refs[p] for p in after - before),
            "removed": sorted(refs[p] for p in before - after),
        }
        registration.optional_units.set(optional_units)
        UnitAssessment.objects.filter(
            registration=registration, unit_id__in=removed, status=UnitAssessment.Status.OPEN
        ).delete()
        _ensure_unit_assessments(registration)
    for field in ("assessor", "internal_verifier"):
        if field in changes:
            audit_record(
                actor=actor,
                action=Action(f"registration_{field}_changed"),
                obj=registration,
                details=changes[field],
            )
    if changes:
        audit_record(actor=actor, action=Action.REGISTRATION_UPDATED, obj=registration, details=changes)
    return registration

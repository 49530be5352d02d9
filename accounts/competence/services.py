"""Writes for staff competence records: a centre admin records them; each write is atomic and audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import (
    ASSESSOR_QUALIFICATIONS,
    CpdEntry,
    Membership,
    Role,
    StaffProfile,
    StaffQualification,
    StandardisationMeeting,
    User,
)
from audit.actions import Action
from audit.dates import not_in_future
from audit.services import audit_record

NOT_CENTRE_ADMIN = "Only a centre admin of this centre can change staff records."
NOT_STAFF_HERE = "{person} is not an assessor or internal verifier at this centre."
COUNTERSIGNER_NOT_QUALIFIED = (
    "{person} cannot countersign: choose a qualified assessor of this centre (with A1, "
    "D32/D33 or TAQA recorded), not a trainee and not the trainee themselves."
)
NO_ATTENDEES = "Tick who attended."
ACHIEVED_IN_FUTURE = "The date achieved is in the future: record a qualification once it has been achieved."
REVIEWED_IN_FUTURE = "The review date is in the future: give the day the statement was reviewed (dd/mm/yyyy)."
CPD_IN_FUTURE = (
    "The date is in the future: record continuing professional development once it has taken place."
)
MEETING_IN_FUTURE = "The date is in the future: record a standardisation meeting once it has taken place."


def _raise(message, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


def _require_admin(actor, centre):
    if not Membership.objects.filter(user=actor, centre=centre, role=Role.CENTRE_ADMIN).exists():
        _raise(NOT_CENTRE_ADMIN)


def _require_staff(person, centre):
    if not Membership.objects.filter(
        user=person, centre=centre, role__in=[Role.ASSESSOR, Role.INTERNAL_VERIFIER]
    ).exists():
        _raise(NOT_STAFF_HERE, person=person)


@transaction.atomic
def staff_qualification_add(
    *, actor, centre, person, kind, achieved_on, certificate_number="", expires_on=None
) -> StaffQualification:
    _require_admin(actor, centre)
    _require_staff(person, centre)
    not_in_future(achieved_on, ACHIEVED_IN_FUTURE, field="achieved_on")
    qualification = StaffQualification(
        user=person,
        kind=kind,
        achieved_on=achieved_on,
        certificate_number=certificate_number.strip(),
        expires_on=expires_on,
    )
    qualification.full_clean()
    qualification.save()
    audit_record(
        actor=actor,
        action=Action.STAFF_QUALIFICATION_ADDED,
        obj=qualification,
        centre=centre,
        details={
            "person": person.username,
            "kind": kind,
            "achieved_on": achieved_on,
            "certificate_number": qualification.certificate_number,
            "expires_on": expires_on,
        },
    )
    return qualification


@transaction.atomic
def competence_statement_set(*, actor, centre, person, text: str, reviewed_on) -> StaffProfile:
    _require_admin(actor, centre)
    _require_staff(person, centre)
    not_in_future(reviewed_on, REVIEWED_IN_FUTURE, field="reviewed_on")
    profile, _ = StaffProfile.objects.select_for_update().get_or_create(user=person)
    profile.occupational_competence, profile.competence_reviewed_on = text.strip(), reviewed_on
    profile.full_clean()
    profile.save()
    audit_record(
        actor=actor,
        action=Action.COMPETENCE_STATEMENT_SET,
        obj=profile,
        centre=centre,
        details={"person": person.username, "reviewed_on": reviewed_on},
    )
    return profile


@transaction.atomic
def cpd_add(*, actor, centre, person, date, activity: str, hours, reflection: str = "") -> CpdEntry:
    _require_admin(actor, centre)
    _require_staff(person, centre)
    not_in_future(date, CPD_IN_FUTURE, field="date")
    entry = CpdEntry(
        user=person, date=date, activity=activity.strip(), hours=hours, reflection=reflection.strip()
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action=Action.CPD_ADDED,
        obj=entry,
        centre=centre,
        details={"person": person.username, "date": date, "hours": hours},
    )
    return entry


@transaction.atomic
def trainee_set(*, actor, centre, person, is_trainee: bool, countersigning_assessor: User | None) -> User:
    """Mark (or clear) a trainee assessor and name the qualified assessor who countersigns their decisions."""
    _require_admin(actor, centre)
    _require_staff(person, centre)
    if is_trainee and countersigning_assessor is not None:
        c = countersigning_assessor
        qualified = (
            c.pk != person.pk
            and not c.is_trainee_assessor
            and Membership.objects.filter(user=c, centre=centre, role=Role.ASSESSOR).exists()
            and c.staff_qualifications.filter(kind__in=list(ASSESSOR_QUALIFICATIONS)).exists()
        )
        if not qualified:
            _raise(COUNTERSIGNER_NOT_QUALIFIED, person=c)
    User.objects.filter(pk=person.pk).update(is_trainee_assessor=is_trainee)
    profile, _ = StaffProfile.objects.select_for_update().get_or_create(user=person)
    profile.countersigning_assessor = countersigning_assessor if is_trainee else None
    profile.save()
    audit_record(
        actor=actor,
        action=Action.TRAINEE_ASSESSOR_SET,
        obj=person,
        centre=centre,
        details={
            "trainee": is_trainee,
            "countersigning_assessor": countersigning_assessor.username
            if is_trainee and countersigning_assessor
            else None,
        },
    )
    person.refresh_from_db()
    return person


@transaction.atomic
def standardisation_record(*, actor, centre, date, topic: str, attendees) -> StandardisationMeeting:
    _require_admin(actor, centre)
    attendees = list(attendees)
    if not attendees:
        _raise(NO_ATTENDEES)
    not_in_future(date, MEETING_IN_FUTURE, field="date")
    for person in attendees:
        _require_staff(person, centre)
    meeting = StandardisationMeeting(centre=centre, date=date, topic=topic.strip())
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    audit_record(
        actor=actor,
        action=Action.STANDARDISATION_RECORDED,
        obj=meeting,
        centre=centre,
        details={"date": date, "topic": meeting.topic, "attendees": sorted(p.username for p in attendees)},
    )
    return meeting

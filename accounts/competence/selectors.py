"""Reads for staff competence: who may see which centre's records, and who is missing what or expiring soon."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import (
    ASSESSOR_QUALIFICATIONS,
    IV_QUALIFICATIONS,
    Centre,
    CpdEntry,
    Membership,
    Role,
    StaffQualification,
    StandardisationMeeting,
    User,
)
from accounts.selectors import centres_of
from audit.dates import DATE

STAFF_ROLES = [Role.ASSESSOR, Role.INTERNAL_VERIFIER]
SOON_DAYS = 90  # "expiring soon": within this many days
RECENT_DAYS = 365  # CPD, standardisation and the competence review are expected at least yearly

NO_ASSESSOR_QUALIFICATION = "No assessor qualification recorded (A1, D32/D33 or TAQA)"
NO_IV_QUALIFICATION = "No internal verifier qualification recorded (V1, D34 or TAQA IQA)"
TRAINEE_WITHOUT_COUNTERSIGNER = "Trainee assessor without a countersigning assessor"
NO_STATEMENT = "No occupational competence statement"
STATEMENT_OLD = f"Occupational competence last reviewed {{day:{DATE}}} (over a year ago)"
STATEMENT_DUE = f"Occupational competence review due by {{day:{DATE}}}"
NO_CPD = "No CPD recorded in the last 12 months"
NO_STANDARDISATION = "No standardisation meeting attended here in the last 12 months"
EXPIRED = f"{{qualification}} expired on {{day:{DATE}}}"
EXPIRES_SOON = f"{{qualification}} expires on {{day:{DATE}}}"


def competence_centres_of(user) -> QuerySet[Centre]:
    """Centres whose staff records `user` may read: as internal verifier or centre admin."""
    return centres_of(user, roles=[Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN])


def competence_centre_for(user, pk) -> Centre:
    return get_object_or_404(competence_centres_of(user), pk=pk)


def staff_of(centre) -> QuerySet[User]:
    """The centre's assessors and internal verifiers, with every competence record prefetched."""
    return (
        User.objects.filter(memberships__centre=centre, memberships__role__in=STAFF_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
        .select_related("staff_profile__countersigning_assessor")
        .prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.filter(centre=centre), to_attr="centre_memberships"
            ),
            "staff_qualifications",
            "cpd_entries",
            Prefetch(
                "standardisation_meetings",
                queryset=StandardisationMeeting.objects.filter(centre=centre),
                to_attr="centre_meetings",
            ),
        )
    )


def staff_member_at(centre, pk) -> User:
    return get_object_or_404(staff_of(centre), pk=pk)


@dataclass
class StaffCompetence:
    person: User
    roles: list[str]
    missing: list[str] = field(default_factory=list)
    soon: list[str] = field(default_factory=list)

    @property
    def complete(self):
        return not self.missing and not self.soon


def _profile(person):
    try:
        return person.staff_profile
    except User.staff_profile.RelatedObjectDoesNotExist:
        return None


def competence_of(person, *, today: date | None = None) -> StaffCompetence:
    """What the records say about one member of staff (prefetched through staff_of)."""
    today = today or timezone.localdate()
    roles = {m.role for m in getattr(person, "centre_memberships", person.memberships.all())}
    result = StaffCompetence(person, [Role(r).label for r in sorted(roles)])
    held = list(person.staff_qualifications.all())
    valid = {q.kind for q in held if q.expires_on is None or q.expires_on >= today}
    profile = _profile(person)
    if Role.ASSESSOR in roles:
        if person.is_trainee_assessor:
            if profile is None or profile.countersigning_assessor_id is None:
                result.missing.append(TRAINEE_WITHOUT_COUNTERSIGNER)
        elif not valid & ASSESSOR_QUALIFICATIONS:
            result.missing.append(NO_ASSESSOR_QUALIFICATION)
    if Role.INTERNAL_VERIFIER in roles and not valid & IV_QUALIFICATIONS:
        result.missing.append(NO_IV_QUALIFICATION)
    for q in held:
        if q.expires_on and q.expires_on < today:
            result.missing.append(EXPIRED.format(qualification=q.kind, day=q.expires_on))
        elif q.expires_on and q.expires_on <= today + timedelta(days=SOON_DAYS):
            result.soon.append(EXPIRES_SOON.format(qualification=q.kind, day=q.expires_on))
    if profile is None or not profile.occupational_competence.strip():
        result.missing.append(NO_STATEMENT)
    elif profile.competence_reviewed_on:
        due = profile.competence_reviewed_on + timedelta(days=RECENT_DAYS)
        if due < today:
            result.missing.append(STATEMENT_OLD.format(day=profile.competence_reviewed_on))
        elif due <= today + timedelta(days=SOON_DAYS):
            result.soon.append(STATEMENT_DUE.format(day=due))
    since = today - timedelta(days=RECENT_DAYS)
    if not any(e.date >= since for e in person.cpd_entries.all()):
        result.missing.append(NO_CPD)
    meetings = getattr(person, "centre_meetings", None)
    if meetings is None:
        meetings = list(person.standardisation_meetings.all())
    if not any(m.date >= since for m in meetings):
        result.missing.append(NO_STANDARDISATION)
    return result


def competence_overview(centre, *, today: date | None = None) -> list[StaffCompetence]:
    return [competence_of(p, today=today) for p in staff_of(centre)]


def cpd_of(person) -> QuerySet[CpdEntry]:
    return person.cpd_entries.all()


def qualifications_of(person) -> QuerySet[StaffQualification]:
    return person.staff_qualifications.all()


TRAINEE_FLAG = "Trainee assessor (from competence records)"
NEWLY_QUALIFIED_FLAG = "Newly qualified assessor (from competence records)"


def full_sampling_reasons(centre_id) -> dict[str, str]:
    """Assessors of the centre whose every candidate the sampling plan should sample, by username:
    trainees, and assessors whose first assessor qualification is less than a year old."""
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    assessors = User.objects.filter(
        memberships__centre_id=centre_id, memberships__role=Role.ASSESSOR
    ).distinct()
    reasons = {
        u: TRAINEE_FLAG for u in assessors.filter(is_trainee_assessor=True).values_list("username", flat=True)
    }
    first = {}
    for username, achieved in StaffQualification.objects.filter(
        user__in=assessors, kind__in=list(ASSESSOR_QUALIFICATIONS)
    ).values_list("user__username", "achieved_on"):
        first[username] = min(achieved, first.get(username, achieved))
    for username, achieved in first.items():
        if achieved >= since:
            reasons.setdefault(username, NEWLY_QUALIFIED_FLAG)
    return reasons

"""Demo registrations at different stages, through the real services (engine check, audit, locking).

- candidate (Cara): 4411-01, the evidence app's demo items mapped to unit 102, feedback and an action plan;
- fresh (Fran):     4411-01, nothing yet;
- mapped (Mo):      4411-01, unit 101 fully mapped, authenticity statement signed: ready to sign;
- signed (Sid):     4411-01, units 101 and 102 signed off (locked);
- locked (Lou):     4430-04, unit 401 signed off and locked, with an observation record (the centre records
                    the awarding body's extensions of 4430-04's last registration and certification dates).
Idempotent: a candidate who already has the registration is left as they are.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Centre, Membership, Role, User
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails, evidence_statement_create
from qualifications.models import Qualification, Unit

from . import services
from .models import Registration, UnitAssessment
from .selectors import candidate_evidence, registration_units, unit_matrix

EXTRA_CANDIDATES = [
    ("fresh", "Fran", "Fresh"),
    ("mapped", "Mo", "Mapped"),
    ("signed", "Sid", "Signed"),
    ("locked", "Lou", "Locked"),
]
START = datetime.date(2026, 1, 12)


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def _user(username, first, last, centre):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, centre=centre, role=Role.CANDIDATE)
    return user


def _optional_route(qualification, preferred=()):
    """Optional units: the preferred ones when the engine accepts them, else the planner's cheapest route."""
    units = list(Unit.objects.filter(ref__in=preferred))
    if units and not services.selection_problems(qualification, units):
        return units
    route = services.suggested_route(qualification, [])
    return list(Unit.objects.filter(ref__in=[u.ref for u in route.add]))


def _register(*, admin, centre, candidate, qualification, assessor, iv, preferred=()):
    existing = Registration.objects.filter(candidate=candidate, qualification=qualification).first()
    if existing:
        return existing, False
    return services.registration_create(
        actor=admin,
        centre=centre,
        candidate=candidate,
        qualification=qualification,
        assessor=assessor,
        internal_verifier=iv,
        registered_on=START,
        optional_units=_optional_route(qualification, preferred),
        # the demo's admin confirms the handbook's entry conditions (4430-04: age, not already holding it)
        entry_conditions_confirmed=[c["key"] for c in services.entry_conditions_of(qualification)],
    ), True


def _statement(candidate, centre, key, title, text):
    item, _ = evidence_statement_create(
        candidate=candidate,
        centre=centre,
        declared=True,
        token=f"assessment-demo-{key}",
        details=EvidenceDetails(
            title=title,
            statement_text=text,
            kind=EvidenceItem.Kind.STATEMENT,
            activity_date=datetime.date(2026, 2, 16),
        ),
    )
    return item


def _complete_unit(registration, unit, assessor, *, sign=True, key):
    """Map a statement and an observation to every criterion, the candidate signs the record and the statement,
    and the assessor signs the unit."""
    criteria = list(unit.criteria.all())
    candidate = registration.candidate
    item = _statement(
        candidate,
        registration.centre,
        f"{key}-{unit.number}",
        f"My account of unit {unit.number}",
        f"How I met every criterion of unit {unit.number} {unit.title} at work.",
    )
    services.mapping_add(
        registration=registration,
        evidence=item,
        actor=assessor,
        criteria=criteria,
        method="candidate_statement",
        location="whole account",
        decision="accepted",
    )
    record = services.record_create(
        registration=registration,
        actor=assessor,
        kind="observation",
        date=datetime.date(2026, 2, 20),
        place="Customer service desk",
        description=f"Observed the candidate doing the work of unit {unit.number} with customers.",
        criteria=criteria,
    )
    services.record_candidate_sign(record=record, actor=candidate)
    ua = UnitAssessment.objects.get(registration=registration, unit=unit)
    services.authenticity_sign(unit_assessment=ua, actor=candidate)
    if sign:
        matrix = unit_matrix(registration, unit)
        confirm = {
            s.requirement.ref: "Shown in the candidate's account and the observation record."
            for s in matrix.coverage.to_confirm
        }
        services.unit_sign_off(
            unit_assessment=ua, actor=assessor, password=DEMO_PASSWORD, confirmed_requirements=confirm
        )


# 4430-04's last registration date (31/07/2014) and last certification date (31/07/2017) have passed; the demo
# centre records the awarding body's extensions so that its 4430-04 candidate is registered truthfully.
DEMO_EXTENSIONS = [
    ("registration", "DEMO-C&G-EXT-4430-04-R", datetime.date(2027, 7, 31)),
    ("certification", "DEMO-C&G-EXT-4430-04-C", datetime.date(2029, 7, 31)),
]


def _demo_date_extensions(centre, qualification, admin):
    from .models import AwardingBodyExtension

    for kind, reference, new_date in DEMO_EXTENSIONS:
        printed = (
            qualification.last_registration_date
            if kind == "registration"
            else qualification.last_certification_date
        )
        if (
            printed is None
            or AwardingBodyExtension.objects.filter(
                centre=centre, qualification=qualification, kind=kind
            ).exists()
        ):
            continue
        services.awarding_body_extension_record(
            centre=centre,
            qualification=qualification,
            actor=admin,
            kind=kind,
            reference=reference,
            new_date=new_date,
        )


def _induction_records(registration, assessor):
    """Cara's skills scan at induction, the assessment plan made from it (reviewed once), an assessment report
    and a questioning record on unit 102."""
    units = {u.number: u for u in registration_units(registration)}
    ratings = [(u, 2 if u.number == "102" else 1, 2 if u.number == "102" else 1, "") for u in units.values()]
    scan = services.skills_scan_create(
        registration=registration,
        actor=assessor,
        ratings=ratings,
        agreed_actions="Start with unit 102 (you already follow the procedures); plan an observation for unit 101.",
    )
    services.skills_scan_agree(scan=scan, actor=registration.candidate)
    unit = units.get("102")
    plan = services.action_plan_create(
        registration=registration,
        actor=assessor,
        unit=unit,
        venue="Customer service desk, Riverside store",
        scheduled_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30)),  # noqa: DTZ001 - made aware here
        methods=["observation", "oral_questioning", "work_products"],
        skills_scan=scan,
        review_date=datetime.date(2026, 3, 16),
        items=[
            ("Bring two examples of the complaints procedure you followed", datetime.date(2026, 3, 2), [])
        ],
    )
    services.action_plan_review(
        plan=plan,
        actor=assessor,
        reviewed_on=max(timezone.localdate(), START),
        notes="Examples brought; observation still to do.",
        next_review_date=max(timezone.localdate(), START) + datetime.timedelta(days=30),
    )
    if unit is not None:
        criteria = list(unit.criteria.all()[:2])
        services.record_create(
            registration=registration,
            actor=assessor,
            kind="questioning",
            date=datetime.date(2026, 2, 23),
            place="Training room",
            description="Questions on the limits of the candidate's job.",
            questions_and_answers="Q: Who do you pass a refund over £50 to?\nA: The duty manager.",
            criteria=criteria,
        )
        services.assessment_report_create(
            registration=registration,
            actor=assessor,
            unit=unit,
            date=datetime.date(2026, 2, 23),
            answers={
                "more_skills": True,
                "more_knowledge": False,
                "evidence_valid": True,
                "authenticated": True,
            },
            outcome="Not yet competent: one more observed example needed.",
            comments="Good knowledge of the procedures.",
            questions="Who do you pass a refund over £50 to?",
            candidate_answers="The duty manager.",
        )


@transaction.atomic
def run(stdout=None):
    centre = Centre.objects.filter(number="DEMO01").first()
    people = {
        u.username: u for u in User.objects.filter(username__in=["candidate", "assessor", "iv", "admin"])
    }
    q4411 = Qualification.objects.filter(code="4411-01").first()
    q4430 = Qualification.objects.filter(code="4430-04").first()
    if centre is None or len(people) < 4 or q4411 is None:
        _say(stdout, "Assessment demo skipped: demo centre or 4411-01 catalogue missing.\n")
        return {}
    admin, assessor, iv = people["admin"], people["assessor"], people["iv"]
    logins = []
    users = {username: _user(username, first, last, centre) for username, first, last in EXTRA_CANDIDATES}
    for username, _first, last in EXTRA_CANDIDATES:
        logins.append((f"Candidate ({last.lower()})", username))
    preferred = ["4411-101", "4411-103", "4411-104"]

    # Cara: the evidence app's demo items mapped to unit 102, some accepted, one "not yet".
    cara, created = _register(
        admin=admin,
        centre=centre,
        candidate=people["candidate"],
        qualification=q4411,
        assessor=assessor,
        iv=iv,
        preferred=preferred,
    )
    if created:
        unit = Unit.objects.get(ref="4411-102")
        criteria = list(unit.criteria.all())
        items = list(candidate_evidence(cara).order_by("created_at")[:3])
        for index, item in enumerate(items):
            if index < 2:
                services.mapping_add(
                    registration=cara,
                    evidence=item,
                    actor=assessor,
                    criteria=criteria[index::2],
                    method="product_evidence",
                    location="page 1",
                    decision="accepted",
                )
            else:
                services.mapping_add(
                    registration=cara,
                    evidence=item,
                    actor=assessor,
                    criteria=criteria[:1],
                    method="candidate_statement",
                    decision="not_yet",
                    reason="Say which limits of your job you worked within and why.",
                )
        services.feedback_give(
            registration=cara,
            actor=assessor,
            unit=unit,
            text="A good start on unit 102. Add an example of a limit you had to respect.",
        )
        services.action_plan_create(
            registration=cara,
            actor=assessor,
            items=[
                (
                    "Write a short account of one time you passed a customer to a colleague",
                    datetime.date(2026, 4, 30),
                    criteria[:2],
                ),
                ("Arrange an observation on the customer service desk", datetime.date(2026, 5, 15), []),
            ],
        )

    if not cara.skills_scans.exists():
        _induction_records(cara, assessor)

    _register(
        admin=admin,
        centre=centre,
        candidate=users["fresh"],
        qualification=q4411,
        assessor=assessor,
        iv=iv,
        preferred=preferred,
    )

    mo, created = _register(
        admin=admin,
        centre=centre,
        candidate=users["mapped"],
        qualification=q4411,
        assessor=assessor,
        iv=iv,
        preferred=preferred,
    )
    if created:
        _complete_unit(mo, Unit.objects.get(ref="4411-101"), assessor, sign=False, key="mo")

    sid, created = _register(
        admin=admin,
        centre=centre,
        candidate=users["signed"],
        qualification=q4411,
        assessor=assessor,
        iv=iv,
        preferred=preferred,
    )
    if created:
        for ref in ("4411-101", "4411-102"):
            _complete_unit(sid, Unit.objects.get(ref=ref), assessor, key="sid")
        services.feedback_give(
            registration=sid, actor=assessor, text="Units 101 and 102 are signed off. Well done."
        )

    if q4430 is not None:
        _demo_date_extensions(centre, q4430, admin)
        lou, created = _register(
            admin=admin,
            centre=centre,
            candidate=users["locked"],
            qualification=q4430,
            assessor=assessor,
            iv=iv,
        )
        if created:
            _complete_unit(lou, Unit.objects.get(ref="4430-401"), assessor, key="lou")
    _say(stdout, "Assessment demo: registrations at every stage (fresh, mapped, signed, locked).\n")
    return {"logins": logins}

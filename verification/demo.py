"""Demo data for verification: a sampling plan, a sample, an open referral, a certified candidate and an
external verifier's access. Idempotent; runs after assessment.demo (and builds what it needs if that demo
has not registered anyone)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_CENTRE, DEMO_PASSWORD
from accounts.models import Centre, Membership, Role, User
from assessment.models import EvidenceMapping, Registration, UnitAssessment, UnitSignOff
from assessment.selectors import registration_units
from assessment.services import unit_assessment_transition
from audit.actions import Action
from evidence.models import EvidenceItem
from qualifications.models import AssessmentCriterion, Qualification, QualificationUnit
from qualifications.planner import plan
from qualifications.specs import qualification_spec

from . import selectors, services
from .models import CertificationClaim, ExternalAccessGrant, SampleItem, SamplingPlan, VerificationDecision

QUALIFICATION = "4411-01"
METHODS = ["observation", "questioning", "product_evidence", "witness_testimony"]


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text)


def _units_for(qualification):
    """Mandatory units plus the engine's cheapest optional units to achieve the qualification."""
    spec = qualification_spec(qualification)
    mandatory = [u.ref for u in spec.units if u.status == "mandatory"]
    route = plan(spec, [], chosen=mandatory)
    refs = set(mandatory) | {u.ref for u in route.add} | set(route.claim)
    return list(
        QualificationUnit.objects.filter(qualification=qualification, unit__ref__in=refs).select_related(
            "unit"
        )
    )


def _registration(centre, candidate, assessor, iv, qualification, registered_on):
    registration = Registration.objects.filter(
        centre=centre, candidate=candidate, qualification=qualification
    ).first()
    if registration is None:
        registration = Registration.objects.create(
            centre=centre,
            candidate=candidate,
            qualification=qualification,
            assessor=assessor,
            internal_verifier=iv,
            registered_on=registered_on,
            expires_on=registered_on + dt.timedelta(days=36 * 30),
        )
        memberships = _units_for(qualification)
        registration.optional_units.set([m.unit for m in memberships if m.status == "optional"])

    for unit in registration_units(registration):
        UnitAssessment.objects.get_or_create(registration=registration, unit=unit)
    return registration


def _sign(registration, unit, assessor, n):
    """Evidence mapped to every criterion (accepted), the authenticity statement, and the sign-off."""
    ua = UnitAssessment.objects.get(registration=registration, unit=unit)
    if ua.status != UnitAssessment.Status.OPEN or ua.round > 1:
        return ua
    now = timezone.now()
    evidence, _ = EvidenceItem.objects.get_or_create(
        centre=registration.centre,
        candidate=registration.candidate,
        title=f"Work record for unit {unit.number}",
        defaults={
            "kind": EvidenceItem.Kind.WORK_PRODUCT,
            "statement_text": "What I did with my customers.",
            "authenticity_confirmed_at": now,
            "locked_at": now,
        },
    )
    for criterion in AssessmentCriterion.objects.filter(unit=unit):
        EvidenceMapping.objects.get_or_create(
            registration=registration,
            evidence=evidence,
            criterion=criterion,
            defaults={
                "unit": unit,
                "method": METHODS[n % len(METHODS)],
                "decision": "accepted",
                "assessed_by": assessor,
                "assessed_at": now,
                "location": "page 1",
            },
        )
    # The demo signs directly (no password to re-check), but through the unit's transition table like any sign-off.
    UnitAssessment.objects.filter(pk=ua.pk).update(authenticity_signed_at=now)
    ua = UnitAssessment.objects.select_related("unit", "registration__centre").get(pk=ua.pk)
    UnitSignOff.objects.get_or_create(
        unit_assessment=ua, round=ua.round, defaults={"assessor": assessor, "signed_at": now}
    )
    return unit_assessment_transition(
        ua=ua,
        actor=assessor,
        to=UnitAssessment.Status.SIGNED,
        action=Action.UNIT_SIGNED_OFF,
        signed_by=assessor,
        signed_at=now,
        details={"round": ua.round, "demo": True},
    )


@transaction.atomic
def run(stdout=None):
    centre = Centre.objects.filter(number=DEMO_CENTRE["number"]).first()
    qualification = Qualification.objects.filter(code=QUALIFICATION).first()
    if centre is None or qualification is None:
        _say(stdout, "verification demo: the demo centre or the catalogue is missing; skipped.\n")
        return {}
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["candidate", "assessor", "iv", "admin", "ev"])
    }
    candidate, assessor, iv, admin, ev = (people[n] for n in ("candidate", "assessor", "iv", "admin", "ev"))
    ben, created = User.objects.get_or_create(
        username="candidate2",
        defaults={"first_name": "Ben", "last_name": "Certified", "email": "candidate2@example.org"},
    )
    if created:
        ben.set_password(DEMO_PASSWORD)
        ben.save()
    Membership.objects.get_or_create(user=ben, centre=centre, role=Role.CANDIDATE)

    today = timezone.localdate()
    cara_reg = _registration(centre, candidate, assessor, iv, qualification, today - dt.timedelta(days=120))
    ben_reg = _registration(centre, ben, assessor, iv, qualification, today - dt.timedelta(days=200))
    services.candidate_site_set(actor=admin, registration=cara_reg, site="Leeds")
    services.candidate_site_set(actor=admin, registration=ben_reg, site="York")
    if not CertificationClaim.objects.filter(registration=ben_reg).exists():
        for n, ua in enumerate(ben_reg.unit_assessments.select_related("unit")):
            _sign(ben_reg, ua.unit, assessor, n)
    first_unit = cara_reg.unit_assessments.select_related("unit").order_by("unit__number").first()
    if first_unit and not SampleItem.objects.filter(unit_assessment=first_unit).exists():
        _sign(cara_reg, first_unit.unit, assessor, 1)

    plan = SamplingPlan.objects.filter(centre=centre, qualification=qualification).first()
    if plan is None:
        plan = services.plan_create(
            actor=iv,
            centre=centre,
            qualification=qualification,
            period_start=today - dt.timedelta(days=365),
            period_end=today + dt.timedelta(days=180),
            min_share_percent=50,
        )
    if not plan.samples.exists():
        pool = selectors.plan_pool(plan)
        keys = [d.id for d in pool.decisions if d.stage == "summative"]
        services.sample_accept(plan=plan, actor=iv, decision_keys=keys)
        for item in SampleItem.objects.filter(plan=plan).select_related("unit_assessment"):
            # One open referral (Cara's unit); every other sampled decision is agreed, so the
            # assessment demo's signed and locked candidates keep their stage.
            if item.unit_assessment.registration_id != cara_reg.pk:
                services.decision_record(
                    item=item,
                    actor=iv,
                    outcome="agreed",
                    comments="Evidence sufficient, valid and authentic.",
                )
            else:
                services.decision_record(
                    item=item,
                    actor=iv,
                    outcome="referred",
                    action_points="The witness testimony does not say who the witness is: add the witness's "
                    "status and contact, or observe the candidate again.",
                )
    if not CertificationClaim.objects.filter(registration=ben_reg).exists():
        check = selectors.claim_checks([ben_reg])[0]
        kind = "full" if check.full_ready else "units"
        services.claim_submit(registration=ben_reg, actor=admin, kind=kind)
    if not ExternalAccessGrant.objects.filter(centre=centre, external_verifier=ev).exists():
        services.grant_create(
            actor=admin,
            centre=centre,
            external_verifier=ev,
            scope="candidates",
            expires_on=today + dt.timedelta(days=30),
            registrations=[cara_reg, ben_reg],
        )
    referrals = VerificationDecision.objects.filter(
        item__plan=plan, outcome="referred", referral_closed_at__isnull=True
    ).count()
    _say(
        stdout,
        f"verification demo: plan {plan}, {plan.items.count()} sampled unit(s), {referrals} open "
        f"referral(s), {CertificationClaim.objects.filter(centre=centre).count()} claim(s).\n",
    )
    return {
        "plan": plan,
        "certified": ben_reg,
        "referred": cara_reg,
        "logins": [("Candidate (certified)", "candidate2")],
    }

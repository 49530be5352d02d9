"""Writes for verification: each decision is one atomic function that validates, saves and audits.

Every path that records a verification decision (the internal verifier's page, the Django admin, the demo)
goes through `decision_record`, which refuses a verifier who assessed the unit in any way; the database
triggers of migration 0002 refuse the same thing for any other code path.
"""
from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from assessment.models import EvidenceMapping, Registration, UnitAssessment
from audit.services import audit_record
from audit.signatures import STATEMENTS, signature_record
from audit.signatures import Kind as SignatureKind

from . import selectors, signing
from .models import (
    AssessorFlag,
    CandidateSite,
    CertificationClaim,
    ExternalAccessGrant,
    ExternalAccessLog,
    Sample,
    SampleItem,
    SamplingPlan,
    Stage,
    VerificationDecision,
)

# --- messages a user can meet (tests import them) ---------------------------------------------------
NOT_IV_OR_ADMIN = "Only an internal verifier or a centre admin of this centre can do this."
NOT_IV = "Only an internal verifier of this centre can sample assessment decisions."
NOT_ADMIN = "Only a centre admin of this centre can do this."
NOT_ASSESSOR_HERE = "{person} is not an assessor at {centre}."
OWN_ASSESSMENT = ("You took part in the assessment of unit {unit} for this candidate: nobody verifies their own "
                  "assessment. Ask another internal verifier to sample it.")
NOT_REGISTRATION_IV = "Only the candidate's internal verifier can record a verification decision on this unit."
NOT_IN_POOL = "That decision is not part of this plan's pool (wrong qualification, centre or period)."
ALREADY_SAMPLED = "Unit {unit} is already sampled at the {stage} stage under this plan."
NOTHING_TO_SAMPLE = "Nothing to sample: the plan is already met by what has been sampled."
UNIT_NOT_SIGNED = "Unit {unit} is not signed off: a summative decision needs a signed unit."
UNIT_STILL_OPEN = ("Unit {unit} is still open for the assessor's corrections: agree it once the assessor has "
                   "signed it off again.")
ALREADY_REFERRED = "Unit {unit} is already referred back; close that referral first."
ACTION_POINTS_REQUIRED = "Write the action points: the assessor needs to know what to put right."
BAD_OUTCOME = "Choose agree or refer back."
REFERRAL_CLOSED = "This referral is already closed."
REFERRAL_NOT_ACTED_ON = ("The assessor has not signed unit {unit} off again since the referral: the actions are "
                         "not done yet.")
MAPPING_NOT_IN_UNIT = "That assessment decision does not belong to the sampled unit."
OWN_MAPPING = ("You made this assessment decision ({mapping}): nobody verifies their own assessment. Ask another "
               "internal verifier.")
MAPPING_ALREADY_REFERRED = "The assessment decision {mapping} is already referred back; close that referral first."
MAPPING_NOT_ACTED_ON = ("The assessor has not changed the assessment decision {mapping} (or signed the unit off "
                        "again) since you referred it back: the actions are not done yet.")
NOT_EV = "{person} is not an external verifier at {centre}."
GRANT_NEEDS_CANDIDATES = "Choose at least one candidate."
GRANT_NEEDS_SAMPLE = "Choose the sample to share."
GRANT_WRONG_CENTRE = "Those candidates or that sample belong to another centre."
EXPIRY_IN_PAST = "The expiry date must be today or later."
GRANT_ALREADY_REVOKED = "This access is already revoked."
USERNAME_TAKEN = "The username {username} is already taken: choose the existing external verifier instead."
CLAIM_NOT_ACTIVE = "This registration is not active (it is {status}): nothing can be claimed."
CLAIM_EXISTS = "A certification claim already exists for this registration."
CLAIM_REFUSED = "The full qualification cannot be claimed: {reasons}"
CLAIM_NO_UNITS = "No unit can be claimed yet: no signed unit has all its sampled decisions agreed."
BAD_CLAIM_KIND = "Choose the full qualification or unit certification."


def _raise(message: str, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


def _holds(user, centre, *roles) -> bool:
    return Membership.objects.filter(user=user, centre=centre, role__in=list(roles)).exists()


# --- plans, flags, sites ----------------------------------------------------------------------------
@transaction.atomic
def plan_create(*, actor, centre, qualification, period_start: date, period_end: date, min_share_percent: int,
                cover_units=True, cover_methods=True, cover_sites=True, interim=True,
                summative=True) -> SamplingPlan:
    if not _holds(actor, centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    plan = SamplingPlan(
        centre=centre, qualification=qualification, period_start=period_start, period_end=period_end,
        min_share_percent=min_share_percent, cover_units=cover_units, cover_methods=cover_methods,
        cover_sites=cover_sites, interim=interim, summative=summative, created_by=actor,
    )
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="sampling_plan_created", obj=plan, centre=centre, details={
        "qualification": qualification.code, "period": [period_start, period_end],
        "min_share_percent": min_share_percent, "stages": plan.stages,
        "cover": {"units": cover_units, "methods": cover_methods, "sites": cover_sites},
    })
    return plan


@transaction.atomic
def assessor_flag_set(*, actor, centre, assessor, flag: str, note: str = "") -> AssessorFlag | None:
    """Flag an assessor new or at risk (every candidate sampled), or clear the flag with flag=""."""
    if not _holds(actor, centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    if not _holds(assessor, centre, Role.ASSESSOR):
        _raise(NOT_ASSESSOR_HERE, person=assessor, centre=centre.name)
    existing = AssessorFlag.objects.filter(centre=centre, assessor=assessor).first()
    if not flag:
        if existing:
            existing.delete()
            audit_record(actor=actor, action="assessor_flag_cleared", obj=assessor, centre=centre, details={})
        return None
    row = existing or AssessorFlag(centre=centre, assessor=assessor)
    row.flag, row.note, row.set_by = flag, note, actor
    row.full_clean()
    row.save()
    audit_record(actor=actor, action="assessor_flag_set", obj=row, centre=centre,
                 details={"assessor": assessor.username, "flag": flag, "note": note})
    return row


@transaction.atomic
def candidate_site_set(*, actor, registration, site: str) -> CandidateSite | None:
    if not _holds(actor, registration.centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    site = (site or "").strip()
    CandidateSite.objects.filter(registration=registration).delete()
    row = None
    if site:
        row = CandidateSite(registration=registration, site=site)
        row.full_clean()
        row.save()
    audit_record(actor=actor, action="candidate_site_set", obj=registration, centre=registration.centre,
                 details={"site": site})
    return row


# --- sampling ---------------------------------------------------------------------------------------
@transaction.atomic
def sample_accept(*, plan, actor, decision_keys=None) -> Sample:
    """Accept the generator's proposal (decision_keys=None) or the chosen decisions into a new sample."""
    if not _holds(actor, plan.centre, Role.INTERNAL_VERIFIER):
        _raise(NOT_IV)
    SamplingPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one acceptance at a time per plan
    pool = selectors.plan_pool(plan, verifier=actor)  # never the actor's own assessments
    by_key = {d.id: d for d in pool.decisions}
    if decision_keys is None:
        from .sampling import propose_sample

        decision_keys = [d.id for d in propose_sample(pool.plain_plan, pool.decisions,
                                                      already_sampled=pool.sampled_ids).items]
        if not decision_keys:
            _raise(NOTHING_TO_SAMPLE)
    own = {d.id: d for d in pool.own}
    chosen = []
    for key in decision_keys:
        if key in own:
            _raise(OWN_ASSESSMENT, unit=own[key].unit)
        if key not in by_key:
            _raise(NOT_IN_POOL)
        ua = pool.unit_assessments[selectors.parse_decision_key(key)[0]]
        if key in pool.sampled_ids:
            _raise(ALREADY_SAMPLED, unit=ua.unit.ref, stage=by_key[key].stage)
        chosen.append((ua, by_key[key]))
    sample = Sample.objects.create(plan=plan, accepted_by=actor)
    people = {ua.registration.assessor.username: ua.registration.assessor for ua, _ in chosen}
    people.update({ua.signed_by.username: ua.signed_by for ua, _ in chosen if ua.signed_by_id})
    try:
        with transaction.atomic():
            SampleItem.objects.bulk_create([
                SampleItem(sample=sample, plan=plan, unit_assessment=ua, stage=d.stage, assessor=people[d.assessor])
                for ua, d in chosen
            ])
    except IntegrityError:
        _raise(ALREADY_SAMPLED, unit="", stage="same")
    audit_record(actor=actor, action="sample_accepted", obj=sample, centre=plan.centre, details={
        "plan": plan.pk, "items": [{"unit": ua.unit.ref, "candidate": ua.registration.candidate.username,
                                     "stage": d.stage} for ua, d in chosen],
    })
    return sample


# --- decisions --------------------------------------------------------------------------------------
def check_not_own_assessment(*, verifier, unit_assessment) -> None:
    """Raise OWN_ASSESSMENT when the verifier took part in assessing the unit (used by services and admin)."""
    if verifier.pk in selectors.assessors_of(unit_assessment):
        _raise(OWN_ASSESSMENT, unit=unit_assessment.unit.ref)


def check_may_decide(*, verifier, unit_assessment) -> None:
    """Every check on the person before a verification decision (site, admin and demo alike)."""
    registration = unit_assessment.registration
    if not _holds(verifier, registration.centre, Role.INTERNAL_VERIFIER):
        _raise(NOT_IV)
    check_not_own_assessment(verifier=verifier, unit_assessment=unit_assessment)
    if registration.internal_verifier_id != verifier.pk:
        _raise(NOT_REGISTRATION_IV)


@transaction.atomic
def decision_record(*, item, actor, outcome: str, comments: str = "", action_points: str = "",
                    mapping=None, client_ip: str | None = None) -> VerificationDecision:
    """The internal verifier agrees a sampled unit (or one assessment decision in it) or refers it back.

    A referral of a signed unit re-opens it for the assessor (assessment.services.unit_reopen) and emails the
    assessor once the transaction commits. Agreeing a unit under referral needs the assessor to have signed it
    off again, and closes the referral.
    """
    item = SampleItem.objects.select_related("plan__centre", "unit_assessment__registration__centre",
                                             "unit_assessment__unit").get(pk=item.pk)
    ua = UnitAssessment.objects.select_for_update().select_related("registration__centre", "unit").get(
        pk=item.unit_assessment_id)
    registration, unit = ua.registration, ua.unit
    check_may_decide(verifier=actor, unit_assessment=ua)
    if outcome not in VerificationDecision.Outcome.values:
        _raise(BAD_OUTCOME)
    if mapping is not None and (mapping.registration_id != registration.pk or mapping.unit_id != unit.pk):
        _raise(MAPPING_NOT_IN_UNIT)
    if mapping is not None:
        mapping = EvidenceMapping.objects.select_for_update(of=("self",)).select_related("criterion", "range_item").get(
            pk=mapping.pk)
        if mapping.assessed_by_id == actor.pk:
            _raise(OWN_MAPPING, mapping=selectors.mapping_label(mapping))
    action_points = (action_points or "").strip()
    open_referrals = list(VerificationDecision.objects.filter(
        item=item, outcome=VerificationDecision.Outcome.REFERRED, referral_closed_at__isnull=True))
    summative = item.stage == Stage.SUMMATIVE
    now = timezone.now()
    if mapping is not None:
        # One assessment decision: its own referral, whatever the state of the rest of the unit.
        open_referral = next((d for d in open_referrals if d.mapping_id == mapping.pk), None)
        if outcome == VerificationDecision.Outcome.REFERRED:
            if not action_points:
                _raise(ACTION_POINTS_REQUIRED)
            if open_referral:
                _raise(MAPPING_ALREADY_REFERRED, mapping=selectors.mapping_label(mapping))
        elif open_referral and not _acted_on(open_referral, ua, mapping):
            _raise(MAPPING_NOT_ACTED_ON, mapping=selectors.mapping_label(mapping))
        to_close = [open_referral] if open_referral else []
    else:
        open_referral = open_referrals[0] if open_referrals else None
        if outcome == VerificationDecision.Outcome.REFERRED:
            if not action_points:
                _raise(ACTION_POINTS_REQUIRED)
            if open_referral:
                _raise(ALREADY_REFERRED, unit=unit.ref)
        elif open_referrals and (ua.status != UnitAssessment.Status.SIGNED
                                 or any(ua.round <= d.unit_round for d in open_referrals)):
            _raise(UNIT_STILL_OPEN, unit=unit.ref)
        if summative and ua.status != UnitAssessment.Status.SIGNED and not (
                outcome == VerificationDecision.Outcome.REFERRED and ua.status == UnitAssessment.Status.OPEN
                and not open_referral):
            _raise(UNIT_NOT_SIGNED, unit=unit.ref)
        # Agreeing the re-signed unit settles every open referral on it, its assessment decisions' included.
        to_close = open_referrals
    assessor_id = ua.signed_by_id or registration.assessor_id
    if mapping is not None:
        assessor_id = mapping.assessed_by_id
    decision = VerificationDecision(
        item=item, unit_assessment=ua, mapping=mapping, verifier=actor, assessor_id=assessor_id,
        outcome=outcome, comments=(comments or "").strip(), action_points=action_points, unit_round=ua.round,
        decided_at=now,
    )
    decision.full_clean()
    decision.save()
    signature = None
    if outcome == VerificationDecision.Outcome.AGREED:
        for referral in to_close:
            _close(referral, actor=actor, note="Agreed after the assessor's corrections.", now=now)
        # the IV's agreement is a signature over the decisions agreed (audit.signatures), with its code
        signature = signature_record(kind=SignatureKind.IV_AGREEMENT, obj=decision,
                                     content=signing.agreement_content(decision), signer=actor,
                                     client_ip=client_ip, centre=registration.centre, signed_at=now)
    reopened = False
    if outcome == VerificationDecision.Outcome.REFERRED and ua.status != UnitAssessment.Status.OPEN:
        from assessment.services import unit_reopen

        unit_reopen(unit_assessment=ua, actor=actor, reason=f"Referred back by the internal verifier: {action_points}",
                    by_referral=True)
        reopened = True
    audit_record(actor=actor, action=f"verification_{outcome}", obj=decision, centre=registration.centre, details={
        "unit": unit.ref, "candidate": registration.candidate.username, "stage": item.stage,
        "assessor": decision.assessor.username, "round": decision.unit_round, "mapping": mapping.pk if mapping else None,
        "mapping_label": selectors.mapping_label(mapping),
        "comments": decision.comments, "action_points": action_points, "unit_reopened": reopened,
        "signature": signature.code if signature else None,
        "statement": STATEMENTS[SignatureKind.IV_AGREEMENT] if signature else None,
    })
    if outcome == VerificationDecision.Outcome.REFERRED:
        from .tasks import send_referral_email

        transaction.on_commit(lambda: send_referral_email.enqueue(decision.pk))
    return decision


def _acted_on(referral, ua, mapping=None) -> bool:
    """Has the assessor acted on a referral? The unit signed off again since, or (for a referral of one
    assessment decision) that decision changed since."""
    if ua.status == UnitAssessment.Status.SIGNED and ua.round > referral.unit_round:
        return True
    return mapping is not None and mapping.assessed_at > referral.decided_at


def _close(decision, *, actor, note, now):
    VerificationDecision.objects.filter(pk=decision.pk).update(
        referral_closed_at=now, referral_closed_by=actor, closure_note=note)
    audit_record(actor=actor, action="referral_closed", obj=decision, centre=decision.item.plan.centre,
                 details={"unit": decision.unit_assessment.unit.ref, "note": note})


@transaction.atomic
def referral_close(*, decision, actor, note: str = "") -> VerificationDecision:
    """The internal verifier closes a referral once the assessor has done the actions (for a summative
    referral: signed the unit off again)."""
    decision = VerificationDecision.objects.select_for_update().select_related(
        "item__plan__centre", "unit_assessment__registration", "unit_assessment__unit").get(pk=decision.pk)
    ua = decision.unit_assessment
    check_may_decide(verifier=actor, unit_assessment=ua)
    if not decision.is_open_referral:
        _raise(REFERRAL_CLOSED)
    if decision.mapping_id is not None:
        mapping = EvidenceMapping.objects.select_related("criterion", "range_item").get(pk=decision.mapping_id)
        if not _acted_on(decision, ua, mapping):
            _raise(MAPPING_NOT_ACTED_ON, mapping=selectors.mapping_label(mapping))
    elif decision.item.stage == Stage.SUMMATIVE and not _acted_on(decision, ua):
        _raise(REFERRAL_NOT_ACTED_ON, unit=ua.unit.ref)
    _close(decision, actor=actor, note=(note or "").strip() or "Actions done.", now=timezone.now())
    decision.refresh_from_db()
    return decision


# --- external verifier access -------------------------------------------------------------------------
@transaction.atomic
def ev_user_create(*, actor, centre, username: str, first_name: str, last_name: str, email: str) -> User:
    """A new person holding the external verifier role at the centre; they set their password through
    "forgotten password" (a random one is set so that the reset works)."""
    if not _holds(actor, centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if User.objects.filter(username__iexact=username).exists():
        _raise(USERNAME_TAKEN, username=username)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(secrets.token_urlsafe(32))
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, centre=centre, role=Role.EXTERNAL_VERIFIER)
    audit_record(actor=actor, action="external_verifier_created", obj=user, centre=centre,
                 details={"username": username, "email": email})
    return user


@transaction.atomic
def grant_create(*, actor, centre, external_verifier, scope: str, expires_on: date, registrations=(),
                 sample=None) -> ExternalAccessGrant:
    if not _holds(actor, centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if not _holds(external_verifier, centre, Role.EXTERNAL_VERIFIER):
        if external_verifier.role_set == {Role.EXTERNAL_VERIFIER.value}:
            # An external verifier known from another centre (and nothing else): give them the role here too.
            Membership.objects.get_or_create(user=external_verifier, centre=centre, role=Role.EXTERNAL_VERIFIER)
        else:
            _raise(NOT_EV, person=external_verifier, centre=centre.name)
    if expires_on < timezone.localdate():
        _raise(EXPIRY_IN_PAST)
    registrations = list(registrations)
    if scope == ExternalAccessGrant.Scope.CANDIDATES:
        if not registrations:
            _raise(GRANT_NEEDS_CANDIDATES)
        if any(r.centre_id != centre.pk for r in registrations):
            _raise(GRANT_WRONG_CENTRE)
        sample = None
    else:
        if sample is None:
            _raise(GRANT_NEEDS_SAMPLE)
        if sample.plan.centre_id != centre.pk:
            _raise(GRANT_WRONG_CENTRE)
        registrations = []
    grant = ExternalAccessGrant(centre=centre, external_verifier=external_verifier, scope=scope, sample=sample,
                                expires_on=expires_on, granted_by=actor)
    grant.full_clean()
    grant.save()
    grant.registrations.set(registrations)
    audit_record(actor=actor, action="ev_access_granted", obj=grant, centre=centre, details={
        "external_verifier": external_verifier.username, "scope": scope, "expires_on": expires_on,
        "registrations": [r.pk for r in registrations], "sample": sample.pk if sample else None,
    })
    return grant


@transaction.atomic
def grant_revoke(*, grant, actor) -> ExternalAccessGrant:
    grant = ExternalAccessGrant.objects.select_for_update().get(pk=grant.pk)
    if not _holds(actor, grant.centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if grant.revoked_at is not None:
        _raise(GRANT_ALREADY_REVOKED)
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="ev_access_revoked", obj=grant, centre=grant.centre,
                 details={"external_verifier": grant.external_verifier.username})
    return grant


@transaction.atomic
def ev_page_log(*, user, path: str, view_name: str, registration=None, grant=None) -> ExternalAccessLog:
    """Record one page an external verifier opened (log row + audit row)."""
    entry = ExternalAccessLog.objects.create(
        grant=grant, user=user, path=path[:500], view_name=view_name[:100],
        registration_id_seen=registration.pk if registration else None,
    )
    audit_record(actor=user, action="ev_page_viewed", obj=registration or grant or entry,
                 centre=grant.centre if grant else (registration.centre if registration else None),
                 details={"path": path, "view": view_name, "grant": grant.pk if grant else None})
    return entry


# --- certification claims -----------------------------------------------------------------------------
@transaction.atomic
def claim_submit(*, registration, actor, kind: str) -> CertificationClaim:
    """Claim the full qualification (only through the gate) or unit certification; locks the registration.

    The registration row is locked first and the claim is one-per-registration in the database, so a double
    submit makes one claim and tells the second request so.
    """
    registration = Registration.objects.select_for_update().select_related("qualification", "centre",
                                                                            "candidate").get(pk=registration.pk)
    if not _holds(actor, registration.centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if CertificationClaim.objects.filter(registration=registration).exists():
        _raise(CLAIM_EXISTS)
    if registration.status != Registration.Status.ACTIVE:
        _raise(CLAIM_NOT_ACTIVE, status=registration.get_status_display().lower())
    if kind not in CertificationClaim.Kind.values:
        _raise(BAD_CLAIM_KIND)
    check = selectors.claim_checks([registration])[0]
    if kind == CertificationClaim.Kind.FULL:
        if not check.full_ready:
            _raise(CLAIM_REFUSED, reasons=" ".join(check.explanation) or "the rules of combination are not met.")
        units, credits = check.signed_refs, check.verdict.total_credits
    else:
        if not check.units_ready:
            _raise(CLAIM_NO_UNITS)
        units, credits = check.claimable_refs, check.credits
    claim = CertificationClaim(registration=registration, centre=registration.centre, kind=kind, units=units,
                               credits=credits, verdict=check.verdict.to_dict(), claimed_by=actor)
    claim.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        _raise(CLAIM_EXISTS)
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CERTIFIED,
                                                           updated_at=timezone.now())
    audit_record(actor=actor, action="certification_claimed", obj=claim, centre=registration.centre, details={
        "kind": kind, "units": units, "credits": credits, "verdict": claim.verdict,
        "candidate": registration.candidate.username, "qualification": registration.qualification.code,
    })
    return claim

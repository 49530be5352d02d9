"""Writes for verification: each decision is one atomic function that validates, saves and audits.

Every path that records a verification decision (the internal verifier's page, the Django admin, the demo)
goes through `decision_record`, which refuses a verifier who assessed the unit in any way; the database
triggers of migration 0002 refuse the same thing for any other code path.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.permissions import holds
from accounts.services import notify
from assessment import permissions as assessment_permissions
from assessment import services as assessment_services
from assessment.models import EvidenceMapping, Registration, UnitAssessment
from assessment.services import registration_transition, unit_reopen
from audit.actions import Action
from audit.services import audit_record, refusals_audited
from audit.signatures import STATEMENTS, signature_record
from audit.signatures import Kind as SignatureKind

from . import selectors, signals, signing
from .models import (
    AssessorFlag,
    CandidateSite,
    CertificationClaim,
    ExternalAccessGrant,
    ExternalAccessLog,
    Sample,
    SampleGeneration,
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
OWN_ASSESSMENT = (
    "You took part in the assessment of unit {unit} for this candidate: nobody verifies their own "
    "assessment. Ask another internal verifier to sample it."
)
NOT_REGISTRATION_IV = (
    "Only the candidate's internal verifier can record a verification decision on this unit."
)
NOT_IN_POOL = "That decision is not part of this plan's pool (wrong qualification, centre or period)."
ALREADY_SAMPLED = "Unit {unit} is already sampled at the {stage} stage under this plan."
NOTHING_TO_SAMPLE = "Nothing to sample: the plan is already met by what has been sampled."
GENERATION_NOT_READY = "That proposal is not ready (or not yours): generate a proposed sample first."
UNIT_NOT_SIGNED = "Unit {unit} is not signed off: a summative decision needs a signed unit."
UNIT_STILL_OPEN = (
    "Unit {unit} is still open for the assessor's corrections: agree it once the assessor has "
    "signed it off again."
)
ALREADY_REFERRED = "Unit {unit} is already referred back; close that referral first."
ACTION_POINTS_REQUIRED = "Write the action points: the assessor needs to know what to put right."
BAD_OUTCOME = "Choose agree or refer back."
REFERRAL_CLOSED = "This referral is already closed."
REFERRAL_NOT_ACTED_ON = (
    "The assessor has not signed unit {unit} off again since the referral: the actions are not done yet."
)
MAPPING_NOT_IN_UNIT = "That assessment decision does not belong to the sampled unit."
OWN_MAPPING = (
    "You made this assessment decision ({mapping}): nobody verifies their own assessment. Ask another "
    "internal verifier."
)
# Rows a verification decision locks: never the centre, unit, qualification or user rows that a select_related
# joins in, which every other write's foreign-key check takes a share lock on (PostgreSQL deadlocked on them).
LOCK_DECISION_ROWS = ("self", "item", "item__plan", "unit_assessment", "unit_assessment__registration")
MAPPING_ALREADY_REFERRED = (
    "The assessment decision {mapping} is already referred back; close that referral first."
)
MAPPING_NOT_ACTED_ON = (
    "The assessor has not answered your referral of the assessment decision {mapping} yet: "
    "the actions are not done yet."
)
UNIT_HAS_OPEN_REFERRALS = (
    "Unit {unit} cannot be agreed while a referral on it is open: {referrals}. Close each "
    "referral (once the assessor has answered it) first."
)
CLOSE_NOTE_REQUIRED = "Write a note on how the referral was settled: it goes on the sampling record."
REFERRAL_UNANSWERED = "The assessor has not answered this referral yet: it can be closed once they have."
REFERRAL_NOT_OPEN = "This referral is not waiting for your answer (it is answered or closed)."
REFERRAL_CHANGED = "Someone else changed this referral meanwhile: reload the page."
NOT_REGISTRATION_ASSESSOR = "Only the candidate's assessor can answer this referral."
BAD_ANSWER_KIND = "Choose what you did: new evidence, a corrected decision or an explanation."
ANSWER_TEXT_REQUIRED = (
    "Say what you did about the referral: the internal verifier reads it before closing it."
)
ANSWER_NEEDS_EVIDENCE = "Choose the new evidence."
ANSWER_NEEDS_MAPPING = "A corrected decision answers a referral of one assessment decision; explain instead."
ANSWER_NEEDS_DECISION = "Choose the corrected decision: accepted or not yet."
TRANSITION_REFUSED = "{entity} cannot go from “{was}” to “{to}”: nothing was changed."
REFERRAL_DAYS = 14  # a referral is due two weeks after it is made unless the IV says otherwise
NOT_EV = "{person} is not an external verifier at {centre}."
GRANT_NEEDS_CANDIDATES = "Choose at least one candidate."
GRANT_NEEDS_SAMPLE = "Choose the sample to share."
GRANT_WRONG_CENTRE = "Those candidates or that sample belong to another centre."
EXPIRY_IN_PAST = "The expiry date must be today or later."
GRANT_ALREADY_REVOKED = "This access is already revoked."
EMAIL_AMBIGUOUS = (
    "More than one account uses {email}: ask the system administrator which one to grant access to."
)
EMAIL_NOT_EV = "{email} belongs to an account that is not only an external verifier: use another address."
USERNAME_TAKEN = "The username {username} is already taken: choose the existing external verifier instead."
CLAIM_NOT_ACTIVE = "This registration is not active (it is {status}): nothing can be claimed."
CLAIM_EXISTS = "A full or exit claim already closed this registration: nothing more can be claimed."
CLAIM_REFUSED = "The full qualification cannot be claimed: {reasons}"
CLAIM_NO_UNITS = (
    "No unit can be claimed: no signed unit, not claimed before, has all its sampled decisions agreed."
)
BAD_CLAIM_KIND = "Choose the full qualification, unit certification or an exit claim."
UNIT_ALREADY_CLAIMED = "Unit {unit} is already claimed for this candidate: a unit is claimed once."
UNIT_NOT_CLAIMABLE = (
    "Unit {unit} cannot be claimed yet: it must be signed off and, where sampled, agreed by the "
    "internal verifier with no referral open."
)
# The gate's reason `transfers_pending` (ClaimCheck.transfers_pending), for a unit or full claim alike.
CLAIM_TRANSFERS_PENDING = (
    "{units} signed at the sending centre and not yet confirmed by the assessor here: the candidate's "
    "assessor confirms or rejects each transferred unit on the prior-learning page before a claim covers it."
)
EXIT_REASON_REQUIRED = "Write the reason the candidate leaves: an exit claim withdraws the registration."
CLAIM_CLOSING_NOT_CANCELLED = (
    "A full or exit claim closed the registration and cannot be cancelled here: contact the awarding body."
)
CANCEL_REASON_REQUIRED = "Write why the claim is cancelled."


def _raise(message: str, **kwargs):
    raise ValidationError(message.format(**kwargs) if kwargs else message)


# --- plans, flags, sites ----------------------------------------------------------------------------
@transaction.atomic
def plan_create(
    *,
    actor,
    centre,
    qualification,
    period_start: date,
    period_end: date,
    min_share_percent: int,
    cover_units=True,
    cover_methods=True,
    cover_sites=True,
    interim=True,
    summative=True,
) -> SamplingPlan:
    if not holds(actor, centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    plan = SamplingPlan(
        centre=centre,
        qualification=qualification,
        period_start=period_start,
        period_end=period_end,
        min_share_percent=min_share_percent,
        cover_units=cover_units,
        cover_methods=cover_methods,
        cover_sites=cover_sites,
        interim=interim,
        summative=summative,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor,
        action=Action.SAMPLING_PLAN_CREATED,
        obj=plan,
        centre=centre,
        details={
            "qualification": qualification.code,
            "period": [period_start, period_end],
            "min_share_percent": min_share_percent,
            "stages": plan.stages,
            "cover": {"units": cover_units, "methods": cover_methods, "sites": cover_sites},
        },
    )
    return plan


@transaction.atomic
def assessor_flag_set(*, actor, centre, assessor, flag: str, note: str = "") -> AssessorFlag | None:
    """Flag an assessor new or at risk (every candidate sampled), or clear the flag with flag=""."""
    if not holds(actor, centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    if not holds(assessor, centre, Role.ASSESSOR):
        _raise(NOT_ASSESSOR_HERE, person=assessor, centre=centre.name)
    existing = AssessorFlag.objects.filter(centre=centre, assessor=assessor).first()
    if not flag:
        if existing:
            existing.delete()
            audit_record(
                actor=actor, action=Action.ASSESSOR_FLAG_CLEARED, obj=assessor, centre=centre, details={}
            )
        return None
    row = existing or AssessorFlag(centre=centre, assessor=assessor)
    row.flag, row.note, row.set_by = flag, note, actor
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action=Action.ASSESSOR_FLAG_SET,
        obj=row,
        centre=centre,
        details={"assessor": assessor.username, "flag": flag, "note": note},
    )
    return row


@transaction.atomic
def candidate_site_set(*, actor, registration, site: str) -> CandidateSite | None:
    if not holds(actor, registration.centre, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN):
        _raise(NOT_IV_OR_ADMIN)
    site = (site or "").strip()
    CandidateSite.objects.filter(registration=registration).delete()
    row = None
    if site:
        row = CandidateSite(registration=registration, site=site)
        row.full_clean()
        row.save()
    audit_record(
        actor=actor,
        action=Action.CANDIDATE_SITE_SET,
        obj=registration,
        centre=registration.centre,
        details={"site": site},
    )
    return row


# --- sampling ---------------------------------------------------------------------------------------
@transaction.atomic
def sample_accept(*, plan, actor, decision_keys=None) -> Sample:
    """Accept the generator's proposal (decision_keys=None) or the chosen decisions into a new sample."""
    if not holds(actor, plan.centre, Role.INTERNAL_VERIFIER):
        _raise(NOT_IV)
    SamplingPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one acceptance at a time per plan
    # Chosen decisions (a generated proposal, a cell of the grid): only their registrations' pool is read, so
    # the lock is held for the size of the sample, not of the centre. Never the actor's own assessments.
    pool = selectors.plan_pool(
        plan,
        verifier=actor,
        registration_ids=None if decision_keys is None else _registrations_of_keys(decision_keys),
    )
    by_key = {d.id: d for d in pool.decisions}
    if decision_keys is None:
        from .sampling import propose_sample

        decision_keys = [
            d.id
            for d in propose_sample(pool.plain_plan, pool.decisions, already_sampled=pool.sampled_ids).items
        ]
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
    people.update(
        {
            ua.transfer_confirmed_by.username: ua.transfer_confirmed_by
            for ua, _ in chosen
            if ua.transfer_confirmed_by_id
        }
    )
    try:
        with transaction.atomic():
            SampleItem.objects.bulk_create(
                [
                    SampleItem(
                        sample=sample,
                        plan=plan,
                        unit_assessment=ua,
                        stage=d.stage,
                        assessor=people[d.assessor],
                    )
                    for ua, d in chosen
                ]
            )
    except IntegrityError:
        _raise(ALREADY_SAMPLED, unit="", stage="same")
    # bulk_create sends no post_save: the sampled units' pool rows are marked here (selectors.summary)
    selectors.summary.mark_stale({ua.registration_id for ua, _ in chosen})
    audit_record(
        actor=actor,
        action=Action.SAMPLE_ACCEPTED,
        obj=sample,
        centre=plan.centre,
        details={
            "plan": plan.pk,
            "items": [
                {"unit": ua.unit.ref, "candidate": ua.registration.candidate.username, "stage": d.stage}
                for ua, d in chosen
            ],
        },
    )
    return sample


# --- decisions --------------------------------------------------------------------------------------
def check_not_own_assessment(*, verifier, unit_assessment) -> None:
    """Raise OWN_ASSESSMENT when the verifier took part in assessing the unit (used by services and admin)."""
    if verifier.pk in selectors.assessors_of(unit_assessment):
        _raise(OWN_ASSESSMENT, unit=unit_assessment.unit.ref)


def check_may_decide(*, verifier, unit_assessment) -> None:
    """Every check on the person before a verification decision (site, admin and demo alike)."""
    registration = unit_assessment.registration
    if not holds(verifier, registration.centre, Role.INTERNAL_VERIFIER):
        _raise(NOT_IV)
    check_not_own_assessment(verifier=verifier, unit_assessment=unit_assessment)
    if registration.internal_verifier_id != verifier.pk:
        _raise(NOT_REGISTRATION_IV)


def _registrations_of_keys(keys) -> set[int]:
    ua_ids = set()
    for key in keys:
        try:
            ua_ids.add(selectors.parse_decision_key(key)[0])
        except ValueError:
            _raise(NOT_IN_POOL)
    return set(UnitAssessment.objects.filter(pk__in=ua_ids).values_list("registration_id", flat=True))


@transaction.atomic
def sample_generation_request(*, plan, actor) -> SampleGeneration:
    """Ask the worker for a proposed sample of the whole plan (verification.tasks.generate_sample). Asking again
    while one is queued or running returns that one: a double submit never starts two generations."""
    if not holds(actor, plan.centre, Role.INTERNAL_VERIFIER):
        _raise(NOT_IV)
    under_way = SampleGeneration.objects.filter(
        plan=plan, requested_by=actor, status__in=SampleGeneration.UNFINISHED
    ).first()
    if under_way is not None:
        return under_way
    try:
        with transaction.atomic():
            generation = SampleGeneration.objects.create(plan=plan, requested_by=actor)
    except IntegrityError:  # the other submit got there first
        return SampleGeneration.objects.get(
            plan=plan, requested_by=actor, status__in=SampleGeneration.UNFINISHED
        )
    audit_record(
        actor=actor,
        action=Action.SAMPLE_GENERATION_REQUESTED,
        obj=generation,
        centre=plan.centre,
        details={"plan": plan.pk},
    )
    from .tasks import generate_sample

    transaction.on_commit(lambda: generate_sample.enqueue(generation.pk))
    return generation


def sample_generation_accept(*, generation, actor) -> Sample:
    """Accept a finished generation's proposal: its decisions, checked again against the pool now."""
    if generation.requested_by_id != actor.pk or generation.status != SampleGeneration.Status.DONE:
        _raise(GENERATION_NOT_READY)
    if not generation.keys:
        _raise(NOTHING_TO_SAMPLE)
    return sample_accept(plan=generation.plan, actor=actor, decision_keys=list(generation.keys))


def sample_item_transition(*, item: SampleItem, actor, to: str, reason: str = "") -> SampleItem:
    """The only writer of SampleItem.status (inside the caller's transaction): checks SampleItem.TRANSITIONS,
    saves and audits. Staying where it is is not a move."""
    was = item.status
    if was == to:
        return item
    if to not in SampleItem.TRANSITIONS.get(was, set()):
        labels = dict(SampleItem.Status.choices)
        _raise(TRANSITION_REFUSED, entity="The sampled unit", was=labels[was], to=labels.get(to, to))
    SampleItem.objects.filter(pk=item.pk, status=was).update(status=to)
    item.status = to
    audit_record(
        actor=actor,
        action=Action.SAMPLE_ITEM_STATUS_CHANGED,
        obj=item,
        centre=item.plan.centre,
        details={"from": was, "to": to, "reason": reason},
    )
    return item


def referral_transition(
    *, referral: VerificationDecision, actor, to: str, action: str, details=None, **fields
) -> VerificationDecision:
    """The only writer of a referral's status (inside the caller's transaction): checks
    VerificationDecision.TRANSITIONS on the row the caller locked, saves `fields` with it and audits."""
    was = referral.referral_status
    if to not in VerificationDecision.TRANSITIONS.get(was, set()):
        labels = dict(VerificationDecision.ReferralStatus.choices)
        _raise(TRANSITION_REFUSED, entity="The referral", was=labels.get(was, was), to=labels.get(to, to))
    updated = VerificationDecision.objects.filter(pk=referral.pk, referral_status=was).update(
        referral_status=to, **fields
    )
    if not updated:
        _raise(REFERRAL_CHANGED)
    referral.refresh_from_db()
    audit_record(
        actor=actor,
        action=action,
        obj=referral,
        centre=referral.item.plan.centre,
        details={
            "unit": referral.unit_assessment.unit.ref,
            "mapping": referral.mapping_id,
            "from": was,
            "to": to,
            **(details or {}),
        },
    )
    return referral


def _open_referrals(item):
    return list(
        VerificationDecision.objects.select_for_update()
        .filter(item=item, outcome=VerificationDecision.Outcome.REFERRED)
        .exclude(referral_status=VerificationDecision.ReferralStatus.CLOSED)
        .order_by("decided_at", "id")
    )


def _close(referral, *, actor, note):
    now = timezone.now()
    referral_transition(
        referral=referral,
        actor=actor,
        to=VerificationDecision.ReferralStatus.CLOSED,
        action=Action.REFERRAL_CLOSED,
        details={"note": note},
        referral_closed_at=now,
        referral_closed_by=actor,
        closure_note=note,
    )
    if not _open_referrals(referral.item):
        sample_item_transition(
            item=referral.item,
            actor=actor,
            to=SampleItem.Status.WAITING,
            reason="Every referral on it is closed.",
        )
    assessor = referral.unit_assessment.registration.assessor
    notify(
        user=assessor,
        kind="referral_closed",
        text=f"{referral.verifier} closed the referral of {_referral_label(referral)}: {note}",
        url=selectors.referral_answer_url(referral),
    )


def _referral_label(referral) -> str:
    ua = referral.unit_assessment
    what = selectors.mapping_label(referral.mapping) if referral.mapping_id else "the whole unit"
    return f"unit {ua.unit.ref} ({what}) of {ua.registration.candidate}"


@refusals_audited(Action.VERIFICATION_DECISION_REFUSED, "item")
@transaction.atomic
def decision_record(
    *,
    item,
    actor,
    outcome: str,
    comments: str = "",
    action_points: str = "",
    mapping=None,
    due_on: date | None = None,
    client_ip: str | None = None,
) -> VerificationDecision:
    """The internal verifier agrees a sampled unit (or one assessment decision in it) or refers it back.

    A referral of a signed unit re-opens it for the assessor (assessment.services.unit_reopen) and tells the
    assessor once the transaction commits. The unit is agreed only when no referral on it is open; agreeing an
    assessment decision whose referral the assessor has answered closes that referral, the note being the
    closing note (required).
    """
    item = SampleItem.objects.select_related(
        "plan__centre", "unit_assessment__registration__centre", "unit_assessment__unit"
    ).get(pk=item.pk)
    ua = (
        UnitAssessment.objects.select_for_update(of=("self", "registration"))
        .select_related("registration__centre", "unit")
        .get(pk=item.unit_assessment_id)
    )
    item = SampleItem.objects.select_for_update(of=("self",)).select_related("plan__centre").get(pk=item.pk)
    registration, unit = ua.registration, ua.unit
    check_may_decide(verifier=actor, unit_assessment=ua)
    if outcome not in VerificationDecision.Outcome.values:
        _raise(BAD_OUTCOME)
    if mapping is not None and (mapping.registration_id != registration.pk or mapping.unit_id != unit.pk):
        _raise(MAPPING_NOT_IN_UNIT)
    if mapping is not None:
        mapping = (
            EvidenceMapping.objects.select_for_update(of=("self",))
            .select_related("criterion", "range_item")
            .get(pk=mapping.pk)
        )
        if mapping.assessed_by_id == actor.pk:
            _raise(OWN_MAPPING, mapping=selectors.mapping_label(mapping))
    action_points = (action_points or "").strip()
    comments = (comments or "").strip()
    referred = outcome == VerificationDecision.Outcome.REFERRED
    open_referrals = _open_referrals(item)
    to_close = []
    if mapping is not None:
        open_referral = next((d for d in open_referrals if d.mapping_id == mapping.pk), None)
        if referred:
            if not action_points:
                _raise(ACTION_POINTS_REQUIRED)
            if open_referral:
                _raise(MAPPING_ALREADY_REFERRED, mapping=selectors.mapping_label(mapping))
        elif open_referral:
            if open_referral.is_unanswered:
                _raise(MAPPING_NOT_ACTED_ON, mapping=selectors.mapping_label(mapping))
            if not comments:
                _raise(CLOSE_NOTE_REQUIRED)
            to_close = [open_referral]
    else:
        if referred:
            if not action_points:
                _raise(ACTION_POINTS_REQUIRED)
            if any(d.mapping_id is None for d in open_referrals):
                _raise(ALREADY_REFERRED, unit=unit.ref)
        elif open_referrals:
            _raise(
                UNIT_HAS_OPEN_REFERRALS,
                unit=unit.ref,
                referrals="; ".join(selectors.referral_what(d) for d in open_referrals),
            )
        summative = item.stage == Stage.SUMMATIVE
        if (
            summative
            and ua.status != UnitAssessment.Status.SIGNED
            and not (referred and ua.status == UnitAssessment.Status.OPEN)
        ):
            _raise(UNIT_NOT_SIGNED, unit=unit.ref)
    assessor_id = ua.signed_by_id or ua.transfer_confirmed_by_id or registration.assessor_id
    if mapping is not None:
        assessor_id = mapping.assessed_by_id
    now = timezone.now()
    decision = VerificationDecision(
        item=item,
        unit_assessment=ua,
        mapping=mapping,
        verifier=actor,
        assessor_id=assessor_id,
        outcome=outcome,
        comments=comments,
        action_points=action_points,
        unit_round=ua.round,
        decided_at=now,
        referral_status=VerificationDecision.ReferralStatus.OPEN if referred else "",
        due_on=(due_on or timezone.localdate() + timedelta(days=REFERRAL_DAYS)) if referred else None,
    )
    decision.full_clean()
    decision.save()
    for referral in to_close:
        _close(referral, actor=actor, note=comments)
    if referred:
        sample_item_transition(item=item, actor=actor, to=SampleItem.Status.REFERRED, reason=action_points)
    elif mapping is None:
        sample_item_transition(item=item, actor=actor, to=SampleItem.Status.AGREED)
    signature = None
    if outcome == VerificationDecision.Outcome.AGREED:
        # the IV's agreement is a signature over the decisions agreed (audit.signatures), with its code
        signature = signature_record(
            kind=SignatureKind.IV_AGREEMENT,
            obj=decision,
            content=signing.agreement_content(decision),
            signer=actor,
            client_ip=client_ip,
            centre=registration.centre,
            signed_at=now,
        )
    reopened = False
    if referred and ua.status != UnitAssessment.Status.OPEN:
        unit_reopen(
            unit_assessment=ua,
            actor=actor,
            reason=f"Referred back by the internal verifier: {action_points}",
            by_referral=True,
        )
        reopened = True
    audit_record(
        actor=actor,
        action=Action(f"verification_{outcome}"),
        obj=decision,
        centre=registration.centre,
        details={
            "unit": unit.ref,
            "candidate": registration.candidate.username,
            "stage": item.stage,
            "assessor": decision.assessor.username,
            "round": decision.unit_round,
            "mapping": mapping.pk if mapping else None,
            "mapping_label": selectors.mapping_label(mapping),
            "comments": decision.comments,
            "action_points": action_points,
            "unit_reopened": reopened,
            "signature": signature.code if signature else None,
            "statement": STATEMENTS[SignatureKind.IV_AGREEMENT] if signature else None,
        },
    )
    if referred:
        from .tasks import send_referral_email

        notify(
            user=registration.assessor,
            kind="referral_new",
            email=False,
            text=f"{actor} referred back {_referral_label(decision)}: {action_points}",
            url=selectors.referral_answer_url(decision),
        )
        transaction.on_commit(lambda: send_referral_email.enqueue(decision.pk))
    return decision


@refusals_audited(Action.REFERRAL_ANSWER_REFUSED, "decision")
@transaction.atomic
def referral_answer(
    *,
    decision,
    actor,
    kind: str,
    text: str,
    evidence=None,
    method: str = "",
    location: str = "",
    corrected_decision: str = "",
    reason: str = "",
) -> VerificationDecision:
    """The assessor answers a referral: new evidence (mapped to the referred criterion), a corrected decision
    (the referred assessment decision changed), or an explanation. The referral goes back to the internal
    verifier, who closes it with a note or sends it back."""
    decision = VerificationDecision.objects.select_related(
        "item__plan__centre",
        "unit_assessment__registration__candidate",
        "unit_assessment__unit",
        "mapping",
        "verifier",
    ).get(pk=decision.pk)
    registration = decision.unit_assessment.registration
    if not assessment_permissions.is_assessor_of(actor, registration):
        _raise(NOT_REGISTRATION_ASSESSOR)
    if decision.referral_status != VerificationDecision.ReferralStatus.OPEN:
        _raise(REFERRAL_NOT_OPEN)
    text = (text or "").strip()
    if kind not in VerificationDecision.AnswerKind.values:
        _raise(BAD_ANSWER_KIND)
    if not text:
        _raise(ANSWER_TEXT_REQUIRED)
    mapping = decision.mapping
    if kind == VerificationDecision.AnswerKind.NEW_EVIDENCE:
        if evidence is None:
            _raise(ANSWER_NEEDS_EVIDENCE)
        if mapping is not None:
            targets = (
                {"criteria": [mapping.criterion]}
                if mapping.criterion_id
                else {"range_items": [mapping.range_item]}
            )
            assessment_services.mapping_add(
                registration=registration,
                evidence=evidence,
                actor=actor,
                method=method or mapping.method,
                location=location,
                decision=EvidenceMapping.Decision.ACCEPTED,
                **targets,
            )
    elif kind == VerificationDecision.AnswerKind.CORRECTED_DECISION:
        if mapping is None:
            _raise(ANSWER_NEEDS_MAPPING)
        if corrected_decision not in EvidenceMapping.Decision.values:
            _raise(ANSWER_NEEDS_DECISION)
        assessment_services.mapping_decide(
            mapping=mapping, actor=actor, decision=corrected_decision, reason=reason
        )
    decision = (
        VerificationDecision.objects.select_for_update(of=("self",))
        .select_related(
            "item__plan__centre", "unit_assessment__unit", "unit_assessment__registration__candidate"
        )
        .get(pk=decision.pk)
    )
    decision = referral_transition(
        referral=decision,
        actor=actor,
        to=VerificationDecision.ReferralStatus.ANSWERED,
        action=Action.REFERRAL_ANSWERED,
        details={
            "kind": kind,
            "text": text,
            "evidence": evidence.pk if evidence else None,
            "corrected_decision": corrected_decision,
        },
        answer_kind=kind,
        answer_text=text,
        answer_evidence=evidence,
        answered_at=timezone.now(),
        answered_by=actor,
    )
    notify(
        user=decision.verifier,
        kind="referral_answered",
        text=f"{actor} answered your referral of {_referral_label(decision)}: {text}",
        url=f"{reverse('verification:item_detail', args=[decision.item_id])}#referral-{decision.pk}",
    )
    return decision


@refusals_audited(Action.REFERRAL_CLOSE_REFUSED, "decision")
@transaction.atomic
def referral_close(*, decision, actor, note: str = "") -> VerificationDecision:
    """The internal verifier closes a referral the assessor has answered, with a note (required)."""
    decision = (
        VerificationDecision.objects.select_for_update(of=LOCK_DECISION_ROWS)
        .select_related("item__plan__centre", "unit_assessment__registration", "unit_assessment__unit")
        .get(pk=decision.pk)
    )
    ua = decision.unit_assessment
    check_may_decide(verifier=actor, unit_assessment=ua)
    if decision.referral_status == VerificationDecision.ReferralStatus.CLOSED:
        _raise(REFERRAL_CLOSED)
    if decision.referral_status == VerificationDecision.ReferralStatus.OPEN:
        _raise(REFERRAL_UNANSWERED)
    note = (note or "").strip()
    if not note:
        _raise(CLOSE_NOTE_REQUIRED)
    _close(decision, actor=actor, note=note)
    decision.refresh_from_db()
    return decision


@refusals_audited(Action.REFERRAL_SEND_BACK_REFUSED, "decision")
@transaction.atomic
def referral_send_back(*, decision, actor, note: str = "") -> VerificationDecision:
    """The answer is not enough: the referral opens again for the assessor, with the IV's note."""
    decision = (
        VerificationDecision.objects.select_for_update(of=("self",))
        .select_related("item__plan__centre", "unit_assessment__registration", "unit_assessment__unit")
        .get(pk=decision.pk)
    )
    check_may_decide(verifier=actor, unit_assessment=decision.unit_assessment)
    note = (note or "").strip()
    if not note:
        _raise(CLOSE_NOTE_REQUIRED)
    decision = referral_transition(
        referral=decision,
        actor=actor,
        to=VerificationDecision.ReferralStatus.OPEN,
        action=Action.REFERRAL_SENT_BACK,
        details={"note": note},
        action_points=f"{decision.action_points}\n\nNot enough yet: {note}",
    )
    notify(
        user=decision.unit_assessment.registration.assessor,
        kind="referral_new",
        text=f"{actor} sent back your answer on {_referral_label(decision)}: {note}",
        url=selectors.referral_answer_url(decision),
    )
    return decision


# --- external verifier access -------------------------------------------------------------------------
@transaction.atomic
def ev_user_create(*, actor, centre, username: str, first_name: str, last_name: str, email: str) -> User:
    """A new person holding the external verifier role at the centre; they set their password through
    "forgotten password" (a random one is set so that the reset works)."""
    if not holds(actor, centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if User.objects.filter(username__iexact=username).exists():
        _raise(USERNAME_TAKEN, username=username)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(secrets.token_urlsafe(32))
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, centre=centre, role=Role.EXTERNAL_VERIFIER)
    audit_record(
        actor=actor,
        action=Action.EXTERNAL_VERIFIER_CREATED,
        obj=user,
        centre=centre,
        details={"username": username, "email": email},
    )
    return user


@transaction.atomic
def ev_for_email(*, actor, centre, email: str, first_name: str = "", last_name: str = "") -> User:
    """The external verifier with this email address: the existing one (an external verifier and nothing
    else), or a new account (username = the address) who sets a password through "forgotten password"."""
    if not holds(actor, centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    email = email.strip()
    known = list(User.objects.filter(email__iexact=email)[:2])
    if len(known) > 1:
        _raise(EMAIL_AMBIGUOUS, email=email)
    if known:
        if known[0].role_set != {Role.EXTERNAL_VERIFIER.value}:
            _raise(EMAIL_NOT_EV, email=email)
        return known[0]
    return ev_user_create(
        actor=actor, centre=centre, username=email, first_name=first_name, last_name=last_name, email=email
    )


@transaction.atomic
def grant_create(
    *, actor, centre, external_verifier, scope: str, expires_on: date, registrations=(), sample=None
) -> ExternalAccessGrant:
    if not holds(actor, centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if not holds(external_verifier, centre, Role.EXTERNAL_VERIFIER):
        if external_verifier.role_set == {Role.EXTERNAL_VERIFIER.value}:
            # An external verifier known from another centre (and nothing else): give them the role here too.
            Membership.objects.get_or_create(
                user=external_verifier, centre=centre, role=Role.EXTERNAL_VERIFIER
            )
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
    grant = ExternalAccessGrant(
        centre=centre,
        external_verifier=external_verifier,
        scope=scope,
        sample=sample,
        expires_on=expires_on,
        granted_by=actor,
    )
    grant.full_clean()
    grant.save()
    grant.registrations.set(registrations)
    audit_record(
        actor=actor,
        action=Action.EV_ACCESS_GRANTED,
        obj=grant,
        centre=centre,
        details={
            "external_verifier": external_verifier.username,
            "scope": scope,
            "expires_on": expires_on,
            "registrations": [r.pk for r in registrations],
            "sample": sample.pk if sample else None,
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant, actor) -> ExternalAccessGrant:
    grant = ExternalAccessGrant.objects.select_for_update().get(pk=grant.pk)
    if not holds(actor, grant.centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if grant.revoked_at is not None:
        _raise(GRANT_ALREADY_REVOKED)
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=Action.EV_ACCESS_REVOKED,
        obj=grant,
        centre=grant.centre,
        details={"external_verifier": grant.external_verifier.username},
    )
    return grant


@transaction.atomic
def ev_page_log(
    *, user, path: str, view_name: str, registration=None, grant=None, evidence=None
) -> ExternalAccessLog:
    """Record one page (or file) an external verifier opened (log row + audit row)."""
    entry = ExternalAccessLog.objects.create(
        grant=grant,
        user=user,
        path=path[:500],
        view_name=view_name[:100],
        registration_id_seen=registration.pk if registration else None,
    )
    details = {"path": path, "view": view_name, "grant": grant.pk if grant else None}
    if evidence is not None:
        details["evidence"] = evidence.pk
    audit_record(
        actor=user,
        action=Action.EV_PAGE_VIEWED,
        obj=evidence or registration or grant or entry,
        centre=grant.centre if grant else (registration.centre if registration else None),
        details=details,
    )
    return entry


@transaction.atomic
def ev_evidence_shown(*, user, grant, registration, path: str, view_name: str, evidence_ids) -> None:
    """Evidence an external verifier's page shows inline (statement text, thumbnails, players): one access-log
    row per item (`<path>#evidence-<id>`, view `<view_name>:evidence`) and one audit row naming them all, so the
    log says what the EV saw without opening each item. Two queries plus the audit row, however many items."""
    evidence_ids = sorted(set(evidence_ids))
    if not evidence_ids:
        return
    view = f"{view_name}:evidence"[:100]
    ExternalAccessLog.objects.bulk_create(
        [
            ExternalAccessLog(
                grant=grant,
                user=user,
                path=f"{path}#evidence-{pk}"[:500],
                view_name=view,
                registration_id_seen=registration.pk,
            )
            for pk in evidence_ids
        ]
    )
    audit_record(
        actor=user,
        action=Action.EV_EVIDENCE_SHOWN,
        obj=registration,
        centre=registration.centre,
        details={"path": path, "view": view_name, "grant": grant.pk, "evidence": evidence_ids},
    )


def ev_evidence_opened(*, user, item, path: str, view_name: str) -> None:
    """The evidence app's hook (registered in VerificationConfig.ready()): an evidence page, file or preview an
    external verifier opened through a grant goes into that grant's access log. Nothing for other readers."""
    seen = selectors.ev_grant_for_evidence(user, item)
    if seen is None:
        return
    grant, registration_id = seen
    registration = Registration.objects.select_related("centre").get(pk=registration_id)
    ev_page_log(
        user=user, path=path, view_name=view_name, registration=registration, grant=grant, evidence=item
    )


def _refuse_past_last_certification_date(registration):
    """4430-04: "Last certification date 31/07/2017": refused after it unless the awarding body extended it."""
    problem = assessment_services.date_problem(
        registration.centre, registration.qualification, "certification", timezone.localdate()
    )
    if problem:
        raise ValidationError(problem)


# --- certification claims -----------------------------------------------------------------------------
@refusals_audited(Action.CERTIFICATION_CLAIM_REFUSED, "registration")
@transaction.atomic
def claim_submit(*, registration, actor, kind: str, units=None, reason: str = "") -> CertificationClaim:
    """Claim from the awarding body: unit certification (any number of times, each unit once), the full
    qualification (through the gate, closes the registration as certified) or an exit claim (unit
    certification of what was achieved, closes the registration as withdrawn: `reason` is the withdrawal's).

    `units`: the refs to claim for unit certification (None: every claimable unit). The registration row is
    locked first, so two admins claiming at once make one claim and the second is told why.
    """
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("qualification", "centre", "candidate")
        .get(pk=registration.pk)
    )
    if not holds(actor, registration.centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if kind not in CertificationClaim.Kind.values:
        _raise(BAD_CLAIM_KIND)
    live = CertificationClaim.objects.filter(
        registration=registration, status=CertificationClaim.Status.SUBMITTED
    )
    if live.filter(kind__in=[CertificationClaim.Kind.FULL, CertificationClaim.Kind.EXIT]).exists():
        _raise(CLAIM_EXISTS)
    allowed = {Registration.Status.ACTIVE} | (
        {Registration.Status.WITHDRAWN} if kind == CertificationClaim.Kind.EXIT else set()
    )
    if registration.status not in allowed:
        _raise(CLAIM_NOT_ACTIVE, status=registration.get_status_display().lower())
    _refuse_past_last_certification_date(registration)
    check = selectors.claim_checks([registration])[0]
    covered = (
        check.signed_refs
        if kind == CertificationClaim.Kind.FULL or units is None
        else [ref for ref in check.signed_refs if ref in units]
    )
    waiting = [ref for ref in check.transfers_pending if ref in covered and ref not in check.claimed_refs]
    if waiting:
        _raise(
            CLAIM_TRANSFERS_PENDING,
            units=f"Unit {waiting[0]} is" if len(waiting) == 1 else f"Units {', '.join(waiting)} are",
        )
    if kind == CertificationClaim.Kind.FULL:
        if not check.full_ready:
            _raise(
                CLAIM_REFUSED, reasons=" ".join(check.explanation) or "the rules of combination are not met."
            )
        claimed, credits = check.signed_refs, check.verdict.total_credits
    else:
        claimed = (
            check.claimable_refs if units is None else [ref for ref in check.claimable_refs if ref in units]
        )
        for ref in units or ():
            if ref in check.claimed_refs:
                _raise(UNIT_ALREADY_CLAIMED, unit=ref)
            if ref not in check.claimable_refs:
                _raise(UNIT_NOT_CLAIMABLE, unit=ref)
        if not claimed:
            _raise(CLAIM_NO_UNITS)
        credits = sum(check.unit_credits[ref] for ref in claimed)
    reason = (reason or "").strip()
    if (
        kind == CertificationClaim.Kind.EXIT
        and registration.status == Registration.Status.ACTIVE
        and not reason
    ):
        _raise(EXIT_REASON_REQUIRED)
    claim = CertificationClaim(
        registration=registration,
        centre=registration.centre,
        kind=kind,
        units=claimed,
        credits=credits,
        verdict=check.verdict.to_dict(),
        claimed_by=actor,
    )
    claim.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        _raise(CLAIM_EXISTS)
    audit_record(
        actor=actor,
        action=Action.CERTIFICATION_CLAIMED,
        obj=claim,
        centre=registration.centre,
        details={
            "kind": kind,
            "units": claimed,
            "credits": credits,
            "verdict": claim.verdict,
            "candidate": registration.candidate.username,
            "qualification": registration.qualification.code,
        },
    )
    if kind == CertificationClaim.Kind.FULL:
        registration_transition(
            registration=registration,
            actor=actor,
            to=Registration.Status.CERTIFIED,
            reason="Full qualification claimed.",
            details={"claim": claim.pk},
        )
    elif kind == CertificationClaim.Kind.EXIT and registration.status == Registration.Status.ACTIVE:
        registration_transition(
            registration=registration,
            actor=actor,
            to=Registration.Status.WITHDRAWN,
            reason=reason,
            details={"claim": claim.pk, "exit_claim": True},
        )
    return claim


@refusals_audited(Action.CERTIFICATION_CLAIM_CANCEL_REFUSED, "claim")
@transaction.atomic
def claim_cancel(*, claim, actor, reason: str) -> CertificationClaim:
    """Cancel a unit-certification claim made in error (its units can be claimed again). A full or exit claim
    closed the registration: that is settled with the awarding body, not here."""
    claim = (
        CertificationClaim.objects.select_for_update(of=("self",))
        .select_related("centre", "registration")
        .get(pk=claim.pk)
    )
    if not holds(actor, claim.centre, Role.CENTRE_ADMIN):
        _raise(NOT_ADMIN)
    if claim.closes_registration:
        _raise(CLAIM_CLOSING_NOT_CANCELLED)
    reason = (reason or "").strip()
    if not reason:
        _raise(CANCEL_REASON_REQUIRED)
    was, to = claim.status, CertificationClaim.Status.CANCELLED
    if to not in CertificationClaim.TRANSITIONS.get(was, set()):
        labels = dict(CertificationClaim.Status.choices)
        _raise(TRANSITION_REFUSED, entity="The claim", was=labels[was], to=labels[to])
    CertificationClaim.objects.filter(pk=claim.pk, status=was).update(status=to, cancel_reason=reason)
    claim.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.CERTIFICATION_CLAIM_CANCELLED,
        obj=claim,
        centre=claim.centre,
        details={"from": was, "to": to, "reason": reason, "units": claim.units},
    )
    signals.claim_cancelled.send(sender=CertificationClaim, claim=claim)
    return claim

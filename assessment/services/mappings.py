"""Mapping evidence to criteria, range items and evidence requirements, and deciding on each mapping."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record
from evidence.models import EvidenceItem
from evidence.revisions import evidence_changes_since
from qualifications.models import EvidenceRequirement

from .. import permissions
from ..models import EvidenceMapping, MappingDecision, Method, Setting, UnitAssessment
from .common import (
    _bump,
    _lock_evidence,
    _lock_registration,
    _lock_unit_assessments,
    _raise,
    _refuse_if_locked,
)
from .dates import _refuse_if_past_end
from .messages import (
    CONTEXT_REFUSED,
    EVIDENCE_CHANGED,
    EVIDENCE_NOT_CANDIDATES,
    NOT_ASSESSOR,
    NOTHING_TICKED,
    REASON_REQUIRED,
    REQUIREMENT_HAS_SUB_ITEMS,
    REQUIREMENT_NOT_MAPPABLE,
    STALE,
    UNIT_NOT_IN_REGISTRATION,
    UNKNOWN_SETTING,
)


# --- evidence settings and requirement targets (issue 19) ----------------------------------------------
def _refuse_setting(registration, unit, evidence, setting, kind):
    """Refuse evidence from a setting the unit (in this qualification) does not accept, in the handbook's words."""
    from ..coverage import context_problem
    from ..selectors import unit_facts

    problem = context_problem(unit_facts(unit, registration.qualification), evidence.title, setting, kind)
    if problem:
        _raise(CONTEXT_REFUSED, problem=problem)


def _check_requirement_targets(requirements):
    """Evidence maps to a requirement that asks for evidence, and to the lettered sub-items of one that has them."""
    if not requirements:
        return
    with_children = set(
        EvidenceRequirement.objects.filter(parent__in=[r.pk for r in requirements]).values_list(
            "parent_id", flat=True
        )
    )
    for requirement in requirements:
        if requirement.pk in with_children:
            _raise(REQUIREMENT_HAS_SUB_ITEMS, ref=requirement.ref)
        if requirement.kind != EvidenceRequirement.Kind.EVIDENCE or (
            requirement.parent_id and requirement.parent.kind != EvidenceRequirement.Kind.EVIDENCE
        ):
            _raise(REQUIREMENT_NOT_MAPPABLE, ref=requirement.ref)


# --- mapping ----------------------------------------------------------------------------------------
def _history(mappings, *, action, actor, at, rounds, evidence_revision):
    """One MappingDecision row per mapping decided: the history is never overwritten (see the model)."""
    MappingDecision.objects.bulk_create(
        [
            MappingDecision(
                registration_id=m.registration_id,
                unit_id=m.unit_id,
                round=rounds[m.unit_id],
                mapping_ref=m.pk,
                evidence_id=m.evidence_id,
                evidence_revision=evidence_revision,
                criterion_id=m.criterion_id,
                range_item_id=m.range_item_id,
                action=action,
                decision=m.decision,
                method=m.method,
                location=m.location,
                reason=m.reason,
                decided_by=actor,
                decided_at=at,
            )
            for m in mappings
        ]
    )


def _lock_current_evidence(evidence, seen_revision) -> EvidenceItem:
    """The evidence row FOR UPDATE (an edit waits for the decision, or the decision sees the edit); refused
    when the candidate changed it since the assessor's page showed `seen_revision`."""
    current = EvidenceItem.objects.select_for_update().get(pk=evidence.pk)
    if current.deleted_at is not None:
        _raise(EVIDENCE_NOT_CANDIDATES)
    if seen_revision not in (None, "") and int(seen_revision) != current.revision:
        _raise(
            EVIDENCE_CHANGED,
            title=current.title,
            changes="; ".join(evidence_changes_since(current, int(seen_revision))),
        )
    return current


@transaction.atomic
def mapping_add(
    *,
    registration,
    evidence,
    actor,
    criteria=(),
    range_items=(),
    method: str,
    location: str = "",
    decision: str,
    reason: str = "",
    evidence_revision=None,
    requirements=(),
    setting: str = "",
) -> list[EvidenceMapping]:
    """Map one piece of evidence to criteria (range items, evidence requirements) across any units of the
    registration. `setting` is where the assessor confirms the evidence was gathered (empty: as the evidence
    says); an accepted mapping the unit's setting rules refuse is refused with the handbook's words.

    `evidence_revision` is the revision of the evidence the assessor's page showed: when the candidate has
    edited it since, nothing is saved and the message says what changed. Every decision is kept in the
    mapping decision history with the revision it was made on. A signed unit refuses it (a transferred one
    with TRANSFERRED_UNIT: only its confirmation maps into it, transfers.unit_transfer_confirm).
    """
    return _mapping_add(
        registration=registration,
        evidence=evidence,
        actor=actor,
        criteria=criteria,
        range_items=range_items,
        method=method,
        location=location,
        decision=decision,
        reason=reason,
        evidence_revision=evidence_revision,
        requirements=requirements,
        setting=setting,
    )


def _mapping_add(
    *,
    registration,
    evidence,
    actor,
    criteria=(),
    range_items=(),
    method: str,
    location: str = "",
    decision: str,
    reason: str = "",
    evidence_revision=None,
    requirements=(),
    setting: str = "",
    confirming_transfer: bool = False,
) -> list[EvidenceMapping]:
    """mapping_add's work, inside the caller's transaction. `confirming_transfer`: the receiving assessor's
    confirmation of a transferred unit adds its prior decisions as RPL mappings to the unit, signed as it is."""
    from ..selectors import registration_units

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
    targets = (
        [("criterion", t) for t in criteria]
        + [("range_item", t) for t in range_items]
        + [("requirement", t) for t in requirements]
    )
    for _, target in targets:
        if target.unit_id not in units:
            _raise(UNIT_NOT_IN_REGISTRATION, unit=target.unit.ref)
    locked = _lock_unit_assessments(registration, [t.unit_id for _, t in targets])
    registration = _lock_registration(registration.pk)
    _refuse_if_past_end(registration)
    for ua in locked.values():
        if not (confirming_transfer and ua.transfer_pending):
            _refuse_if_locked(ua)
    evidence = _lock_current_evidence(evidence, evidence_revision)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        for field_name, target in targets:
            _refuse_setting(
                registration,
                units[target.unit_id],
                evidence,
                setting or evidence.context,
                target.kind if field_name == "criterion" else "performance",
            )
    now = timezone.now()
    created = []
    for field_name, target in targets:
        existing = EvidenceMapping.objects.filter(
            registration=registration, evidence=evidence, **{field_name: target}
        ).first()
        mapping = existing or EvidenceMapping(
            registration=registration, evidence=evidence, unit_id=target.unit_id, **{field_name: target}
        )
        mapping.method, mapping.location, mapping.decision, mapping.reason = (
            method,
            location,
            decision,
            reason,
        )
        mapping.setting = setting
        mapping.assessed_by, mapping.assessed_at = actor, now
        if existing:
            mapping.version += 1
        mapping.full_clean(validate_constraints=False)
        mapping.save()
        created.append(mapping)
    _history(
        created,
        action=MappingDecision.Action.MAPPED,
        actor=actor,
        at=now,
        rounds={u: ua.round for u, ua in locked.items()},
        evidence_revision=evidence.revision,
    )
    _bump(locked.values())
    _lock_evidence(evidence, actor)
    audit_record(
        actor=actor,
        action=Action.EVIDENCE_MAPPED,
        obj=evidence,
        centre=registration.centre,
        details={
            "registration": registration.pk,
            "method": method,
            "location": location,
            "decision": decision,
            "reason": reason,
            "targets": [str(m) for m in created],
            "setting": setting or evidence.context,
        },
    )
    return created


@transaction.atomic
def mapping_decide(
    *, mapping, actor, decision: str, reason: str = "", expected_version=None
) -> EvidenceMapping:
    """Accept a mapping, or mark it "not yet" with a reason. Refused on a stale page or a locked unit."""
    mapping = EvidenceMapping.objects.select_related("registration", "evidence", "unit").get(pk=mapping.pk)
    if not permissions.is_assessor_of(actor, mapping.registration):
        _raise(NOT_ASSESSOR)
    ua = _lock_unit_assessments(mapping.registration, [mapping.unit_id])[mapping.unit_id]
    _refuse_if_past_end(_lock_registration(mapping.registration_id))
    _refuse_if_locked(ua)
    mapping = (
        EvidenceMapping.objects.select_for_update(of=("self", "registration", "evidence"))
        .select_related("registration", "evidence", "unit")
        .get(pk=mapping.pk)
    )
    if expected_version is not None and int(expected_version) != mapping.version:
        _raise(STALE, now=mapping.version, seen=expected_version)
    reason = reason.strip()
    if decision == EvidenceMapping.Decision.NOT_YET and not reason:
        _raise(REASON_REQUIRED)
    if decision == EvidenceMapping.Decision.ACCEPTED:
        _refuse_setting(
            mapping.registration,
            mapping.unit,
            mapping.evidence,
            mapping.effective_setting,
            mapping.criterion.kind if mapping.criterion_id else "performance",
        )
        reason = ""
    before = mapping.decision
    mapping.decision, mapping.reason = decision, reason
    mapping.assessed_by, mapping.assessed_at = actor, timezone.now()
    mapping.version += 1
    mapping.full_clean(validate_constraints=False)
    mapping.save()
    _history(
        [mapping],
        action=MappingDecision.Action.DECIDED,
        actor=actor,
        at=mapping.assessed_at,
        rounds={ua.unit_id: ua.round},
        evidence_revision=mapping.evidence.revision,
    )
    _bump([ua])
    audit_record(
        actor=actor,
        action=Action.MAPPING_DECIDED,
        obj=mapping,
        centre=mapping.registration.centre,
        details={"from": before, "to": decision, "reason": reason},
    )
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
    _history(
        [mapping],
        action=MappingDecision.Action.REMOVED,
        actor=actor,
        at=timezone.now(),
        rounds={ua.unit_id: ua.round},
        evidence_revision=EvidenceItem.objects.values_list("revision", flat=True).get(pk=mapping.evidence_id),
    )
    audit_record(
        actor=actor,
        action=Action.MAPPING_REMOVED,
        obj=mapping,
        centre=ua.registration.centre,
        details={"mapping": description, "decision": mapping.decision},
    )
    mapping.delete()
    _bump([ua])


@transaction.atomic
def unit_assessment_ensure(*, registration, unit) -> UnitAssessment:
    """The unit assessment row of a unit of the registration, created when missing (no audit: no decision)."""
    ua, _ = UnitAssessment.objects.get_or_create(registration=registration, unit=unit)
    return ua

"""Transferred units: a unit signed at a sending centre arrives signed in a portfolio passport (portability calls
these; portability is above assessment). It stays signed with its original signature (transferred_from,
transferred_signer, the sending centre's signed_at; signed_by stays empty: nobody here signed it) and counts at
once. Until the registration's assessor confirms it (its prior decisions become RPL mappings, the unit stays
signed and is theirs from then on) or rejects it (withdrawn to OPEN, to be assessed here afresh), nothing else
changes it (common._refuse_if_transfer_pending), no claim covers it and no internal verifier samples it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.actions import Action

from .. import permissions
from ..models import EvidenceMapping, Method, UnitAssessment
from .common import _lock_one, _lock_registration, _lock_unit_assessments, _raise
from .mappings import _mapping_add
from .messages import (
    NOT_ASSESSOR,
    NOT_CENTRE_ADMIN,
    TRANSFER_NEEDS_CENTRE,
    TRANSFER_NOT_OPEN,
    TRANSFER_NOT_PENDING,
    TRANSFER_REJECT_NEEDS_NOTE,
)
from .transitions import unit_assessment_transition, unit_assessment_update


@dataclass(frozen=True)
class PriorMapping:
    """One piece of prior evidence and what it was accepted for at the sending centre (mapped here as RPL)."""

    evidence: object
    location: str
    criteria: list = field(default_factory=list)
    range_items: list = field(default_factory=list)


@transaction.atomic
def unit_transfer_in(
    *,
    registration,
    unit,
    actor,
    signed_at: datetime,
    transferred_from: str,
    transferred_signer: str,
    authenticity_signed_at: datetime | None = None,
    details=None,
) -> UnitAssessment:
    """A centre admin's passport import brings the unit in signed, as the sending centre signed it (its signer
    and date; the candidate's authenticity statement there, when the passport holds it). The unit must hold
    no work here yet (a new registration's open unit)."""
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    transferred_from = (transferred_from or "").strip()
    if not transferred_from or signed_at is None:
        _raise(TRANSFER_NEEDS_CENTRE)
    ua = _lock_unit_assessments(registration, [unit.pk])[unit.pk]
    _lock_registration(registration.pk)
    if (
        ua.status != UnitAssessment.Status.OPEN
        or EvidenceMapping.objects.filter(registration=registration, unit=unit).exists()
    ):
        _raise(TRANSFER_NOT_OPEN, unit=unit.ref)
    return unit_assessment_transition(
        ua=ua,
        actor=actor,
        to=UnitAssessment.Status.SIGNED,
        action=Action.UNIT_TRANSFERRED_IN,
        signed_by=None,
        signed_at=signed_at,
        authenticity_signed_at=authenticity_signed_at,
        transferred_from=transferred_from[:240],
        transferred_signer=(transferred_signer or "")[:240],
        details={
            "transferred_from": transferred_from,
            "signer": transferred_signer,
            "signed_at": signed_at.isoformat(),
            **(details or {}),
        },
    )


def _lock_pending(unit_assessment, actor) -> UnitAssessment:
    ua = _lock_one(unit_assessment)
    if not permissions.is_assessor_of(actor, ua.registration):
        _raise(NOT_ASSESSOR)
    _lock_registration(ua.registration_id)
    if not ua.transfer_pending:
        _raise(TRANSFER_NOT_PENDING, unit=ua.unit.ref)
    return ua


@transaction.atomic
def unit_transfer_confirm(*, unit_assessment, actor, mappings=(), details=None) -> UnitAssessment:
    """The registration's assessor confirms a transferred unit: it stays signed with its original signature, its
    prior decisions (`mappings`, PriorMapping) become RPL mappings made by them, and from now on it is their
    decision (claims may cover it, the internal verifier samples it as theirs)."""
    ua = _lock_pending(unit_assessment, actor)
    for prior in mappings:
        _mapping_add(
            registration=ua.registration,
            evidence=prior.evidence,
            actor=actor,
            criteria=prior.criteria,
            range_items=prior.range_items,
            method=Method.RPL,
            location=prior.location[:100],
            decision=EvidenceMapping.Decision.ACCEPTED,
            confirming_transfer=True,
        )
    ua.refresh_from_db(fields=["version"])  # the mappings bumped it
    return unit_assessment_update(
        ua=ua,
        actor=actor,
        action=Action.UNIT_TRANSFER_CONFIRMED,
        details={
            "unit": ua.unit.ref,
            "transferred_from": ua.transferred_from,
            "signer": ua.transferred_signer,
            "signed_at": ua.signed_at.isoformat(),
            "mappings": sum(len(p.criteria) + len(p.range_items) for p in mappings),
            **(details or {}),
        },
        where=Q(status=UnitAssessment.Status.SIGNED, transfer_confirmed_at__isnull=True),
        transfer_confirmed_by=actor,
        transfer_confirmed_at=timezone.now(),
    )


@transaction.atomic
def unit_transfer_withdraw(*, unit_assessment, actor, note: str, details=None) -> UnitAssessment:
    """The registration's assessor rejects a transferred unit (with a note): it is withdrawn to OPEN in a new
    round, without the sending centre's signature or statement, and assessed here like any open unit. The
    original signature stays as provenance on the import (and in this audit row)."""
    note = (note or "").strip()
    if not note:
        _raise(TRANSFER_REJECT_NEEDS_NOTE)
    ua = _lock_pending(unit_assessment, actor)
    previous = {
        "transferred_from": ua.transferred_from,
        "signer": ua.transferred_signer,
        "signed_at": ua.signed_at.isoformat(),
        "round": ua.round,
    }
    return unit_assessment_transition(
        ua=ua,
        actor=actor,
        to=UnitAssessment.Status.OPEN,
        action=Action.UNIT_TRANSFER_WITHDRAWN,
        signed_at=None,
        authenticity_signed_at=None,
        transferred_from="",
        transferred_signer="",
        round=F("round") + 1,
        details={"note": note, "previous": previous, **(details or {})},
    )

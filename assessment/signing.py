"""What the unit signatures cover (audit.signatures): the candidate's authenticity statement covers the unit's
evidence (each item's revision and fingerprint); the assessor's sign-off and the countersignature cover the unit's
assessment decisions (criterion, decision, method, location) and the evidence each relied on.

The rebuilders recompute that content from the database as it is now, for the same evidence and decisions the
signature named, so `manage.py verify_signature` sees an edit made behind the application's back.
"""

from __future__ import annotations

from django.db.models import Q

from audit.signatures import Kind, register_content
from evidence.models import EvidenceItem
from evidence.revisions import evidence_fingerprint

from .models import EvidenceMapping, UnitAssessment


def _evidence_entry(item: EvidenceItem) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "revision": item.revision,
        "sha256": evidence_fingerprint(item),
    }


def _head(ua: UnitAssessment) -> dict:
    registration = ua.registration
    return {
        "registration": registration.pk,
        "candidate": registration.candidate.get_username(),
        "qualification": registration.qualification.code,
        "unit": ua.unit.ref,
    }


def authenticity_content(ua: UnitAssessment, evidence_ids=None) -> dict:
    """The unit's evidence the candidate declares their own: mapped to the unit or meant for it."""
    if evidence_ids is None:
        mapped = EvidenceMapping.objects.filter(registration=ua.registration, unit=ua.unit).values(
            "evidence_id"
        )
        items = EvidenceItem.objects.filter(
            Q(pk__in=mapped) | Q(units=ua.unit), candidate=ua.registration.candidate, deleted_at__isnull=True
        ).distinct()
    else:
        items = EvidenceItem.objects.filter(pk__in=evidence_ids)
    return _head(ua) | {"evidence": [_evidence_entry(i) for i in items.order_by("pk")]}


def decisions_content(ua: UnitAssessment, mapping_ids=None) -> dict:
    """The unit's assessment decisions, each with the evidence (revision and fingerprint) it relied on."""
    mappings = EvidenceMapping.objects.select_related("evidence", "criterion", "range_item", "requirement")
    mappings = (
        mappings.filter(pk__in=mapping_ids)
        if mapping_ids is not None
        else mappings.filter(registration=ua.registration, unit=ua.unit)
    )
    fingerprints: dict[int, str] = {}
    decisions = []
    for m in mappings.order_by("pk"):
        if m.evidence_id not in fingerprints:
            fingerprints[m.evidence_id] = evidence_fingerprint(m.evidence)
        decisions.append(
            {
                "mapping": m.pk,
                "target": m.target_label,
                "decision": m.decision,
                "method": m.method,
                "location": m.location,
                "evidence": m.evidence_id,
                "evidence_revision": m.evidence.revision,
                "evidence_sha256": fingerprints[m.evidence_id],
            }
        )
    return _head(ua) | {"decisions": decisions}


def _unit(signature) -> UnitAssessment | None:
    return (
        UnitAssessment.objects.select_related(
            "registration__candidate", "registration__qualification", "unit"
        )
        .filter(pk=int(signature.object_id))
        .first()
    )


def _rebuild_authenticity(signature):
    ua = _unit(signature)
    if ua is None:
        return None
    return authenticity_content(ua, [e["id"] for e in signature.content.get("evidence", [])])


def _rebuild_decisions(signature):
    ua = _unit(signature)
    if ua is None:
        return None
    content = decisions_content(ua, [d["mapping"] for d in signature.content.get("decisions", [])])
    return content | {"round": signature.content.get("round")}


def register() -> None:
    register_content(Kind.AUTHENTICITY, _rebuild_authenticity)
    register_content(Kind.UNIT_SIGN_OFF, _rebuild_decisions)
    register_content(Kind.COUNTERSIGNATURE, _rebuild_decisions)

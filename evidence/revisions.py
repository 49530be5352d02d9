"""What an evidence item says, revision by revision, and what an assessment relied on.

An assessor decides on what the page showed. `evidence_content` is that content as plain labels and values;
each edit keeps the content it replaces as an EvidenceRevision row, so a decision made on an older revision
can be refused with `evidence_changes_since`, which says what changed.
"""

from __future__ import annotations

from django.db.models import QuerySet

from audit.dates import DATE

from .models import EvidenceItem, EvidenceRevision, Witness, WitnessTestimony

SHOWN = 400  # characters of a changed value quoted back to the assessor


def _witness_text(witness: Witness) -> str:
    # the status category is the assessor's decision, not what the candidate submitted: not part of the content
    return ", ".join(
        p
        for p in (
            witness.name,
            witness.job_title,
            witness.relationship,
            witness.email,
            " ".join(witness.contact.split()),
        )
        if p
    )


def evidence_content(item: EvidenceItem) -> dict[str, str]:
    """The item's content as the assessor reads it: label -> value (every value a string)."""
    content = {
        "title": item.title,
        "statement text": item.statement_text,
        "description": item.description,
        "date of the activity": item.activity_date.strftime(DATE) if item.activity_date else "",
        "type of evidence": item.get_kind_display(),
        "context": item.get_context_display(),
        "file": f"{item.original_name} (SHA-256 {item.sha256[:12]})" if item.file else "",
    }
    testimony = WitnessTestimony.objects.filter(evidence=item).select_related("witness").first()
    if testimony is not None:
        content["witness"] = _witness_text(testimony.witness)
    return content


def evidence_fingerprint(item: EvidenceItem) -> str:
    """SHA-256 of the item's content as the assessor reads it (and of its file): what a signature covers."""
    import hashlib
    import json

    content = evidence_content(item) | {"file sha256": item.sha256}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def evidence_revision_keep(item: EvidenceItem, content: dict[str, str], *, now) -> None:
    """Keep `content` (what the item said before this edit) as its current revision, and move the item on.

    The caller holds the item's row FOR UPDATE and saves the item afterwards (or updates `revision` itself).
    """
    EvidenceRevision.objects.create(item=item, revision=item.revision, content=content, replaced_at=now)
    item.revision += 1


def _quoted(value: str) -> str:
    value = value or ""
    if len(value) > SHOWN:
        value = value[:SHOWN].rstrip() + "…"
    return f"“{value}”" if value else "(empty)"


def evidence_changes_since(item: EvidenceItem, revision: int) -> list[str]:
    """What changed in `item` since `revision`, one sentence per changed field (old value, then new)."""
    kept = EvidenceRevision.objects.filter(item=item, revision=revision).first()
    now = evidence_content(item)
    if kept is None:
        return [f"it is at revision {item.revision}, the page showed revision {revision}"]
    changes = [
        f"{label} was {_quoted(kept.content.get(label, ''))}, now {_quoted(value)}"
        for label, value in now.items()
        if kept.content.get(label, "") != value
    ]
    return changes or [f"it was edited (revision {revision} → {item.revision})"]


def testimony_in_use(witness: Witness) -> QuerySet[EvidenceItem]:
    """The witness's testimony an assessor has used (locked items): what a decision relied on."""
    return EvidenceItem.objects.filter(witness_testimony__witness=witness, locked_at__isnull=False)

"""Checking the hash chain (plain Python over the rows, streamed)."""

from dataclasses import dataclass

from .models import GENESIS_HASH, AuditEntry


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(rows=None) -> ChainReport:
    rows = AuditEntry.objects.order_by("id").iterator(chunk_size=2000) if rows is None else rows
    expected_prev = GENESIS_HASH
    checked = 0
    for row in rows:
        if row.prev_hash != expected_prev:
            return ChainReport(
                checked,
                row.pk,
                "its previous-hash does not match the row before it (a row was removed or inserted)",
            )
        if row.compute_hash() != row.hash:
            return ChainReport(checked, row.pk, "its content does not match its hash (the row was changed)")
        expected_prev = row.hash
        checked += 1
    return ChainReport(checked)

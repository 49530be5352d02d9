"""Who besides the candidate and the centre admins may read evidence: decided by the apps above.

The evidence app sits below assessment (the registration's assessor and internal verifier) and verification
(external verifier grants), so it cannot import them. Each of those apps registers a reader here in its
AppConfig.ready(); `evidence.selectors.evidence_visible_to` ORs their conditions, and the evidence views tell
every reader which item a person opened (verification writes it to the grant's access log).

With no reader registered nobody but the candidate and the centre admins sees evidence (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class EvidenceReader:
    """`condition(user)`: a Q over EvidenceItem for the items this reader lets `user` see (None: none). It must
    not run queries itself (lists pin their query counts); subqueries inside the Q are fine.
    `opened(user=, item=, path=, view_name=)`: called after `user` opened `item` (page, file or preview)."""

    name: str
    condition: Callable[[object], Q | None]
    opened: Callable[..., None] | None = None


_readers: dict[str, EvidenceReader] = {}


def register_reader(reader: EvidenceReader) -> None:
    """Add (or replace, by name: ready() may run twice in tests) one reader."""
    _readers[reader.name] = reader


def readers() -> list[EvidenceReader]:
    return list(_readers.values())


def reader_condition(user) -> Q | None:
    """Every reader's condition for `user`, ORed; None when no reader grants anything."""
    combined = None
    for reader in readers():
        condition = reader.condition(user)
        if condition is not None:
            combined = condition if combined is None else combined | condition
    return combined


def evidence_opened(*, user, item, path: str, view_name: str) -> None:
    """Tell every reader that `user` opened `item`."""
    for reader in readers():
        if reader.opened is not None:
            reader.opened(user=user, item=item, path=path, view_name=view_name)

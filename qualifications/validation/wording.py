"""The rules of combination in plain words, as a candidate reads them (each kind words itself: its class in
qualifications/rule_kinds.py)."""

from __future__ import annotations

from ..rule_kinds import rule_kind


def rule_in_words(kind: str, params: dict, *, is_complete: bool = True) -> str:
    """One rule of combination as a sentence a candidate understands."""
    cls = rule_kind(kind)
    if cls is None:
        return f"A rule of an unknown kind ({kind})."
    return cls.wording(params if isinstance(params, dict) else {})

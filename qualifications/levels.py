"""The levels of the qualifications framework, the one definition (plain Python: the rules engine, the catalogue
validation and the models all import it)."""

from __future__ import annotations

LEVELS = ["Entry 1", "Entry 2", "Entry 3"] + [f"Level {n}" for n in range(1, 9)]
LEVEL_CHOICES = [(level, level) for level in LEVELS]
SCALE = "the Entry 1-3 / Level 1-8 scale"  # as the catalogue's messages name it


def level_rank(level: str) -> int:
    """Order on the Entry 1-3 / Level 1-8 scale (unknown levels sort last)."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)

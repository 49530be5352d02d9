"""Moved: ReadOnlyAdmin lives in audit.admin_base (apps import it downward from there).

Kept only so that branches written before the move still import; new code imports audit.admin_base.
"""

from audit.admin_base import ReadOnlyAdmin

__all__ = ["ReadOnlyAdmin"]

"""Template helpers for the portfolio (the candidate dashboard panel)."""

from django import template

from evidence import selectors

register = template.Library()


@register.simple_tag
def evidence_summary(user):
    """Counts and the three newest items of the candidate's current evidence."""
    if not getattr(user, "is_authenticated", False):
        return {"total": 0, "locked": 0, "recent": []}
    counts = selectors.evidence_counts_for(user)
    recent = list(selectors.evidence_for_candidate(user, viewer=user)[:3])
    return {**counts, "recent": recent, "witnesses": selectors.witnesses_of(user).count()}

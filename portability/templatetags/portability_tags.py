"""Template tags the lower apps' pages load to show what portability knows of a unit (templates may include
a higher app's partials; Python code may not import it)."""

from django import template

from ..models import PassportImport
from ..selectors import prior_signature_states

register = template.Library()


@register.simple_tag
def prior_signature(registration, unit):
    """The unit's signature at the sending centre (a PriorSignature) or None. Read once per registration
    object (two queries for an imported registration, none beyond the passport import for any other)."""
    states = getattr(registration, "_prior_signatures", None)
    if states is None:
        try:
            registration.passport_import  # noqa: B018 - cached on the instance, shared with the page's links
        except PassportImport.DoesNotExist:
            states = {}
        else:
            states = prior_signature_states(registration)
        registration._prior_signatures = states
    return states.get(getattr(unit, "pk", unit))

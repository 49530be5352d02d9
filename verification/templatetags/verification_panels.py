"""Dashboard panels of the verification app, fed by its selectors (no context processor)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("verification/partials/iv_panels.html")
def iv_panels(user):
    return selectors.iv_dashboard(user)


@register.inclusion_tag("verification/partials/centre_admin_panels.html")
def centre_admin_verification_panels(user):
    return selectors.centre_admin_dashboard(user)


@register.inclusion_tag("verification/partials/ev_registrations.html", takes_context=True)
def ev_panels(context, user):
    """The external verifier's dashboard lists what they may read: that page view is logged too."""
    data = selectors.ev_dashboard(user)
    request = context.get("request")
    if request is not None and user.is_authenticated:
        from ..services import ev_page_log

        ev_page_log(
            user=user,
            path=request.get_full_path(),
            view_name="dashboards:external_verifier",
            grant=data["grants"][0] if data["grants"] else None,
        )
    return data

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def evidence_url(item, name="detail"):
    """Link to the evidence app's page for an item ("" until that page exists)."""
    try:
        return reverse(f"evidence:{name}", args=[item.pk])
    except NoReverseMatch:
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.inclusion_tag("assessment/partials/caseload_panel.html", takes_context=True)
def assessor_caseload(context):
    """The caseload table on the assessor dashboard (constant queries, see selectors.caseload_for)."""
    from assessment.selectors import caseload_for, countersign_queue_for

    user = context["request"].user
    rows = caseload_for(user)
    return {
        "rows": rows[:DASHBOARD_CASELOAD_ROWS],
        "count": len(rows),
        "countersign_count": countersign_queue_for(user).count(),
    }


DASHBOARD_CASELOAD_ROWS = 10


@register.inclusion_tag("assessment/partials/registrations_panel.html", takes_context=True)
def centre_registrations(context):
    from assessment.selectors import recent_registrations_administered_by, registrations_administered_by

    user = context["request"].user
    return {
        "count": registrations_administered_by(user).count(),
        "recent": recent_registrations_administered_by(user),
    }


@register.inclusion_tag("assessment/partials/progress_panel.html", takes_context=True)
def candidate_progress(context):
    from assessment.selectors import registration_progress, registrations_of_candidate

    user = context["request"].user
    rows = []
    for registration in registrations_of_candidate(user)[:3]:
        progress = registration_progress(registration)
        rows.append(
            (
                registration,
                sum(p.criteria_met for p in progress),
                sum(p.criteria_total for p in progress),
                sum(1 for p in progress if p.unit_assessment and p.unit_assessment.status == "signed"),
                len(progress),
            )
        )
    return {"rows": rows}


def registration_root(user, registration) -> tuple[str, str]:
    """The top of a registration's trail for this viewer: the candidate's own progress page, or the staff page."""
    if user.pk == registration.candidate_id:
        return (
            f"My progress — {registration.qualification.code}",
            reverse("assessment:progress_detail", args=[registration.pk]),
        )
    return (
        f"{registration.candidate} — {registration.qualification.code}",
        reverse("assessment:registration_detail", args=[registration.pk]),
    )


@register.inclusion_tag("partials/breadcrumbs.html", takes_context=True)
def registration_crumbs(context, registration, here, unit=None):
    """Breadcrumbs from the registration down (issue 17: a way back from every page): registration, the unit
    when there is one, then this page."""
    user = context["request"].user
    crumbs = [registration_root(user, registration)]
    if unit is not None and user.pk != registration.candidate_id:
        crumbs.append(
            (f"Unit {unit.number}", reverse("assessment:unit_matrix", args=[registration.pk, unit.pk]))
        )
    return {"crumbs": crumbs, "here": here}


@register.simple_tag(takes_context=True)
def registration_back_url(context, registration, unit=None):
    """Where a form's Cancel goes: the unit's page when the form is about a unit, else the registration."""
    user = context["request"].user
    if unit is not None and user.pk != registration.candidate_id:
        return reverse("assessment:unit_matrix", args=[registration.pk, unit.pk])
    return registration_root(user, registration)[1]

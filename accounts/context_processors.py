from .models import ROLE_DASHBOARDS, STAFF_ROLES


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "role_dashboards": [], "may_use_two_factor": False}
    held = user.role_set
    return {
        "user_roles": held,
        "role_dashboards": [(role, url) for role, url in ROLE_DASHBOARDS if role in held],
        "may_use_two_factor": bool(held & STAFF_ROLES),
    }

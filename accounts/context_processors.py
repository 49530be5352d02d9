from .models import STAFF_ROLES


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "may_use_two_factor": False}
    held = user.role_set
    return {
        "user_roles": held,
        "may_use_two_factor": bool(held & STAFF_ROLES),
    }

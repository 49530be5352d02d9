from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.models import ROLE_DASHBOARDS
from audit.actions import Action
from audit.models import AnonymousEventKind
from audit.services import anonymous_event_count, audit_record


def home(request):
    """Send each person to the dashboard of their main role."""
    held = request.user.role_set
    for role, url_name in ROLE_DASHBOARDS:
        if role in held:
            return redirect(url_name)
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    """A forged or missing CSRF token: nothing was changed; say so plainly and keep a record.

    A signed-in person's refusal is an audit row; anonymous ones (anybody can send them, in thousands) are
    counted per day instead, so they cannot grow the append-only trail.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_record(
            actor=user,
            action=Action.CSRF_REJECTED,
            details={"path": request.path[:300], "method": request.method, "reason": reason[:200]},
        )
    else:
        anonymous_event_count(kind=AnonymousEventKind.CSRF_REJECTED)
    return render(request, "403_csrf.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponse(
        "<h1>Something went wrong</h1><p>Nothing you submitted was half-saved. Please try again.</p>",
        status=500,
    )

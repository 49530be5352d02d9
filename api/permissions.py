"""Who may call what: a token holding the endpoint's scope. The centre is always the token's."""

from rest_framework import permissions

from .authentication import TokenPrincipal


class HasScope(permissions.BasePermission):
    """The view names `read_scope` (safe methods) and `write_scope` (POST); the token must hold it."""

    message = "This API token does not hold the scope this endpoint needs."

    def has_permission(self, request, view):
        auth = request.auth
        if not isinstance(auth, TokenPrincipal):
            return False
        needed = view.read_scope if request.method in permissions.SAFE_METHODS else view.write_scope
        return needed is not None and needed in auth.scopes

"""Bearer tokens: `Authorization: Bearer <token>`. A revoked token, or one whose maker is no longer a
centre admin there, is refused at once (checked on every request, nothing cached)."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import Membership, Role

from .models import ApiToken

INVALID = "Invalid or revoked API token."


class TokenPrincipal:
    """The request.auth of an API call: the token, its centre and its scopes."""

    def __init__(self, token: ApiToken):
        self.token = token
        self.centre = token.centre
        self.scopes = set(token.scopes)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(INVALID)
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(INVALID) from exc
        token = (
            ApiToken.objects.select_related("centre", "created_by")
            .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if (
            token is None
            or not token.created_by.is_active
            or not Membership.objects.filter(
                user=token.created_by, centre=token.centre, role=Role.CENTRE_ADMIN
            ).exists()
        ):
            raise exceptions.AuthenticationFailed(INVALID)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.created_by, TokenPrincipal(token)

    def authenticate_header(self, request):
        return self.keyword

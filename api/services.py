"""API tokens: made and revoked by a centre admin, audited. The raw token is returned once, never stored."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import centres_of
from audit.actions import Action
from audit.services import audit_record

from .models import ApiToken, Scope

NOT_ADMIN = "Only a centre admin of this centre can manage its API tokens."
NO_SCOPES = "Choose at least one scope: a token with none can do nothing."
ALREADY_REVOKED = "This token was already revoked."


def _check_admin(actor, centre):
    if not centres_of(actor, roles=[Role.CENTRE_ADMIN]).filter(pk=centre.pk).exists():
        raise PermissionDenied(NOT_ADMIN)


@transaction.atomic
def api_token_create(*, actor, centre, name: str, scopes) -> tuple[ApiToken, str]:
    _check_admin(actor, centre)
    scopes = sorted(set(scopes) & set(Scope.values))
    if not scopes:
        raise ValidationError(NO_SCOPES)
    key = "pt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        centre=centre,
        name=name.strip()[:100] or "API token",
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        scopes=scopes,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.API_TOKEN_CREATED,
        obj=token,
        centre=centre,
        details={"name": token.name, "scopes": scopes, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    _check_admin(actor, token.centre)
    if token.revoked_at:
        raise ValidationError(ALREADY_REVOKED)
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action=Action.API_TOKEN_REVOKED,
        obj=token,
        centre=token.centre,
        details={"prefix": token.prefix},
    )
    return token

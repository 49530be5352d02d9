"""Tokens for invitation links: Django's password-reset token machinery, bound to one invitation.

The hash covers the invitation's id, when it was (re)sent and whether it was revoked, plus the
person's password hash and last sign-in: resending, revoking or setting the password each break
every earlier link. The timestamp in the token expires it after settings.INVITATION_VALID_DAYS.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.people.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, invitation, timestamp):
        user = invitation.user
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        sent = invitation.sent_at.replace(microsecond=0, tzinfo=None)
        return (
            f"{invitation.pk}|{sent}|{invitation.revoked_at is not None}|{user.pk}|{user.password}|"
            f"{login}|{user.is_active}|{timestamp}"
        )

    def check_token(self, invitation, token):
        """Like Django's, with the invitation's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (invitation and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(invitation, ts, secret), token):
                break
        else:
            return False
        return self._num_seconds(self._now()) - ts <= settings.INVITATION_VALID_DAYS * 24 * 3600


invitation_token = InvitationTokenGenerator()

"""Credentials follow claims: a new certification claim issues its credentials once the claim commits."""
from django.db import transaction
from django.db.models.signals import post_save

from verification import signals as verification_signals
from verification.models import CertificationClaim

from .services import credentials_for_claims, credentials_revoke_for_claim


def _issue_after_commit(sender, instance, created, **kwargs):
    if not created:
        return

    def issue():
        credentials_for_claims(instance.registration, actor=instance.claimed_by)

    transaction.on_commit(issue)


def _revoke_with_claim(sender, claim, **kwargs):
    credentials_revoke_for_claim(claim)  # inside the cancellation's own transaction


def connect():
    post_save.connect(_issue_after_commit, sender=CertificationClaim, dispatch_uid="portability.claim_credentials")
    verification_signals.claim_cancelled.connect(_revoke_with_claim, dispatch_uid="portability.claim_cancelled")

"""Credentials follow claims: a new certification claim issues its credentials once the claim commits."""
from django.db import transaction
from django.db.models.signals import post_save

from verification.models import CertificationClaim

from .services import credentials_for_claims


def _issue_after_commit(sender, instance, created, **kwargs):
    if not created:
        return

    def issue():
        credentials_for_claims(instance.registration, actor=instance.claimed_by)

    transaction.on_commit(issue)


def connect():
    post_save.connect(_issue_after_commit, sender=CertificationClaim, dispatch_uid="portability.claim_credentials")

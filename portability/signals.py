"""Credentials follow claims: a new certification claim issues its credentials once the claim commits. A unit
signed at a sending centre that arrived open (a decision of it not imported, or the transferred unit rejected
here) and is then signed off here gets an audit row naming both signatures (provenance)."""

from django.db import transaction
from django.db.models.signals import post_save

from assessment.models import UnitSignOff
from audit.actions import Action
from audit.services import audit_record
from verification import signals as verification_signals
from verification.models import CertificationClaim

from .models import PriorUnit
from .services import credentials_for_claims, credentials_revoke_for_claim


def _issue_after_commit(sender, instance, created, **kwargs):
    if not created:
        return

    def issue():
        credentials_for_claims(instance.registration, actor=instance.claimed_by)

    transaction.on_commit(issue)


def _revoke_with_claim(sender, claim, **kwargs):
    credentials_revoke_for_claim(claim)  # inside the cancellation's own transaction


def _record_re_signature(sender, instance, created, **kwargs):
    """Inside the sign-off's own transaction: the receiving assessor's signature, beside the original one."""
    if not created:
        return
    ua = instance.unit_assessment
    prior = (
        PriorUnit.objects.filter(passport_import__registration_id=ua.registration_id, unit_id=ua.unit_id)
        .select_related("passport_import", "unit")
        .first()
    )
    if prior is None or not prior.signed_at_source:
        return
    original = prior.source_sign_off
    audit_record(
        actor=instance.assessor,
        action=Action.PORTABILITY_UNIT_RE_SIGNED,
        obj=prior,
        centre=prior.passport_import.registration.centre,
        details={
            "unit": prior.unit.ref,
            "round": instance.round,
            "re_signed_by": instance.assessor.username,
            "from_centre": prior.passport_import.source_centre_number,
            "original": {
                k: original.get(k)
                for k in ("signer", "signed_at", "round", "countersigned_by", "statement", "content_sha256")
            },
        },
    )


def connect():
    post_save.connect(_record_re_signature, sender=UnitSignOff, dispatch_uid="portability.unit_re_signed")
    post_save.connect(
        _issue_after_commit, sender=CertificationClaim, dispatch_uid="portability.claim_credentials"
    )
    verification_signals.claim_cancelled.connect(
        _revoke_with_claim, dispatch_uid="portability.claim_cancelled"
    )

"""Signals higher apps connect to (portability revokes a cancelled claim's credentials)."""

from django.dispatch import Signal

# Sent inside the cancelling transaction with sender=CertificationClaim, claim=the cancelled claim.
claim_cancelled = Signal()

"""Writes for portability: passport exports, credential issue and revocation. Atomic and audited."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import centres_of
from audit.actions import Action
from audit.dates import DATE
from audit.services import audit_record
from qualifications.models import AssessmentCriterion, Unit
from verification.models import CertificationClaim

from . import credentials, keys, passport
from .models import IssuedCredential

NOT_ADMIN = "Only a centre admin of the candidate's centre can do this."
UNIT_NOT_CLAIMED = "Unit {ref} is not in this claim: a credential is issued only for what was claimed."
ALREADY_REVOKED = "This credential was already revoked on {date}."
CLAIM_NOT_STANDING = "This claim was cancelled: it gives no credential."
REVOKED_WITH_CLAIM = "The claim was cancelled: {reason}"
REVOKE_NEEDS_REASON = "Say why the credential is revoked: the reason is kept with the revocation."


def _is_admin(user, centre) -> bool:
    return centres_of(user, roles=[Role.CENTRE_ADMIN]).filter(pk=centre.pk).exists()


def passport_export(*, registration, actor, target) -> dict:
    """Write the registration's signed passport to target; audited (who exported whose portfolio, its hash)."""
    if actor is not None and not _is_admin(actor, registration.centre):
        raise PermissionDenied(NOT_ADMIN)
    manifest = passport.write_passport(registration, target)
    audit_record(
        actor=actor or "manage.py export_passport",
        action=Action.PORTABILITY_PASSPORT_EXPORTED,
        obj=registration,
        centre=registration.centre,
        details={
            "evidence": len(manifest["evidence"]),
            "mappings": len(manifest["mappings"]),
            "files": len(manifest["files"]),
        },
    )
    return manifest


def _claims_of(registration):
    return CertificationClaim.objects.filter(registration=registration)


@transaction.atomic
def credential_issue(*, claim, actor, unit: Unit | None = None) -> IssuedCredential:
    """The credential for one claimed unit (unit given) or for the claimed qualification; made once."""
    registration = claim.registration
    if unit is None:
        existing = IssuedCredential.objects.filter(claim=claim, unit__isnull=True).first()
    else:
        if unit.ref not in (claim.units or []):
            raise ValidationError(UNIT_NOT_CLAIMED.format(ref=unit.ref))
        existing = IssuedCredential.objects.filter(claim=claim, unit=unit).first()
    if existing:
        return existing
    if unit is None and claim.kind != CertificationClaim.Kind.FULL:
        raise ValidationError("A qualification credential needs a full claim.")
    if claim.status != CertificationClaim.Status.SUBMITTED:
        raise ValidationError(CLAIM_NOT_STANDING)
    key_row = keys.centre_key(registration.centre)
    now = timezone.now()
    row = IssuedCredential(
        centre=registration.centre,
        registration=registration,
        claim=claim,
        unit=unit,
        issued_at=now,
        document={},
    )
    if unit is None:
        achievement = credentials.achievement_for_qualification(registration.qualification, claim.credits)
    else:
        criteria = AssessmentCriterion.objects.filter(unit=unit).order_by("outcome__number", "number")
        achievement = credentials.achievement_for_unit(unit, registration.qualification, criteria)
    document = credentials.build_credential(
        key_row=key_row,
        candidate=registration.candidate,
        achievement=achievement,
        credential_uuid=row.uuid,
        issued_at=now,
    )
    row.document = credentials.sign_credential(document, key_row, created=now)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # issued by a concurrent request
        return (
            IssuedCredential.objects.get(claim=claim, unit=unit)
            if unit
            else IssuedCredential.objects.get(claim=claim, unit__isnull=True)
        )
    audit_record(
        actor=actor,
        action=Action.PORTABILITY_CREDENTIAL_ISSUED,
        obj=row,
        centre=registration.centre,
        details={"claim": claim.pk, "unit": unit.ref if unit else None, "credential": str(row.uuid)},
    )
    return row


@transaction.atomic
def credential_revoke(*, credential: IssuedCredential, actor, reason: str) -> IssuedCredential:
    row = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
    if not _is_admin(actor, row.centre):
        raise PermissionDenied(NOT_ADMIN)
    if row.revoked_at:
        raise ValidationError(ALREADY_REVOKED.format(date=f"{timezone.localtime(row.revoked_at):{DATE}}"))
    if not reason.strip():
        raise ValidationError(REVOKE_NEEDS_REASON)
    row.revoked_at, row.revoked_by, row.revocation_reason = timezone.now(), actor, reason.strip()
    row.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    audit_record(
        actor=actor,
        action=Action.PORTABILITY_CREDENTIAL_REVOKED,
        obj=row,
        centre=row.centre,
        details={"credential": str(row.uuid), "reason": row.revocation_reason},
    )
    return row


def credentials_for_claims(registration, *, actor):
    """Issue (once) every credential the registration's standing claims give: one per claimed unit (unit and
    exit claims alike), one per full claim. Cancelled claims give none."""
    claims = list(_claims_of(registration).filter(status=CertificationClaim.Status.SUBMITTED))
    units = {u.ref: u for u in Unit.objects.filter(ref__in={ref for c in claims for ref in c.units})}
    issued = []
    for claim in claims:
        for ref in claim.units:
            if ref in units:
                issued.append(credential_issue(claim=claim, actor=actor, unit=units[ref]))
        if claim.kind == CertificationClaim.Kind.FULL:
            issued.append(credential_issue(claim=claim, actor=actor))
    return issued


CREDENTIAL_NO_EMAIL = "{name} has no email address: add one, or download the credential and hand it over."


def credential_email(*, credential: IssuedCredential, actor) -> None:
    """Email the credential (as a JSON attachment) to the candidate, after the audit row commits."""
    if not _is_admin(actor, credential.centre):
        raise PermissionDenied(NOT_ADMIN)
    candidate = credential.registration.candidate
    if not candidate.email:
        raise ValidationError(
            CREDENTIAL_NO_EMAIL.format(name=candidate.get_full_name() or candidate.username)
        )
    name = credential.document.get("name", "your achievement")
    message = EmailMessage(
        subject=f"Your Open Badges credential: {name}",
        body=(
            f"Attached is the Open Badges 3.0 credential that {credential.centre.name} issued for {name}.\n"
            "Keep it in any Open Badges wallet, or share it: anyone can check it at "
            f"{settings.SITE_URL}/credentials/verify/.\n"
        ),
        to=[candidate.email],
    )
    message.attach(
        f"credential-{credential.uuid}.json", json.dumps(credential.document, indent=2), "application/json"
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.PORTABILITY_CREDENTIAL_EMAILED,
            obj=credential,
            centre=credential.centre,
            details={"credential": str(credential.uuid), "to": candidate.email},
        )
        transaction.on_commit(message.send)


@transaction.atomic
def credentials_revoke_for_claim(claim) -> int:
    """A cancelled claim revokes every credential it gave (audited once per credential)."""
    reason = REVOKED_WITH_CLAIM.format(reason=claim.cancel_reason or "no reason recorded")
    rows = list(IssuedCredential.objects.select_for_update().filter(claim=claim, revoked_at__isnull=True))
    now = timezone.now()
    for row in rows:
        row.revoked_at, row.revocation_reason = now, reason
        row.save(update_fields=["revoked_at", "revocation_reason"])
        audit_record(
            actor="claim cancelled",
            action=Action.PORTABILITY_CREDENTIAL_REVOKED,
            obj=row,
            centre=row.centre,
            details={"credential": str(row.uuid), "reason": reason, "claim": claim.pk},
        )
    return len(rows)

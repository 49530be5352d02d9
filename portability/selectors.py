"""Reads for portability. Which registrations and claims a person may see comes from the lower apps' selectors."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Centre, Role
from accounts.selectors import centres_of
from assessment.models import UnitAssessment
from assessment.selectors import registrations_administered_by, registrations_visible_to
from audit.dates import DATE

from .models import CentreKey, IssuedCredential, PassportImport, PriorUnit


def passport_registrations_for(user):
    """Registrations whose passport this person may export: the centre admin's."""
    return registrations_administered_by(user)


def credentials_visible_to(user) -> QuerySet[IssuedCredential]:
    """The candidate's own credentials; every credential of the registrations a centre admin runs."""
    if not user.is_authenticated:
        return IssuedCredential.objects.none()
    admin_regs = registrations_administered_by(user).values("pk")
    own_regs = registrations_visible_to(user).filter(candidate=user).values("pk")
    return IssuedCredential.objects.filter(registration__in=admin_regs) | IssuedCredential.objects.filter(
        registration__in=own_regs
    )


def published_key(centre_number: str) -> str | None:
    """The public key this site publishes for a centre, or None if it holds none."""
    return CentreKey.objects.filter(centre__number=centre_number).values_list("public_key", flat=True).first()


def public_centre(number: str):
    return Centre.objects.filter(number=number).first()


def credential_revoked(credential_id: str) -> bool | None:
    """True / False for a credential this site issued; None for one it does not know."""
    raw = credential_id.removeprefix("urn:uuid:")
    try:
        row = IssuedCredential.objects.filter(uuid=raw).only("revoked_at").first()
    except Exception:  # noqa: BLE001 - a malformed id is simply not one of ours
        return None
    return None if row is None else row.is_revoked


def admin_centre(user):
    """The centre a centre admin imports into (the first they administer)."""
    centre = centres_of(user, roles=[Role.CENTRE_ADMIN]).order_by("pk").first()
    if centre is None:
        raise Http404
    return centre


def import_registrations_for(user):
    """Imported registrations whose provenance this person may read: the registration's staff."""
    return registrations_visible_to(user).exclude(candidate=user)


def import_for(user, registration_pk) -> PassportImport:
    record = (
        PassportImport.objects.filter(
            registration__in=import_registrations_for(user).values("pk"), registration_id=registration_pk
        )
        .select_related("registration__candidate", "registration__qualification", "imported_by")
        .first()
    )
    if record is None:
        raise Http404
    return record


@dataclass(frozen=True)
class PriorSignature:
    """A unit signed at the sending centre and what became of that signature here: the unit arrived signed with
    it (transferred: it stays signed, shown with the original signature), or arrived open (a decision not
    imported, or its prior evidence rejected) and may have been signed off here since."""

    prior_unit: PriorUnit
    source_centre: str
    signer: str
    signed_on: date | None
    unit_assessment: UnitAssessment | None

    @property
    def transferred(self) -> bool:
        return self.unit_assessment is not None and self.unit_assessment.is_transferred

    @property
    def signed_here(self) -> bool:
        ua = self.unit_assessment
        return ua is not None and ua.status == UnitAssessment.Status.SIGNED and ua.signed_by_id is not None

    @property
    def text(self) -> str:
        ua = self.unit_assessment
        if self.transferred:
            return f"{ua.transfer_signature_text}; {ua.transfer_state_text}"
        there = (
            f"Signed at {self.source_centre} on {self.signed_on:{DATE}} by {self.signer}"
            if self.signed_on
            else f"Signed at {self.source_centre} by {self.signer}"
        )
        if self.signed_here:
            name = ua.signed_by.get_full_name() or ua.signed_by.username
            return f"{there}; signed off here by {name} on {timezone.localtime(ua.signed_at):{DATE}}"
        why = (
            "its prior evidence was rejected"
            if self.prior_unit.status == PriorUnit.Status.REJECTED
            else "not every decision of it was imported"
        )
        return f"{there}; it is open here ({why}) and is signed off here once assessed"


def prior_signature_states(registration) -> dict[int, PriorSignature]:
    """{unit id: PriorSignature} for the registration's imported units that were signed at the sending centre.
    Two queries, whatever the number of units."""
    priors = [
        p
        for p in PriorUnit.objects.filter(passport_import__registration=registration).select_related(
            "passport_import"
        )
        if p.signed_at_source
    ]
    if not priors:
        return {}
    uas = {
        ua.unit_id: ua
        for ua in UnitAssessment.objects.filter(
            registration=registration, unit_id__in=[p.unit_id for p in priors]
        ).select_related("signed_by", "transfer_confirmed_by")
    }
    return {
        prior.unit_id: PriorSignature(
            prior_unit=prior,
            source_centre=(
                f"{prior.passport_import.source_centre_name} ({prior.passport_import.source_centre_number})"
            ),
            signer=prior.source_sign_off.get("signer") or "the sending centre's assessor",
            signed_on=prior.source_signed_on,
            unit_assessment=uas.get(prior.unit_id),
        )
        for prior in priors
    }

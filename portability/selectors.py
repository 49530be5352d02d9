"""Reads for portability. Which registrations and claims a person may see comes from the lower apps' selectors."""
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Centre, Role
from accounts.selectors import centres_of
from assessment.selectors import registrations_administered_by, registrations_visible_to

from .models import CentreKey, IssuedCredential, PassportImport


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
        registration__in=own_regs)


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
    record = (PassportImport.objects.filter(registration__in=import_registrations_for(user).values("pk"),
                                            registration_id=registration_pk)
              .select_related("registration__candidate", "registration__qualification", "imported_by").first())
    if record is None:
        raise Http404
    return record

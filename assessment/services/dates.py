"""The dates the handbooks state: the registration period, the last registration and certification dates, and their extensions."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.actions import Action
from audit.services import audit_record

from .. import permissions
from ..models import Registration
from .common import _raise, _refuse_if_closed
from .messages import (
    CLAIM_AFTER_LAST_DATE,
    EXTENSION_DATE_NOT_LATER,
    EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK,
    EXTENSION_KIND_UNKNOWN,
    EXTENSION_NO_DATE,
    EXTENSION_REASON_REQUIRED,
    EXTENSION_REFERENCE_REQUIRED,
    NOT_CENTRE_ADMIN,
    REGISTRATION_AFTER_LAST_DATE,
    REGISTRATION_ENDED,
)


def _today() -> date:
    return timezone.localdate()


def _refuse_if_past_end(registration):
    """Mapping and sign-off after the registration's end are refused (4411: "Qualification registration is
    valid for 36 months"); a centre admin's extension moves the end."""
    if registration.expires_on and registration.expires_on < _today():
        months = registration.qualification.registration_period_months
        period = (
            f" ({registration.qualification.code} registration is valid for {months} months)"
            if months
            else ""
        )
        _raise(REGISTRATION_ENDED, date=registration.expires_on, period=period)


def last_date(centre, qualification, kind) -> date | None:
    """The qualification's last registration / certification date for this centre: the handbook's, or the
    latest awarding-body extension the centre recorded."""
    from ..models import AwardingBodyExtension

    printed = (
        qualification.last_registration_date
        if kind == AwardingBodyExtension.Kind.REGISTRATION
        else qualification.last_certification_date
    )
    if printed is None:
        return None
    extension = (
        AwardingBodyExtension.objects.filter(centre=centre, qualification=qualification, kind=kind)
        .order_by("-new_date")
        .first()
    )
    return max(printed, extension.new_date) if extension else printed


def date_problem(centre, qualification, kind, day: date) -> str | None:
    """Why `day` is past the qualification's last registration / certification date, or None."""
    from ..models import AwardingBodyExtension

    last = last_date(centre, qualification, kind)
    if last is None or day <= last:
        return None
    message = (
        REGISTRATION_AFTER_LAST_DATE
        if kind == AwardingBodyExtension.Kind.REGISTRATION
        else CLAIM_AFTER_LAST_DATE
    )
    return message.format(
        code=qualification.code,
        day=day,
        last=last,
        source=qualification.dates_source or qualification.source or "the handbook",
    )


@transaction.atomic
def registration_extend(*, registration, actor, new_expires_on: date, reason: str):
    """A centre admin moves a registration's end, with a reason; audited, kept as a RegistrationExtension."""
    from ..models import RegistrationExtension

    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not permissions.is_centre_admin(actor, registration.centre_id):
        _raise(NOT_CENTRE_ADMIN)
    _refuse_if_closed(registration)
    reason = (reason or "").strip()
    if not reason:
        _raise(EXTENSION_REASON_REQUIRED)
    if registration.expires_on and new_expires_on <= registration.expires_on:
        _raise(EXTENSION_DATE_NOT_LATER, date=registration.expires_on)
    extension = RegistrationExtension.objects.create(
        registration=registration,
        previous_expires_on=registration.expires_on,
        new_expires_on=new_expires_on,
        reason=reason,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    previous = registration.expires_on
    registration.expires_on = new_expires_on
    registration.save(update_fields=["expires_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.REGISTRATION_EXTENDED,
        obj=registration,
        centre=registration.centre,
        details={"from": previous, "to": new_expires_on, "reason": reason},
    )
    return extension


@transaction.atomic
def awarding_body_extension_record(
    *, centre, qualification, actor, kind: str, reference: str, new_date: date
):
    """A centre admin records the awarding body's extension of a last registration / certification date."""
    from ..models import AwardingBodyExtension

    if not permissions.is_centre_admin(actor, centre.pk):
        _raise(NOT_CENTRE_ADMIN)
    if kind not in AwardingBodyExtension.Kind.values:
        _raise(EXTENSION_KIND_UNKNOWN)
    reference = (reference or "").strip()
    if not reference:
        _raise(EXTENSION_REFERENCE_REQUIRED)
    printed = (
        qualification.last_registration_date
        if kind == AwardingBodyExtension.Kind.REGISTRATION
        else qualification.last_certification_date
    )
    if printed is None:
        _raise(
            EXTENSION_NO_DATE, code=qualification.code, what=AwardingBodyExtension.Kind(kind).label.lower()
        )
    if new_date <= printed:
        _raise(EXTENSION_DATE_NOT_LATER_THAN_HANDBOOK, last=printed)
    extension = AwardingBodyExtension(
        centre=centre,
        qualification=qualification,
        kind=kind,
        reference=reference,
        new_date=new_date,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    extension.full_clean()
    extension.save()
    audit_record(
        actor=actor,
        action=Action.AWARDING_BODY_EXTENSION_RECORDED,
        obj=extension,
        centre=centre,
        details={
            "qualification": qualification.code,
            "kind": kind,
            "reference": reference,
            "new_date": new_date,
            "handbook_date": printed,
        },
    )
    return extension

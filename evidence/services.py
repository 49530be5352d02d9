"""Writes for the portfolio: each change validated, saved and audited in one transaction.

Files are checked (sniffing.inspect) and written to storage under a random key *before* the row is
created; if anything after that fails, the stored file is deleted again, so a failed upload leaves
neither a row nor an orphan file.
"""

import errno
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Role
from audit.actions import Action
from audit.dates import not_in_future
from audit.services import audit_record

from . import confirmations, revisions, scanning, sniffing
from .models import AUTHENTICITY_DECLARATION, EvidenceItem, Witness, WitnessTestimony, evidence_storage_key

logger = logging.getLogger(__name__)

ERR_DECLARATION = "Tick the declaration to confirm that the evidence provided is a result of your own work."
ERR_LOCKED = (
    "Your assessor has already used this evidence, so it can no longer be changed or deleted. "
    "Submit a correction instead: it becomes a new version and the original is kept."
)
ERR_NOT_LOCKED = "This evidence has not been used yet: edit it directly instead of submitting a correction."
ERR_DELETED = "This evidence has been deleted."
ERR_NOT_YOURS = "Only the candidate who submitted this evidence can change it."
ERR_STATEMENT_EMPTY = "Type your statement or reflective account, or upload a file instead."
ERR_UNITS_NOT_YOURS = "Choose units from your own registrations only."
ERR_CRITERIA_NOT_YOURS = "Choose assessment criteria from the units of your own registrations only."
ERR_WITNESS_NEEDS_STATEMENT = (
    "Give the witness's statement as text, or upload the signed statement (or both)."
)
ERR_WITNESS_NOT_YOURS = "Choose one of your own witnesses."
ERR_NEWER_VERSION = "A newer version of this evidence exists: open the newest version and correct that one."
ERR_NO_FILE = "Choose at least one file to upload."
ERR_FUTURE_DATE = (
    "The date of the activity is in the future: the activity must have happened already. Give the "
    "day it took place (dd/mm/yyyy)."
)
ERR_WRONG_CATEGORY = (
    "“{name}” is {found}: only {allowed} can be attached here. Upload the right file instead."
)
ERR_WITNESS_FROZEN = (
    "Your assessor has already used testimony from {name}, so this witness can no longer be "
    "changed: the assessment relied on these details. If they were wrong, tell your assessor; "
    "for a different person, add a new witness."
)
ERR_STAFF_NOT_IN_CENTRE = "Only staff of the candidate's centre can add evidence to their portfolio."
ERR_STORAGE_FULL = (
    "“{name}” could not be saved: the server's file storage is full. Nothing was saved. Try again "
    "later; tell your centre if it keeps happening."
)
ERR_STORAGE_READ_ONLY = (
    "“{name}” could not be saved: the server's file storage is not accepting new files just "
    "now. Nothing was saved. Try again later; tell your centre if it keeps happening."
)
ERR_STORAGE_FAILED = (
    "“{name}” could not be saved because of a problem with the server's file storage. Nothing was "
    "saved. Try again later; tell your centre if it keeps happening."
)
STORAGE_ERRORS = {
    errno.ENOSPC: ERR_STORAGE_FULL,
    errno.EDQUOT: ERR_STORAGE_FULL,
    errno.EROFS: ERR_STORAGE_READ_ONLY,
}


class StorageUnavailable(sniffing.FileRefused):
    """The file was fine but could not be stored (disk full, read-only...); str(exc) is the message."""


CATEGORY_NAMES = {
    sniffing.DOCUMENT: "a document",
    sniffing.IMAGE: "an image",
    sniffing.AUDIO: "an audio recording",
    sniffing.VIDEO: "a video",
}
CATEGORY_PLURALS = {
    sniffing.DOCUMENT: "documents",
    sniffing.IMAGE: "images",
    sniffing.AUDIO: "audio recordings",
    sniffing.VIDEO: "videos",
}

PREVIEWABLE = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
KIND_FOR_CATEGORY = {
    sniffing.IMAGE: EvidenceItem.Kind.PHOTO,
    sniffing.VIDEO: EvidenceItem.Kind.VIDEO,
    sniffing.AUDIO: EvidenceItem.Kind.AUDIO,
    sniffing.DOCUMENT: EvidenceItem.Kind.WORK_PRODUCT,
}
EDITABLE_FIELDS = ("title", "description", "activity_date", "kind", "context", "statement_text")


@dataclass
class EvidenceDetails:
    """What the candidate says about an item (the upload and edit forms fill this)."""

    title: str = ""
    description: str = ""
    activity_date: object = None
    kind: str = ""
    context: str = EvidenceItem.Context.REAL_WORK
    statement_text: str = ""
    units: list = field(default_factory=list)


@dataclass
class StoredFile:
    name: str
    original_name: str
    size: int
    sha256: str
    content_type: str
    category: str
    virus_scan: str = EvidenceItem.VirusScan.NOT_SCANNED


def _check_units(candidate, units):
    from .selectors import candidate_units

    allowed = set(candidate_units(candidate).values_list("pk", flat=True))
    if any(unit.pk not in allowed for unit in units):
        raise ValidationError({"units": ERR_UNITS_NOT_YOURS})


def _digest(upload) -> tuple[int, str]:
    if getattr(upload, "sha256", None) and upload.size:
        return upload.size, upload.sha256
    hasher, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        hasher.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return size, hasher.hexdigest()


def upload_limits() -> sniffing.Limits:
    return sniffing.Limits(
        max_image_pixels=settings.EVIDENCE_MAX_IMAGE_PIXELS,
        max_uncompressed_size=settings.EVIDENCE_MAX_UNCOMPRESSED_SIZE,
    )


def evidence_file_store(*, upload, name: str | None = None, categories=None) -> StoredFile:
    """Check an uploaded file and write it to storage under a random key. Raises sniffing.FileRefused.

    `categories` narrows the allowlist (e.g. a recording must be audio or video).
    The caller owns the stored file until a row points at it: on failure call evidence_file_discard.
    """
    name = name or getattr(upload, "original_name", None) or upload.name
    sniffing.check_name(name)
    size, sha256 = _digest(upload)
    sniffing.check_size(name, size, settings.EVIDENCE_MAX_FILE_SIZE)
    path = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else None
    sniffed = sniffing.inspect(upload, name, path=path, limits=upload_limits())
    if categories is not None and sniffed.category not in categories:
        raise sniffing.FileRefused(
            ERR_WRONG_CATEGORY.format(
                name=sniffing.display_name(name),
                found=CATEGORY_NAMES[sniffed.category],
                allowed=" or ".join(CATEGORY_PLURALS[c] for c in categories),
            )
        )
    virus_scan = scanning.scan(upload, name)  # raises FileRefused when clamd finds something
    upload.content_type = sniffed.content_type  # S3 stores this as the object's Content-Type
    key = evidence_storage_key(None, name)
    try:
        saved = default_storage.save(key, upload, max_length=300)
    except OSError as exc:
        evidence_file_discard(key)  # a partial file on a full disk
        logger.error("Could not store evidence file %s (%s): %s", key, sniffing.display_name(name), exc)
        message = STORAGE_ERRORS.get(exc.errno, ERR_STORAGE_FAILED)
        raise StorageUnavailable(message.format(name=sniffing.display_name(name))) from exc
    except BaseException:
        evidence_file_discard(key)
        raise
    return StoredFile(
        name=saved,
        original_name=name,
        size=size,
        sha256=sha256,
        content_type=sniffed.content_type,
        category=sniffed.category,
        virus_scan=virus_scan,
    )


def evidence_file_discard(name: str) -> None:
    try:
        if name and default_storage.exists(name):
            default_storage.delete(name)
    except Exception:  # noqa: BLE001 - cleanup must never hide the original error
        logger.warning("Could not remove stored evidence file %s", name, exc_info=True)


def _existing_submission(candidate, token):
    if not token:
        return None
    return EvidenceItem.objects.filter(candidate=candidate, submission_token=token).first()


def _enqueue_preview(item):
    if item.content_type in PREVIEWABLE:
        from .tasks import evidence_make_preview

        transaction.on_commit(lambda: evidence_make_preview.enqueue(item.pk))


def _apply_stored(item: EvidenceItem, stored: StoredFile) -> None:
    item.file.name = stored.name
    item.original_name = stored.original_name
    item.size, item.sha256, item.content_type = stored.size, stored.sha256, stored.content_type
    item.virus_scan = stored.virus_scan


def _create(
    *,
    candidate,
    centre,
    details: EvidenceDetails,
    declared: bool,
    token: str,
    stored: StoredFile | None,
    action: str,
    previous=None,
    copy_from=None,
    after_create=None,
):
    """Create one item (and whatever after_create adds) atomically; on any failure discard the file."""
    try:
        with transaction.atomic():
            item = EvidenceItem(
                centre=centre,
                candidate=candidate,
                title=details.title.strip(),
                description=details.description,
                activity_date=details.activity_date,
                kind=details.kind
                or (KIND_FOR_CATEGORY[stored.category] if stored else EvidenceItem.Kind.STATEMENT),
                context=details.context or EvidenceItem.Context.REAL_WORK,
                statement_text=details.statement_text,
                authenticity_confirmed_at=timezone.now(),
                submission_token=token or "",
                previous_version=previous,
                version=(previous.version + 1) if previous else 1,
            )
            if stored:
                _apply_stored(item, stored)
                if not item.title:
                    item.title = stored.original_name.rsplit(".", 1)[0][:200]
            elif copy_from is not None and copy_from.file:
                # A correction without a new file keeps pointing at the same stored object.
                item.file.name = copy_from.file.name
                item.original_name, item.size = copy_from.original_name, copy_from.size
                item.sha256, item.content_type = copy_from.sha256, copy_from.content_type
                item.virus_scan = copy_from.virus_scan
                item.preview.name = copy_from.preview.name if copy_from.preview else None
            item.full_clean(exclude=["file", "preview"])
            item.save()
            item.units.set(details.units)
            if after_create is not None:
                after_create(item)
            audit_record(
                actor=candidate,
                action=action,
                obj=item,
                details={
                    "title": item.title,
                    "kind": item.kind,
                    "original_name": item.original_name,
                    "size": item.size,
                    "sha256": item.sha256,
                    "content_type": item.content_type,
                    "virus_scan": item.virus_scan,
                    "units": [u.ref for u in details.units],
                    "version": item.version,
                    "previous_version": previous.pk if previous else None,
                    "declaration": AUTHENTICITY_DECLARATION,
                    "declared_at": item.authenticity_confirmed_at,
                },
            )
    except BaseException:
        if stored:
            evidence_file_discard(stored.name)
        raise
    if stored:
        _enqueue_preview(item)
    return item


def check_activity_date(day) -> None:
    """Evidence records something that happened: its activity date is today at the latest (the centre's day)."""
    not_in_future(day, ERR_FUTURE_DATE, field="activity_date")


def _validate_common(*, candidate, details, declared):
    if not declared:
        raise ValidationError({"declaration": ERR_DECLARATION})
    check_activity_date(details.activity_date)
    _check_units(candidate, details.units)


def evidence_upload(
    *, candidate, centre, upload, details: EvidenceDetails, declared: bool, token: str = ""
) -> tuple[EvidenceItem, bool]:
    """One uploaded file becomes one evidence item. Returns (item, created).

    A repeated submission (same token) returns the item the first one created and stores nothing.
    Raises ValidationError or sniffing.FileRefused (both carry the message to show).
    """
    existing = _existing_submission(candidate, token)
    if existing is not None:
        return existing, False
    _validate_common(candidate=candidate, details=details, declared=declared)
    stored = evidence_file_store(upload=upload)
    try:
        return _create(
            candidate=candidate,
            centre=centre,
            details=details,
            declared=declared,
            token=token,
            stored=stored,
            action=Action.EVIDENCE_UPLOADED,
        ), True
    except IntegrityError:
        # A concurrent double submit won the race on the token: that one's item is the answer.
        existing = _existing_submission(candidate, token)
        if existing is None:
            raise
        return existing, False


def evidence_statement_create(
    *, candidate, centre, details: EvidenceDetails, declared: bool, token: str = ""
) -> tuple[EvidenceItem, bool]:
    """A typed candidate statement / reflective account: evidence without a file."""
    existing = _existing_submission(candidate, token)
    if existing is not None:
        return existing, False
    if not details.statement_text.strip():
        raise ValidationError({"statement_text": ERR_STATEMENT_EMPTY})
    _validate_common(candidate=candidate, details=details, declared=declared)
    details.kind = details.kind or EvidenceItem.Kind.STATEMENT
    try:
        return _create(
            candidate=candidate,
            centre=centre,
            details=details,
            declared=declared,
            token=token,
            stored=None,
            action=Action.EVIDENCE_STATEMENT_CREATED,
        ), True
    except IntegrityError:
        existing = _existing_submission(candidate, token)
        if existing is None:
            raise
        return existing, False


def evidence_staff_create(
    *, actor, candidate, centre, details: EvidenceDetails, upload=None, categories=None, after_create=None
) -> EvidenceItem:
    """Evidence that centre staff put into a candidate's portfolio: an assessor's observation, questioning or
    professional discussion record, with an optional file (the recording).

    The file takes the candidates' path exactly (name, size and content checks, SHA-256, a random storage key);
    `categories` narrows what may be attached. There is no candidate declaration (the candidate did not make
    it), and the item is locked at once: an assessor made it, so the candidate cannot change it.
    `after_create(item)` runs in the same transaction (the assessment record and its mappings): if anything
    fails, nothing is saved and the stored file is removed again. Raises ValidationError or FileRefused.
    """
    staff_roles = [Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]
    if not Membership.objects.filter(user=actor, centre=centre, role__in=staff_roles).exists():
        raise ValidationError(ERR_STAFF_NOT_IN_CENTRE)
    stored = evidence_file_store(upload=upload, categories=categories) if upload is not None else None
    try:
        with transaction.atomic():
            now = timezone.now()
            item = EvidenceItem(
                centre=centre,
                candidate=candidate,
                title=details.title.strip(),
                description=details.description,
                activity_date=details.activity_date,
                kind=details.kind,
                context=details.context or EvidenceItem.Context.REAL_WORK,
                statement_text=details.statement_text,
                locked_at=now,
            )
            if stored:
                _apply_stored(item, stored)
            item.full_clean(exclude=["file", "preview"])
            item.save()
            item.units.set(details.units)
            audit_record(
                actor=actor,
                action=Action.EVIDENCE_ADDED_BY_STAFF,
                obj=item,
                details={
                    "candidate": candidate.username,
                    "title": item.title,
                    "kind": item.kind,
                    "original_name": item.original_name,
                    "size": item.size,
                    "sha256": item.sha256,
                    "content_type": item.content_type,
                    "virus_scan": item.virus_scan,
                },
            )
            if after_create is not None:
                after_create(item)
    except BaseException:
        if stored:
            evidence_file_discard(stored.name)
        raise
    if stored:
        _enqueue_preview(item)
    return item


def _check_changeable(item, actor):
    if item.candidate_id != actor.pk:
        raise ValidationError(ERR_NOT_YOURS)
    if item.deleted_at is not None:
        raise ValidationError(ERR_DELETED)
    if item.locked_at is not None:
        raise ValidationError(ERR_LOCKED)


@transaction.atomic
def evidence_update(*, item: EvidenceItem, actor, details: EvidenceDetails) -> EvidenceItem:
    """The candidate edits an item nobody has used yet. A change of content starts a new revision (the old one
    is kept), so an assessor who opened the item before the edit cannot decide on it unawares."""
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    _check_changeable(item, actor)
    before = revisions.evidence_content(item)
    check_activity_date(details.activity_date)
    _check_units(actor, details.units)
    if item.kind == EvidenceItem.Kind.STATEMENT and not details.statement_text.strip():
        raise ValidationError({"statement_text": ERR_STATEMENT_EMPTY})
    changes = {}
    for name in EDITABLE_FIELDS:
        new = getattr(details, name)
        if name == "kind" and not new:
            continue
        if getattr(item, name) != new:
            changes[name] = [getattr(item, name), new]
            setattr(item, name, new)
    old_units = {u.ref for u in item.units.all()}
    new_units = {u.ref for u in details.units}
    if old_units != new_units:
        changes["units"] = [sorted(old_units), sorted(new_units)]
    item.full_clean(exclude=["file", "preview"])
    if revisions.evidence_content(item) != before:
        revisions.evidence_revision_keep(item, before, now=timezone.now())
        _void_witness_confirmation(item, actor)
    item.save()
    item.units.set(details.units)
    audit_record(
        actor=actor,
        action=Action.EVIDENCE_UPDATED,
        obj=item,
        details={"changes": changes, "revision": item.revision},
    )
    return item


def _void_witness_confirmation(item, actor):
    """The candidate changed testimony the witness had confirmed: it no longer says what they confirmed, so it
    is unconfirmed again (the signature record stays, and verify_signature shows what changed)."""
    testimony = WitnessTestimony.objects.filter(evidence=item, confirmed_at__isnull=False).first()
    if testimony is None:
        return
    code = testimony.signature.code if testimony.signature_id else None
    WitnessTestimony.objects.filter(pk=testimony.pk).update(
        confirmed_at=None, confirmed_name="", confirmed_job_title="", signature=None
    )
    audit_record(
        actor=actor,
        action=Action.WITNESS_CONFIRMATION_VOIDED,
        obj=testimony,
        details={"evidence": item.pk, "signature": code, "witness": testimony.confirmed_name},
    )


@transaction.atomic
def evidence_delete(*, item: EvidenceItem, actor) -> EvidenceItem:
    """Soft delete: the row and file stay (the audit trail may refer to them); nobody sees it any more."""
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    _check_changeable(item, actor)
    item.deleted_at = timezone.now()
    item.save(update_fields=["deleted_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.EVIDENCE_DELETED,
        obj=item,
        details={"title": item.title, "sha256": item.sha256, "version": item.version},
    )
    return item


@transaction.atomic
def evidence_lock(*, item: EvidenceItem, actor) -> EvidenceItem:
    """An assessor has used the item (first mapping): from now on it cannot change. Idempotent."""
    now = timezone.now()
    if EvidenceItem.objects.filter(pk=item.pk, locked_at__isnull=True).update(locked_at=now):
        item.locked_at = now
        audit_record(actor=actor, action=Action.EVIDENCE_LOCKED, obj=item, details={"title": item.title})
    else:
        item.locked_at = EvidenceItem.objects.values_list("locked_at", flat=True).get(pk=item.pk)
    return item


def _chain_tail(item):
    while True:
        try:
            item = item.next_version
        except EvidenceItem.DoesNotExist:
            return item


def evidence_correct(
    *, item: EvidenceItem, actor, details: EvidenceDetails, declared: bool, upload=None, token: str = ""
) -> tuple[EvidenceItem, bool]:
    """A correction of a locked item: a new version linked to the old one, which is kept unchanged."""
    existing = _existing_submission(actor, token)
    if existing is not None:
        return existing, False
    item = EvidenceItem.objects.select_related("centre").get(pk=item.pk)  # fresh: the chain may have moved
    if item.candidate_id != actor.pk:
        raise ValidationError(ERR_NOT_YOURS)
    if item.deleted_at is not None:
        raise ValidationError(ERR_DELETED)
    if item.locked_at is None:
        raise ValidationError(ERR_NOT_LOCKED)
    previous = _chain_tail(item)
    if previous.deleted_at is None and previous.pk != item.pk:
        raise ValidationError(ERR_NEWER_VERSION)
    _validate_common(candidate=actor, details=details, declared=declared)
    if item.kind == EvidenceItem.Kind.STATEMENT and not details.statement_text.strip():
        raise ValidationError({"statement_text": ERR_STATEMENT_EMPTY})
    stored = evidence_file_store(upload=upload) if upload is not None else None
    testimony = getattr(item, "witness_testimony", None)

    def copy_testimony(new_item):
        if testimony is not None:
            copy = WitnessTestimony.objects.create(evidence=new_item, witness=testimony.witness)
            copy.criteria.set(testimony.criteria.all())

    details.kind = details.kind or item.kind
    try:
        return _create(
            candidate=actor,
            centre=item.centre,
            details=details,
            declared=declared,
            token=token,
            stored=stored,
            action=Action.EVIDENCE_CORRECTED,
            previous=previous,
            copy_from=item,
            after_create=copy_testimony,
        ), True
    except IntegrityError:
        existing = _existing_submission(actor, token)
        if existing is None:
            raise
        return existing, False


WITNESS_FIELDS = (
    "name",
    "job_title",
    "relationship",
    "email",
    "contact",
    "suggested_status_category",
    "is_expert",
    "expertise",
)
ERR_EXPERTISE = (
    "Describe the expert witness's occupational expertise (experience, knowledge of the standards, CPD)."
)
ERR_NOT_WITNESS_ASSESSOR = (
    "Only an assessor of the candidate at this centre decides a witness's status category."
)


def _witness_details(witness: Witness) -> dict:
    return {name: getattr(witness, name) for name in WITNESS_FIELDS}


@transaction.atomic
def witness_create(
    *,
    candidate,
    centre,
    name: str,
    contact: str = "",
    relationship: str,
    email: str = "",
    job_title: str = "",
    suggested_status_category: int | None = None,
    is_expert: bool = False,
    expertise: str = "",
    token: str = "",
) -> Witness:
    """The candidate records a witness (or an expert witness, with their occupational expertise). The status
    category they give is a suggestion: the assessor decides.

    `token` is the form's submission token: the form sent again (Back, then Save) returns the witness the first
    submission made, marked `resubmitted`, instead of a second one."""
    if token and (existing := Witness.objects.filter(candidate=candidate, submission_token=token).first()):
        existing.resubmitted = True
        return existing
    witness = Witness(
        centre=centre,
        candidate=candidate,
        name=name.strip(),
        contact=(contact or "").strip(),
        relationship=relationship.strip(),
        email=(email or "").strip(),
        job_title=(job_title or "").strip(),
        suggested_status_category=suggested_status_category,
        is_expert=bool(is_expert),
        expertise=(expertise or "").strip(),
        submission_token=token or "",
    )
    if witness.is_expert and not witness.expertise:
        raise ValidationError({"expertise": ERR_EXPERTISE})
    witness.full_clean()
    try:
        with transaction.atomic():  # a double click racing the first save: the constraint decides
            witness.save()
    except IntegrityError:
        existing = (
            Witness.objects.filter(candidate=candidate, submission_token=token).first() if token else None
        )
        if existing is None:
            raise
        existing.resubmitted = True
        return existing
    audit_record(
        actor=candidate, action=Action.WITNESS_CREATED, obj=witness, details=_witness_details(witness)
    )
    return witness


@transaction.atomic
def witness_update(
    *,
    witness: Witness,
    actor,
    name: str,
    contact: str = "",
    relationship: str,
    email: str = "",
    job_title: str = "",
    suggested_status_category: int | None = None,
    is_expert: bool = False,
    expertise: str = "",
) -> Witness:
    """The candidate corrects a witness's details, until an assessor has used their testimony: from then on
    the witness is part of what the assessment (and any signed unit) relied on, and is refused."""
    witness = Witness.objects.select_for_update().get(pk=witness.pk)
    if witness.candidate_id != actor.pk:
        raise ValidationError(ERR_WITNESS_NOT_YOURS)
    unlocked = list(
        EvidenceItem.objects.select_for_update()
        .filter(witness_testimony__witness=witness, locked_at__isnull=True)
        .order_by("pk")
    )
    if revisions.testimony_in_use(witness).exists():
        raise ValidationError(ERR_WITNESS_FROZEN.format(name=witness.name))
    kept = {item.pk: revisions.evidence_content(item) for item in unlocked}
    before = _witness_details(witness)
    witness.name, witness.contact = name.strip(), (contact or "").strip()
    witness.relationship, witness.email = relationship.strip(), (email or "").strip()
    witness.job_title, witness.suggested_status_category = (
        (job_title or "").strip(),
        suggested_status_category,
    )
    witness.is_expert, witness.expertise = bool(is_expert), (expertise or "").strip()
    if witness.is_expert and not witness.expertise:
        raise ValidationError({"expertise": ERR_EXPERTISE})
    witness.full_clean()
    witness.save()
    now = timezone.now()
    for item in unlocked:  # testimony nobody has used yet now names another witness: a new revision of it
        if revisions.evidence_content(item) != kept[item.pk]:
            revisions.evidence_revision_keep(item, kept[item.pk], now=now)
            EvidenceItem.objects.filter(pk=item.pk).update(revision=item.revision, updated_at=now)
    after = _witness_details(witness)
    audit_record(
        actor=actor,
        action=Action.WITNESS_UPDATED,
        obj=witness,
        details={"changes": {k: [before[k], after[k]] for k in before if before[k] != after[k]}},
    )
    return witness


@transaction.atomic
def witness_status_decide(*, witness: Witness, actor, status_category: int) -> Witness:
    """The assessor decides the witness's status category (the logbook's five), recorded with their name."""
    from .selectors import staff_registrations_visible_to

    witness = Witness.objects.select_for_update().get(pk=witness.pk)
    assesses = (
        staff_registrations_visible_to(actor)
        .filter(candidate_id=witness.candidate_id, centre_id=witness.centre_id, assessor=actor)
        .exists()
    )
    if not assesses:
        raise ValidationError(ERR_NOT_WITNESS_ASSESSOR)
    before = witness.status_category
    witness.status_category = int(status_category)
    witness.status_decided_by, witness.status_decided_at = actor, timezone.now()
    witness.full_clean()
    witness.save(update_fields=["status_category", "status_decided_by", "status_decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.WITNESS_STATUS_DECIDED,
        obj=witness,
        details={
            "witness": witness.name,
            "from": before,
            "to": witness.status_category,
            "suggested": witness.suggested_status_category,
        },
    )
    return witness


def witness_testimony_submit(
    *,
    candidate,
    centre,
    witness: Witness,
    details: EvidenceDetails,
    criteria,
    declared: bool,
    upload=None,
    token: str = "",
    ask_witness: bool = False,
) -> tuple[EvidenceItem, bool]:
    """Witness testimony: an evidence item (statement text and/or the signed file) naming the witness and
    the assessment criteria attested. The units attested are the chosen units plus the criteria's units.

    `ask_witness` emails the witness a link to confirm it (evidence.confirmations); they may then write the
    statement themselves, so it may be left empty."""
    from .selectors import candidate_units

    existing = _existing_submission(candidate, token)
    if existing is not None:
        return existing, False
    if witness.candidate_id != candidate.pk:
        raise ValidationError({"witness": ERR_WITNESS_NOT_YOURS})
    if not details.statement_text.strip() and upload is None and not ask_witness:
        raise ValidationError({"statement_text": ERR_WITNESS_NEEDS_STATEMENT})
    if ask_witness and not witness.email:
        raise ValidationError({"witness": confirmations.ERR_NO_EMAIL})
    allowed_units = set(candidate_units(candidate).values_list("pk", flat=True))
    criteria = list(criteria)
    if any(c.unit_id not in allowed_units for c in criteria):
        raise ValidationError({"criteria": ERR_CRITERIA_NOT_YOURS})
    units = {u.pk: u for u in details.units}
    for criterion in criteria:
        units.setdefault(criterion.unit_id, criterion.unit)
    details.units = list(units.values())
    details.kind = EvidenceItem.Kind.WITNESS_TESTIMONY
    details.title = details.title or f"Witness testimony from {witness.name}"
    _validate_common(candidate=candidate, details=details, declared=declared)
    stored = evidence_file_store(upload=upload) if upload is not None else None

    def attach(item):
        testimony = WitnessTestimony.objects.create(evidence=item, witness=witness)
        testimony.criteria.set(criteria)
        if ask_witness:
            confirmations.witness_confirmation_request(testimony=testimony, actor=candidate)

    try:
        return _create(
            candidate=candidate,
            centre=centre,
            details=details,
            declared=declared,
            token=token,
            stored=stored,
            action=Action.WITNESS_TESTIMONY_SUBMITTED,
            after_create=attach,
        ), True
    except IntegrityError:
        existing = _existing_submission(candidate, token)
        if existing is None:
            raise
        return existing, False


# --- orphan files -------------------------------------------------------------------------------------------
ORPHAN_PREFIXES = ("evidence/", "previews/")  # evidence_storage_key, preview_storage_key
ORPHAN_MIN_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class OrphanFile:
    name: str
    size: int
    modified: datetime


def _walk(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}{sub}/")


def _referenced(names) -> set[str]:
    """The names among `names` that an evidence item points at (as its file or preview), deleted items too:
    a soft-deleted item keeps its file. Assessment records point at their evidence item, so are covered."""
    names = list(names)
    found = set()
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        found.update(EvidenceItem.objects.filter(file__in=batch).values_list("file", flat=True))
        found.update(EvidenceItem.objects.filter(preview__in=batch).values_list("preview", flat=True))
    return found


def evidence_orphan_files(
    *, min_age: timedelta = ORPHAN_MIN_AGE, now: datetime | None = None
) -> list[OrphanFile]:
    """Files under the evidence prefixes of the default storage that no evidence item references and that are
    older than `min_age` (so an upload in flight, stored a moment before its row is saved, is never listed).

    The storage is listed before the database is asked, so a row saved meanwhile still protects its file.
    """
    now = now or timezone.now()
    candidates = []
    for prefix in ORPHAN_PREFIXES:
        for name in _walk(default_storage, prefix):
            modified = default_storage.get_modified_time(name)
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified)
            if now - modified >= min_age:
                candidates.append((name, modified))
    referenced = _referenced(name for name, _ in candidates)
    return [
        OrphanFile(name, default_storage.size(name), modified)
        for name, modified in sorted(candidates)
        if name not in referenced
    ]


# Django names a streamed upload's temporary file NamedTemporaryFile(suffix=".upload" + ext): only such files
# are ever looked at, so pointing the sweep at the system temp directory touches nothing else's files.
UPLOAD_TEMP_NAME = re.compile(r"^tmp[A-Za-z0-9_]+\.upload(\.[^/]*)?$")


def upload_temp_dir() -> str:
    return settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()


def upload_temp_stale_files(
    *, min_age: timedelta = ORPHAN_MIN_AGE, now: datetime | None = None
) -> list[OrphanFile]:
    """Upload temporary files (FILE_UPLOAD_TEMP_DIR) older than `min_age`: a server killed mid-upload leaves
    them behind (a finished or failed upload removes its own). Names are paths in that directory."""
    now = now or timezone.now()
    folder = Path(upload_temp_dir())
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        if not UPLOAD_TEMP_NAME.match(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        stat = entry.stat(follow_symlinks=False)
        modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        if now - modified >= min_age:
            found.append(OrphanFile(str(folder / entry.name), stat.st_size, modified))
    return sorted(found, key=lambda f: f.name)


def upload_temp_files_delete(*, stale: list[OrphanFile], actor="sweep_orphan_files") -> list[OrphanFile]:
    """Remove the listed stale upload temporary files (still there and still old); one audit row."""
    deleted = []
    folder = Path(upload_temp_dir()).resolve()
    for temp in stale:
        path = Path(temp.name)
        if path.parent.resolve() != folder or not UPLOAD_TEMP_NAME.match(path.name):
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(temp)
    if deleted:
        audit_record(
            actor=actor,
            action=Action.UPLOAD_TEMP_FILES_DELETED,
            details={
                "folder": str(folder),
                "count": len(deleted),
                "bytes": sum(t.size for t in deleted),
                "files": [
                    {"name": Path(t.name).name, "size": t.size, "modified": t.modified} for t in deleted
                ],
            },
        )
    return deleted


def evidence_orphan_files_delete(
    *, orphans: list[OrphanFile], actor="sweep_orphan_files"
) -> list[OrphanFile]:
    """Delete the listed orphan files, checking once more that nothing references them; one audit row."""
    referenced = _referenced(o.name for o in orphans)
    deleted = []
    for orphan in orphans:
        if orphan.name in referenced or not default_storage.exists(orphan.name):
            continue
        default_storage.delete(orphan.name)
        deleted.append(orphan)
    if deleted:
        audit_record(
            actor=actor,
            action=Action.EVIDENCE_ORPHAN_FILES_DELETED,
            details={
                "count": len(deleted),
                "bytes": sum(o.size for o in deleted),
                "files": [{"name": o.name, "size": o.size, "modified": o.modified} for o in deleted],
            },
        )
    return deleted

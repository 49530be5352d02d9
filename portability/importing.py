"""Import at the receiving centre: a verified passport becomes a registration whose evidence is stored
through the ordinary upload checks and whose accepted decisions wait, read-only and attributed to the
sending centre and assessor, for the receiving assessor to confirm or reject unit by unit (as recognition
of prior learning). A unit signed at the sending centre whose decisions were all imported stays signed with its
original signature (assessment's transfers: it counts at once; no claim covers it and no IV samples it until the
receiving assessor confirms it; rejecting it opens it). Catalogue mismatches are reported, never guessed."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from assessment import permissions as assessment_permissions
from assessment import services as assessment_services
from assessment.models import Method, UnitAssessment
from audit.actions import Action
from audit.dates import DATE
from audit.services import audit_record
from evidence import sniffing
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails, evidence_staff_create
from qualifications.models import AssessmentCriterion, Qualification, QualificationUnit, RangeItem

from . import passport, selectors
from .models import PassportImport, PriorDecision, PriorUnit

NOT_VERIFIED = "The passport did not verify, so nothing was imported: {problems}"
NO_QUALIFICATION = (
    "The qualification {code} ({title}) is not in this catalogue: add it with "
    "`manage.py import_catalogue` first. Nothing was imported."
)
NOT_ADMIN = "Only a centre admin of the receiving centre can import a passport."
NOT_ASSESSOR = "Only the registration's assessor can confirm or reject prior evidence."
ALREADY_DECIDED = "This unit's prior evidence was already {status} on {date}."
REJECT_NEEDS_NOTE = "Say why the prior evidence is rejected: the candidate and the IV read it."
FILE_REFUSED = (
    "Evidence “{title}” was refused by this centre's upload checks: {reason}. Nothing was imported."
)


def _unit_index(qualification):
    members = QualificationUnit.objects.filter(qualification=qualification).select_related("unit")
    by_ref = {m.unit.ref: m for m in members}
    by_accreditation = {m.unit.accreditation_number: m for m in members if m.unit.accreditation_number}
    return by_ref, by_accreditation


def _match_units(manifest, qualification):
    """{sending ref: QualificationUnit} for the units this catalogue has, and the mismatches in words."""
    by_ref, by_accreditation = _unit_index(qualification)
    matched, mismatches = {}, []
    for unit in manifest["registration"]["units"]:
        member = by_ref.get(unit["ref"]) or by_accreditation.get(unit.get("accreditation_number") or "\0")
        if member is None:
            number = unit.get("accreditation_number") or "no accreditation number"
            mismatches.append(
                f"Unit {unit['ref']} {unit['title']} ({number}) is not a unit of "
                f"{qualification.code} in this catalogue: its decisions were not imported."
            )
        elif (
            unit.get("accreditation_number")
            and member.unit.accreditation_number
            and unit["accreditation_number"] != member.unit.accreditation_number
        ):
            mismatches.append(
                f"Unit {unit['ref']} has accreditation number {unit['accreditation_number']} in the "
                f"passport but {member.unit.accreditation_number} here: its decisions were not "
                "imported."
            )
        else:
            matched[unit["ref"]] = member
    return matched, mismatches


def _moment(text):
    moment = parse_datetime(text or "")
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _transfer_in(prior, registration, manifest, dropped: int, actor) -> str:
    """A unit whose sign-off at the sending centre stands arrives signed with it when every accepted decision of
    it was imported (assessment's unit_transfer_in); otherwise it arrives open, and the mismatch list says why
    (returned, "" when there is nothing to say)."""
    signed = prior.source_sign_off
    if signed is None:
        return ""
    ref = prior.unit.ref
    if dropped:
        return (
            f"Unit {ref} was signed at the sending centre but {dropped} of its accepted decisions "
            f"{'was' if dropped == 1 else 'were'} not imported, so it arrives open: the assessor here "
            "confirms its prior evidence and signs it off."
        )
    signed_at = _moment(signed.get("signed_at"))
    if prior.source_status != "signed" or signed_at is None:
        return (
            f"Unit {ref} was signed at the sending centre but not countersigned there, so it arrives open: "
            "the assessor here confirms its prior evidence and signs it off."
        )
    # A unit that travelled before keeps the centre it was first signed at (passport.py names it).
    centre = signed.get("centre") or f"{manifest['centre']['name']} ({manifest['centre']['number']})"
    signer = signed.get("signer") or "the sending centre's assessor"
    if signed.get("countersigned_by"):
        signer = f"{signer}, countersigned by {signed['countersigned_by']}"
    authenticity = prior.source_authenticity
    assessment_services.unit_transfer_in(
        registration=registration,
        unit=prior.unit,
        actor=actor,
        signed_at=signed_at,
        transferred_from=centre,
        transferred_signer=signer,
        authenticity_signed_at=_moment(authenticity.get("signed_at")) if authenticity else None,
        details={"content_sha256": signed.get("content_sha256"), "round": signed.get("round")},
    )
    prior.arrived_signed = True
    prior.save(update_fields=["arrived_signed"])
    return ""


def _upload_from(archive, path: str, name: str):
    info = archive.getinfo(path)
    upload = TemporaryUploadedFile(name, "application/octet-stream", info.file_size, None)
    with archive.open(path) as member:
        for chunk in iter(lambda: member.read(1024 * 1024), b""):
            upload.write(chunk)
    upload.seek(0)
    return upload


def entry_condition_keys(confirmed, qualification_code: str) -> list[str]:
    """The entry-condition keys confirmed for this qualification: plain keys ("age_18") or keys qualified by a
    qualification code ("4430-04:age_18", what the import page offers before the passport is read), the
    latter kept only for the passport's own qualification."""
    keys = []
    for item in confirmed or ():
        code, sep, key = str(item).rpartition(":")
        if not sep:
            keys.append(item)
        elif code == qualification_code:
            keys.append(key)
    return keys


def passport_import(
    *,
    source,
    centre,
    candidate,
    assessor,
    internal_verifier,
    actor,
    registered_on=None,
    entry_conditions_confirmed=(),
):
    """Verify, then import all or nothing. Returns the PassportImport.

    `entry_conditions_confirmed`: the receiving centre's confirmation of the qualification's entry conditions
    (4430-04's age and "not already held"), checked by registration_create as on the register form."""
    if not assessment_permissions.is_centre_admin(actor, centre.pk):
        raise PermissionDenied(NOT_ADMIN)
    report = passport.verify_passport(source, known_public_key=selectors.published_key)
    if not report.ok:
        raise ValidationError(
            NOT_VERIFIED.format(
                problems=" ".join(line for line in report.lines() if not line.startswith("Passport"))
            )
        )
    manifest = report.manifest
    qual = manifest["registration"]["qualification"]
    qualification = Qualification.objects.filter(code=qual["code"]).first()
    if qualification is None:
        raise ValidationError(NO_QUALIFICATION.format(code=qual["code"], title=qual["title"]))
    matched, mismatches = _match_units(manifest, qualification)
    if hasattr(source, "seek"):
        source.seek(0)
    archive, _ = passport.open_checked(source)
    stored_files: list[str] = []
    try:
        with archive, transaction.atomic():
            optional = [m.unit for m in matched.values() if m.status != QualificationUnit.Status.MANDATORY]
            registration = assessment_services.registration_create(
                actor=actor,
                centre=centre,
                candidate=candidate,
                qualification=qualification,
                assessor=assessor,
                internal_verifier=internal_verifier,
                registered_on=registered_on or timezone.localdate(),
                optional_units=optional,
                candidate_number=manifest["candidate"].get("candidate_number", ""),
                entry_conditions_confirmed=entry_condition_keys(
                    entry_conditions_confirmed, qualification.code
                ),
            )
            record = PassportImport.objects.create(
                registration=registration,
                source_centre_number=manifest["centre"]["number"],
                source_centre_name=manifest["centre"]["name"],
                source_registration_id=manifest["registration"].get("id"),
                manifest_sha256=hashlib.sha256(archive.read(passport.MANIFEST)).hexdigest(),
                key_fingerprint=report.fingerprint,
                exported_at=manifest.get("exported_at", ""),
                mismatches=list(mismatches),  # a copy: the decision-level mismatches below are compared to it
                imported_by=actor,
            )
            accepted = [
                m for m in manifest["mappings"] if m["decision"] == "accepted" and m["unit"] in matched
            ]
            needed = {m["evidence_id"] for m in accepted}
            new_items: dict[int, EvidenceItem] = {}
            for item in manifest["evidence"]:
                if not (item.get("current") or item["id"] in needed):
                    continue
                details = EvidenceDetails(
                    title=item["title"][:200],
                    description=item.get("description", ""),
                    activity_date=parse_date(item["activity_date"]) if item.get("activity_date") else None,
                    kind=item["kind"]
                    if item["kind"] in EvidenceItem.Kind.values
                    else EvidenceItem.Kind.OTHER,
                    context=item["setting"]
                    if item.get("setting") in EvidenceItem.Context.values
                    else EvidenceItem.Context.REAL_WORK,
                    statement_text=item.get("statement_text", ""),
                )
                upload = (
                    _upload_from(archive, item["file"], item.get("original_name") or "evidence")
                    if item.get("file")
                    else None
                )
                try:
                    created = evidence_staff_create(
                        actor=actor, candidate=candidate, centre=centre, details=details, upload=upload
                    )
                except sniffing.FileRefused as exc:
                    raise ValidationError(FILE_REFUSED.format(title=item["title"], reason=exc)) from exc
                finally:
                    if upload is not None:
                        upload.close()
                if created.file:
                    stored_files.append(created.file.name)
                new_items[item["id"]] = created
            by_unit = defaultdict(list)
            for m in accepted:
                by_unit[m["unit"]].append(m)
            unit_states = {ua["unit"]: ua for ua in manifest.get("unit_assessments", [])}
            for ref, member in matched.items():
                prior = PriorUnit.objects.create(
                    passport_import=record,
                    unit=member.unit,
                    source_status=unit_states.get(ref, {}).get("status", ""),
                    source_signatures=[s for s in manifest.get("signatures", []) if s.get("unit") == ref],
                )
                criteria = {c.ref: c for c in AssessmentCriterion.objects.filter(unit=member.unit)}
                ranges = {r.ref: r for r in RangeItem.objects.filter(unit=member.unit)}
                dropped = 0
                for m in by_unit[ref]:
                    criterion = criteria.get(m["criterion"]) if m["criterion"] else None
                    range_item = ranges.get(m["range_item"]) if m["range_item"] else None
                    if criterion is None and range_item is None:
                        dropped += 1
                        if m.get("requirement"):
                            mismatches.append(
                                f"Unit {ref}: the decision on evidence requirement {m['requirement']} "
                                "was not imported; the receiving assessor maps or confirms it."
                            )
                        else:
                            mismatches.append(
                                f"Unit {ref}: {'criterion' if m['criterion'] else 'range item'} "
                                f"{m['criterion'] or m['range_item']} is not in this catalogue's text "
                                "of the unit: that decision was not imported."
                            )
                        continue
                    PriorDecision.objects.create(
                        prior_unit=prior,
                        evidence=new_items[m["evidence_id"]],
                        criterion=criterion,
                        range_item=range_item,
                        method=m["method"],
                        location=m.get("location", "")[:100],
                        setting=m.get("setting", ""),
                        assessed_by=m.get("assessed_by") or "",
                        assessed_at=m.get("assessed_at") or "",
                    )
                reason = _transfer_in(prior, registration, manifest, dropped, actor)
                if reason:
                    mismatches.append(reason)
            if mismatches != record.mismatches:
                record.mismatches = mismatches
                record.save(update_fields=["mismatches"])
            audit_record(
                actor=actor,
                action=Action.PORTABILITY_PASSPORT_IMPORTED,
                obj=record,
                centre=centre,
                details={
                    "from_centre": record.source_centre_number,
                    "manifest_sha256": record.manifest_sha256,
                    "fingerprint": record.key_fingerprint,
                    "evidence": len(new_items),
                    "decisions": len(accepted),
                    "arrived_signed": sorted(
                        p.unit.ref for p in record.units.select_related("unit") if p.arrived_signed
                    ),
                    "mismatches": mismatches,
                },
            )
    except BaseException:
        for name in stored_files:  # the transaction rolled back: no row points at these files any more
            if default_storage.exists(name):
                default_storage.delete(name)
        raise
    return record


def _prior_mappings(prior, source) -> list:
    """The prior unit's decisions grouped by evidence, as RPL mappings naming the original centre and assessor."""
    grouped = defaultdict(lambda: ([], []))
    locations = {}
    for d in prior.decisions.select_related("evidence", "criterion", "range_item"):
        (grouped[d.evidence_id][0] if d.criterion_id else grouped[d.evidence_id][1]).append(
            d.criterion or d.range_item
        )
        locations[d.evidence_id] = (d.evidence, f"RPL from {source}: {d.assessed_by}, {d.assessed_at[:10]}")
    return [
        assessment_services.PriorMapping(
            evidence=locations[evidence_id][0],
            location=locations[evidence_id][1][:100],
            criteria=criteria,
            range_items=range_items,
        )
        for evidence_id, (criteria, range_items) in grouped.items()
    ]


@transaction.atomic
def prior_unit_decide(*, prior_unit, actor, confirm: bool, note: str = "") -> PriorUnit:
    """The receiving assessor confirms a unit's prior evidence (its decisions become RPL mappings made by
    them, naming the original centre and assessor) or rejects it with a note. A unit that arrived signed stays
    signed when confirmed (assessment's unit_transfer_confirm) and is withdrawn to open when rejected
    (unit_transfer_withdraw)."""
    prior = (
        PriorUnit.objects.select_for_update()
        .select_related("passport_import__registration")
        .get(pk=prior_unit.pk)
    )
    registration = prior.passport_import.registration
    if not assessment_permissions.is_assessor_of(actor, registration):
        raise PermissionDenied(NOT_ASSESSOR)
    if prior.status != PriorUnit.Status.PENDING:
        raise ValidationError(
            ALREADY_DECIDED.format(
                status=prior.get_status_display().lower(),
                date=f"{timezone.localtime(prior.decided_at):{DATE}}",
            )
        )
    note = note.strip()
    if not confirm and not note:
        raise ValidationError(REJECT_NEEDS_NOTE)
    source = prior.passport_import.source_centre_name
    mappings = _prior_mappings(prior, source) if confirm else []
    if prior.arrived_signed:
        # The unit arrived signed: confirming keeps it signed (its decisions mapped as RPL), rejecting withdraws
        # it to open; the sending centre's signature stays on this prior unit as provenance either way.
        ua = UnitAssessment.objects.get(registration=registration, unit_id=prior.unit_id)
        if confirm:
            assessment_services.unit_transfer_confirm(
                unit_assessment=ua, actor=actor, mappings=mappings, details={"prior_unit": prior.pk}
            )
        else:
            assessment_services.unit_transfer_withdraw(
                unit_assessment=ua, actor=actor, note=note, details={"prior_unit": prior.pk}
            )
    else:
        for m in mappings:
            assessment_services.mapping_add(
                registration=registration,
                evidence=m.evidence,
                actor=actor,
                criteria=m.criteria,
                range_items=m.range_items,
                method=Method.RPL,
                location=m.location[:100],
                decision="accepted",
            )
    prior.status = PriorUnit.Status.CONFIRMED if confirm else PriorUnit.Status.REJECTED
    prior.decided_by, prior.decided_at, prior.note = actor, timezone.now(), note
    prior.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        actor=actor,
        action=Action.PORTABILITY_PRIOR_UNIT_DECIDED,
        obj=prior,
        centre=registration.centre,
        details={"unit": prior.unit.ref, "status": prior.status, "note": note, "from_centre": source},
    )
    return prior

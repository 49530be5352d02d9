"""The portfolio passport: one ZIP a candidate's portfolio travels in, signed by the sending centre.

Layout of the ZIP:
    manifest.json    every fact the receiving centre or an external verifier relies on (see build_manifest)
    signature.json   the centre's Ed25519 signature over manifest.json's exact bytes, and its public key
    evidence/...     every evidence file the manifest names, each with its SHA-256 in the manifest
    forms/...        the printed forms (the whole-portfolio PDF)

`verify_passport` reads a ZIP without trusting it (names, sizes, ratio, count checked before anything is
extracted) and reports exactly which files were altered, missing or added, and whether the signature holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from assessment.models import EvidenceMapping, UnitAssessment, UnitSignOff
from assessment.selectors import registration_units
from evidence.models import AUTHENTICITY_DECLARATION, EvidenceItem
from printing import registry
from verification.models import CertificationClaim, VerificationDecision

from . import keys
from .canonical import canonical_json
from .models import PriorUnit

FORMAT = "portfolio-passport/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
MAX_ENTRIES = 20_000
MAX_TOTAL_UNCOMPRESSED = 8 * 1024**3
MAX_RATIO = 200
MAX_MANIFEST_BYTES = 64 * 1024**2

NOT_A_ZIP = "This is not a portfolio passport: the file is not a ZIP archive."
NO_MANIFEST = "This is not a portfolio passport: it holds no manifest.json and signature.json."
UNSAFE_NAME = "The passport holds a file whose name escapes its folder: {name}."
TOO_BIG = "The passport is too large to open safely ({reason}); nothing was read."
BAD_MANIFEST = "The passport's manifest cannot be read: {reason}."


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def _safe_filename(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "file"


def _file_sha256(field_file) -> str:
    digest = hashlib.sha256()
    with field_file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _current_evidence(registration):
    return EvidenceItem.objects.filter(
        candidate=registration.candidate,
        centre=registration.centre,
        deleted_at__isnull=True,
        next_version__isnull=True,
    ).order_by()


def passport_evidence(registration):
    """Every current evidence item of the candidate at the centre, and every item the decisions used."""
    mapped_ids = EvidenceMapping.objects.filter(registration=registration).order_by().values("evidence_id")
    return EvidenceItem.objects.filter(
        Q(pk__in=_current_evidence(registration).values("pk")) | Q(pk__in=mapped_ids)
    ).order_by("pk")


def build_manifest(
    registration, *, evidence_paths: dict[int, str], form_hashes: dict[str, str], file_hashes: dict[str, str]
) -> dict:
    """The manifest as plain data; the caller has already written the files it names."""
    reg = registration
    units = registration_units(reg)
    evidence = list(passport_evidence(reg))
    mappings = list(
        EvidenceMapping.objects.filter(registration=reg)
        .select_related("unit", "criterion", "range_item", "requirement", "assessed_by", "evidence")
        .order_by("unit__ref", "pk")
    )
    unit_assessments = list(
        UnitAssessment.objects.filter(registration=reg)
        .select_related("unit", "signed_by", "countersigned_by", "transfer_confirmed_by")
        .order_by("unit__ref")
    )
    # The units that arrived signed from a sending centre keep their original signature (and its centre) here.
    transferred = {ua.unit_id for ua in unit_assessments if ua.is_transferred}
    originals = {
        p.unit_id: p
        for p in PriorUnit.objects.filter(
            passport_import__registration=reg, unit_id__in=transferred
        ).select_related("passport_import")
    }
    sign_offs = list(
        UnitSignOff.objects.filter(unit_assessment__registration=reg)
        .select_related("unit_assessment__unit", "assessor", "countersigned_by")
        .order_by("signed_at", "pk")
    )
    decisions = list(
        VerificationDecision.objects.filter(unit_assessment__registration=reg)
        .select_related("unit_assessment__unit", "verifier", "assessor", "mapping__criterion")
        .order_by("decided_at", "pk")
    )
    claims = list(CertificationClaim.objects.filter(registration=reg).order_by("claimed_at", "pk"))

    mapping_rows = [
        {
            "id": m.pk,
            "evidence_id": m.evidence_id,
            "unit": m.unit.ref,
            "criterion": m.criterion.ref if m.criterion_id else None,
            "range_item": m.range_item.ref if m.range_item_id else None,
            "requirement": m.requirement.ref if m.requirement_id else None,
            "method": m.method,
            "location": m.location,
            "setting": m.evidence.context,
            "decision": m.decision,
            "reason": m.reason,
            "assessed_by": _name(m.assessed_by),
            "assessed_at": _iso(m.assessed_at),
        }
        for m in mappings
    ]

    def unit_content_hash(unit_id) -> str:
        """What a signature on a unit covers: its accepted decisions and the evidence versions they used."""
        covered = [
            {
                "mapping": row["id"],
                "criterion": row["criterion"],
                "range_item": row["range_item"],
                "decision": row["decision"],
                "evidence_sha256": by_id[m.evidence_id].sha256
                or hashlib.sha256(by_id[m.evidence_id].statement_text.encode()).hexdigest(),
            }
            for m, row in zip(mappings, mapping_rows, strict=True)
            if m.unit_id == unit_id
        ]
        return hashlib.sha256(canonical_json(covered)).hexdigest()

    by_id = {e.pk: e for e in evidence}
    current_ids = set(_current_evidence(registration).values_list("pk", flat=True))

    signatures = []
    for ua in unit_assessments:
        if ua.authenticity_signed_at:
            signatures.append(
                {
                    "kind": "candidate_authenticity",
                    "unit": ua.unit.ref,
                    "signer": _name(reg.candidate),
                    "signed_at": _iso(ua.authenticity_signed_at),
                    "statement": AUTHENTICITY_DECLARATION,
                    "content_sha256": unit_content_hash(ua.unit_id),
                }
            )
    for so in sign_offs:
        signatures.append(
            {
                "kind": "assessor_sign_off",
                "unit": so.unit_assessment.unit.ref,
                "round": so.round,
                "signer": _name(so.assessor),
                "signed_at": _iso(so.signed_at),
                "countersigned_by": _name(so.countersigned_by),
                "countersigned_at": _iso(so.countersigned_at),
                "reopened_at": _iso(so.reopened_at),
                "reopen_reason": so.reopen_reason,
                "statement": "Unit signed off: every assessment criterion and evidence requirement met.",
                "content_sha256": unit_content_hash(so.unit_assessment.unit_id),
            }
        )
    for ua in unit_assessments:
        if ua.is_transferred:
            signatures.append(_transferred_sign_off(ua, originals.get(ua.unit_id)))

    return {
        "format": FORMAT,
        "exported_at": _iso(timezone.now()),
        "centre": {"number": reg.centre.number, "name": reg.centre.name},
        "candidate": {
            "username": reg.candidate.username,
            "name": _name(reg.candidate),
            "first_name": reg.candidate.first_name,
            "last_name": reg.candidate.last_name,
            "email": reg.candidate.email,
            "candidate_number": reg.candidate_number,
        },
        "registration": {
            "id": reg.pk,
            "registered_on": _iso(reg.registered_on),
            "expires_on": _iso(reg.expires_on),
            "status": reg.status,
            "assessor": _name(reg.assessor),
            "internal_verifier": _name(reg.internal_verifier),
            "qualification": {
                "code": reg.qualification.code,
                "title": reg.qualification.title,
                "awarding_body": reg.qualification.awarding_body,
                "accreditation_number": reg.qualification.accreditation_number,
            },
            "units": [
                {
                    "ref": u.ref,
                    "number": u.number,
                    "title": u.title,
                    "level": u.level,
                    "credits": u.credits,
                    "accreditation_number": u.accreditation_number,
                }
                for u in units
            ],
        },
        "evidence": [
            {
                "id": e.pk,
                "title": e.title,
                "kind": e.kind,
                "setting": e.context,
                "description": e.description,
                "activity_date": _iso(e.activity_date),
                "created_at": _iso(e.created_at),
                "version": e.version,
                "previous_version_id": e.previous_version_id,
                "current": e.pk in current_ids,
                "statement_text": e.statement_text,
                "original_name": e.original_name,
                "size": e.size,
                "content_type": e.content_type,
                "sha256": e.sha256 or None,
                "file": evidence_paths.get(e.pk),
            }
            for e in sorted(by_id.values(), key=lambda x: x.pk)
        ],
        "mappings": mapping_rows,
        "unit_assessments": [
            {
                "unit": ua.unit.ref,
                "status": ua.status,
                "round": ua.round,
                "authenticity_signed_at": _iso(ua.authenticity_signed_at),
                "signed_by": _name(ua.signed_by),
                "signed_at": _iso(ua.signed_at),
                "countersigned_by": _name(ua.countersigned_by),
                "countersigned_at": _iso(ua.countersigned_at),
                # a unit signed at a sending centre: that centre and its signer, and who confirmed it here
                "transferred_from": ua.transferred_from,
                "transferred_signer": ua.transferred_signer,
                "transfer_confirmed_by": _name(ua.transfer_confirmed_by),
                "transfer_confirmed_at": _iso(ua.transfer_confirmed_at),
            }
            for ua in unit_assessments
        ],
        "signatures": signatures,
        "verification_decisions": [
            {
                "unit": d.unit_assessment.unit.ref,
                "outcome": d.outcome,
                "verifier": _name(d.verifier),
                "assessor": _name(d.assessor),
                "mapping_id": d.mapping_id,
                "criterion": d.mapping.criterion.ref if d.mapping_id and d.mapping.criterion_id else None,
                "comments": d.comments,
                "action_points": d.action_points,
                "unit_round": d.unit_round,
                "decided_at": _iso(d.decided_at),
                "referral_closed_at": _iso(d.referral_closed_at),
                "closure_note": d.closure_note,
            }
            for d in decisions
        ],
        "claims": [
            {
                "kind": c.kind,
                "units": c.units,
                "credits": c.credits,
                "claimed_at": _iso(c.claimed_at),
                "status": c.status,
                "cancel_reason": c.cancel_reason,
            }
            for c in claims
        ],
        "forms": form_hashes,
        "files": file_hashes,
    }


def _transferred_sign_off(ua, prior) -> dict:
    """The original sign-off of a unit that arrived signed from a sending centre, as that centre signed it (its
    centre, signer, date, statement and the content hash it covered there): this centre did not sign it."""
    original = (prior.source_sign_off if prior is not None else None) or {}
    return {
        "kind": "assessor_sign_off",
        "unit": ua.unit.ref,
        "round": original.get("round") or ua.round,
        "signer": original.get("signer") or ua.transferred_signer,
        "signed_at": original.get("signed_at") or _iso(ua.signed_at),
        "countersigned_by": original.get("countersigned_by"),
        "countersigned_at": original.get("countersigned_at"),
        "reopened_at": None,
        "reopen_reason": "",
        "statement": original.get(
            "statement", "Unit signed off: every assessment criterion and evidence requirement met."
        ),
        "content_sha256": original.get("content_sha256"),
        "centre": ua.transferred_from,
        "transferred": True,
        "transfer_confirmed_by": _name(ua.transfer_confirmed_by),
        "transfer_confirmed_at": _iso(ua.transfer_confirmed_at),
    }


def _render_forms(registration) -> dict[str, bytes]:
    """The printed forms that travel with the portfolio, by file name."""
    form = registry.get_form("portfolio")
    return {"forms/portfolio.pdf": registry.render_completed(form, registration)}


def write_passport(registration, target) -> dict:
    """Write the signed passport ZIP to target (a path or a binary file object); return the manifest."""
    key_row = keys.centre_key(registration.centre)
    evidence_paths: dict[int, str] = {}
    file_hashes: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for item in passport_evidence(registration):
            if not item.file:
                continue
            path = f"evidence/{item.pk}/{_safe_filename(item.original_name or item.file.name)}"
            digest = hashlib.sha256()
            with item.file.open("rb") as src, archive.open(path, "w", force_zip64=True) as dst:
                for chunk in iter(lambda: src.read(1024 * 1024), b""):  # noqa: B023
                    digest.update(chunk)
                    dst.write(chunk)
            evidence_paths[item.pk] = path
            file_hashes[path] = digest.hexdigest()
        form_hashes = {}
        for path, data in _render_forms(registration).items():
            archive.writestr(path, data)
            form_hashes[path] = file_hashes[path] = hashlib.sha256(data).hexdigest()
        manifest = build_manifest(
            registration, evidence_paths=evidence_paths, form_hashes=form_hashes, file_hashes=file_hashes
        )
        manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, json.dumps(signature_document(key_row, manifest_bytes), indent=1))
    return manifest


def signature_document(key_row, manifest_bytes: bytes) -> dict:
    return {
        "algorithm": "Ed25519",
        "signed_file": MANIFEST,
        "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
        "centre_number": key_row.centre.number,
        "public_key": key_row.public_key,
        "fingerprint": key_row.fingerprint,
        "did": keys.did_key(key_row.public_key),
        "signature": base64.b64encode(keys.sign(key_row, manifest_bytes)).decode(),
    }


@dataclass
class PassportReport:
    """What verify_passport found. ok only when the signature holds and every file matches."""

    errors: list[str] = field(default_factory=list)
    signature_valid: bool = False
    signed_by_centre: str = ""
    fingerprint: str = ""
    known_key: bool | None = (
        None  # True: matches the key this site holds for the centre; None: not known here
    )
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    manifest: dict | None = None

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and self.signature_valid
            and not self.altered
            and not self.missing
            and not self.unexpected
            and self.known_key is not False
        )

    def lines(self) -> list[str]:
        out = list(self.errors)
        if self.manifest is not None or self.signed_by_centre:
            out.append(
                f"Signature: {'valid' if self.signature_valid else 'NOT VALID'} "
                f"(centre {self.signed_by_centre or '?'}, key fingerprint {self.fingerprint or '?'})"
            )
        if self.known_key is False:
            out.append("The key does NOT match the key this site holds for that centre.")
        elif self.known_key:
            out.append("The key matches the key this site publishes for that centre.")
        out += [f"Altered: {p}" for p in self.altered]
        out += [f"Missing: {p}" for p in self.missing]
        out += [f"Not in the manifest: {p}" for p in self.unexpected]
        out.append(
            "Passport verified: signature and every file match." if self.ok else "Passport NOT verified."
        )
        return out

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": self.errors,
            "signature_valid": self.signature_valid,
            "centre": self.signed_by_centre,
            "fingerprint": self.fingerprint,
            "known_key": self.known_key,
            "altered": self.altered,
            "missing": self.missing,
            "unexpected": self.unexpected,
        }


def _unsafe(name: str) -> bool:
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "\0" in name
        or re.match(r"^[A-Za-z]:", name)
    ):
        return True
    normal = posixpath.normpath(name)
    return normal.startswith("../") or normal == ".." or "/../" in f"/{name}/"


def open_checked(source) -> tuple[zipfile.ZipFile | None, list[str]]:
    """Open a ZIP and check it is safe to read: names, entry count, total size and compression ratio."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, [NOT_A_ZIP]
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        return None, [TOO_BIG.format(reason=f"{len(infos)} entries")]
    total = 0
    for info in infos:
        if _unsafe(info.filename):
            return None, [UNSAFE_NAME.format(name=info.filename)]
        total += info.file_size
        if (
            info.file_size > 1024 * 1024
            and info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
        ):
            return None, [
                TOO_BIG.format(reason=f"{info.filename} expands {info.file_size // info.compress_size}×")
            ]
    if total > MAX_TOTAL_UNCOMPRESSED:
        return None, [TOO_BIG.format(reason=f"{total} bytes uncompressed")]
    return archive, []


def _read_limited(archive, name: str, limit: int) -> bytes:
    with archive.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit} bytes")
    return data


def _hash_member(archive, name: str, declared_size: int) -> str:
    digest = hashlib.sha256()
    read = 0
    with archive.open(name) as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            read += len(chunk)
            if read > declared_size:  # the header lied about the size: stop at once
                raise ValueError(f"{name} is larger than its header says")
            digest.update(chunk)
    return digest.hexdigest()


def verify_passport(source, *, known_public_key=None) -> PassportReport:
    """Check a passport ZIP. known_public_key(centre_number) -> hex | None lets this site vouch for the key."""
    report = PassportReport()
    archive, errors = open_checked(source)
    if archive is None:
        report.errors = errors
        return report
    with archive:
        names = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        if MANIFEST not in names or SIGNATURE not in names:
            report.errors.append(NO_MANIFEST)
            return report
        try:
            manifest_bytes = _read_limited(archive, MANIFEST, MAX_MANIFEST_BYTES)
            signature = json.loads(_read_limited(archive, SIGNATURE, 64 * 1024))
            manifest = json.loads(manifest_bytes)
            files = manifest["files"]
            if not isinstance(files, dict):
                raise ValueError("its file list is not a mapping")
        except (ValueError, KeyError, TypeError) as exc:
            report.errors.append(BAD_MANIFEST.format(reason=exc))
            return report
        report.manifest = manifest
        report.signed_by_centre = str(signature.get("centre_number", ""))
        public_key = str(signature.get("public_key", ""))
        try:
            report.fingerprint = keys.fingerprint(public_key)
            raw_signature = base64.b64decode(str(signature.get("signature", "")), validate=True)
        except ValueError:
            raw_signature = b""
        report.signature_valid = bool(raw_signature) and keys.verify(
            public_key, raw_signature, manifest_bytes
        )
        if (
            report.signature_valid
            and str(manifest.get("centre", {}).get("number")) != report.signed_by_centre
        ):
            report.errors.append("The signature names another centre than the manifest.")
        if known_public_key is not None:
            known = known_public_key(report.signed_by_centre)
            report.known_key = None if known is None else (known == public_key)
        for path, expected in sorted(files.items()):
            info = names.get(path)
            if info is None:
                report.missing.append(path)
                continue
            try:
                if _hash_member(archive, path, info.file_size) != expected:
                    report.altered.append(path)
            except (ValueError, zipfile.BadZipFile, OSError):
                report.altered.append(path)
        for item in manifest.get("evidence", []):  # an item's own hash must agree with its file's
            path = item.get("file")
            if (
                path
                and item.get("sha256")
                and files.get(path) != item["sha256"]
                and path not in report.altered
            ):
                report.altered.append(path)
        report.unexpected = sorted(set(names) - set(files) - {MANIFEST, SIGNATURE})
    return report

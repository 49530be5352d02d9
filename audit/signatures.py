"""Signatures that mean something: the statements people sign, the record of each signature, and its check.

One wording per statement (the logbook's where it has one), used on screen, in the record and in print.
What a signature covers is a plain dict of the signed content (evidence revisions and fingerprints,
criteria, decisions); its SHA-256 is kept with it. The app that owns the signed things registers, per kind,
a function that rebuilds that content from the database as it is now (`register_content`, called from the
app's AppConfig.ready()), so `signature_check` can say whether the content still matches.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .actions import Action
from .models import Signature
from .services import audit_record

Kind = Signature.Kind

# The logbook's wording (Level 2 NVQ Certificate in Customer Service candidate logbook, unit pages and summary of
# unit achievement); the witness declaration follows the witness status list's "the witness signs the details as
# correct" (the handbooks give no sentence for it).
STATEMENTS: dict[str, str] = {
    Kind.AUTHENTICITY: "I confirm that the evidence provided is a result of my own work.",
    Kind.UNIT_SIGN_OFF: "I confirm that the candidate has demonstrated competence by satisfying all of the "
    "criteria for this unit.",
    Kind.COUNTERSIGNATURE: "The evidence for this unit is valid, sufficient and an authentic record of the "
    "candidate’s current competence and has been assessed under the requirements of the "
    "assessment strategy.",
    Kind.IV_AGREEMENT: "I agree with the assessment decisions sampled for this unit.",
    Kind.WITNESS: "I confirm that the details above are correct: I witnessed this work by the candidate and the "
    "statement is a true account of it.",
    Kind.EXPERT_WITNESS: "I confirm that the statement above is a true account of the candidate’s competence in "
    "the criteria listed, which I attest as an occupational expert.",
    Kind.EMPLOYER: "I can confirm the candidate has personally completed the work as part of regular duties in "
    "the workplace.",
}

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read off paper
CODE_LENGTH = 10
UNKNOWN_CODE = "No signature has the code {code}."
CONTENT_GONE = "what was signed is no longer in the database"

_BUILDERS: dict[str, Callable[[Signature], dict | None]] = {}


def register_content(kind: str, builder: Callable[[Signature], dict | None]) -> None:
    """`builder(signature)` rebuilds the signed content as the database holds it now (None when it is gone)."""
    _BUILDERS[kind] = builder


def canonical(content: dict) -> bytes:
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def content_sha256(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Signature.objects.filter(code=code).exists():
            return code


@transaction.atomic
def signature_record(
    *,
    kind: str,
    obj,
    content: dict,
    signer=None,
    signer_name: str = "",
    job_title: str = "",
    client_ip: str | None = None,
    centre=None,
    signed_at=None,
) -> Signature:
    """Record one signature of `obj` (the thing signed) with the statement of `kind`, audited."""
    content = json.loads(canonical(content))  # as it will be read back: the hash is over the stored form
    signature = Signature(
        code=_new_code(),
        kind=kind,
        signer=signer if getattr(signer, "is_authenticated", False) else None,
        signer_name=(
            signer_name or (signer.get_full_name() or signer.get_username() if signer else "")
        ).strip(),
        signer_job_title=job_title.strip(),
        signed_at=signed_at or timezone.now(),
        client_ip=client_ip or None,
        statement=STATEMENTS[kind],
        content=content,
        content_sha256=content_sha256(content),
        centre=centre if centre is not None else getattr(obj, "centre", None),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
    )
    signature.full_clean()
    signature.save()
    audit_record(
        actor=signer if signature.signer_id else f"{signature.signer_name} (no account)",
        action=Action.SIGNATURE_RECORDED,
        obj=obj,
        centre=signature.centre,
        details={
            "kind": kind,
            "code": signature.code,
            "signer": signature.signer_name,
            "job_title": signature.signer_job_title,
            "client_ip": signature.client_ip,
            "statement": signature.statement,
            "content_sha256": signature.content_sha256,
        },
    )
    return signature


@dataclass
class SignatureCheck:
    signature: Signature
    current_sha256: str | None
    differences: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.current_sha256 == self.signature.content_sha256


def _differences(signed, now, path="") -> list[str]:
    if isinstance(signed, dict) and isinstance(now, dict):
        out = []
        for key in sorted(set(signed) | set(now), key=str):
            out += _differences(signed.get(key), now.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(signed, list) and isinstance(now, list) and len(signed) == len(now):
        out = []
        for index, (a, b) in enumerate(zip(signed, now, strict=True)):
            out += _differences(a, b, f"{path}[{index}]")
        return out
    if signed != now:
        return [
            f"{path}: signed {json.dumps(signed, ensure_ascii=False, default=str)[:200]}, "
            f"now {json.dumps(now, ensure_ascii=False, default=str)[:200]}"
        ]
    return []


def signature_find(code: str) -> Signature | None:
    return Signature.objects.select_related("signer", "centre").filter(code=normalise_code(code)).first()


def signature_check(signature: Signature) -> SignatureCheck:
    """Rebuild the signed content from the database as it is now and compare its SHA-256 with the signed one."""
    builder = _BUILDERS.get(signature.kind)
    now = builder(signature) if builder is not None else None
    if now is None:
        return SignatureCheck(signature, None, [CONTENT_GONE])
    now = json.loads(canonical(now))
    current = content_sha256(now)
    check = SignatureCheck(signature, current)
    if not check.matches:
        check.differences = _differences(signature.content, now) or ["the content's form changed"]
    return check


def signature_report(check: SignatureCheck) -> list[str]:
    """The lines the command (and the verification page) print about one signature."""
    s = check.signature
    lines = [
        f"Signature {s.display_code}: {s.get_kind_display()}",
        f"Signed by {s.signer_name}{', ' + s.signer_job_title if s.signer_job_title else ''}"
        f"{' (account ' + s.signer.get_username() + ')' if s.signer_id else ' (no account)'}"
        f" on {s.signed_at:%d/%m/%Y %H:%M:%S %Z} from {s.client_ip or 'an unknown address'}",
        f"Statement agreed to: “{s.statement}”",
        f"What was signed: {s.object_type} {s.object_id}; SHA-256 {s.content_sha256}",
    ]
    if check.matches:
        lines.append("The content still matches what was signed.")
    else:
        lines.append(
            f"The content DOES NOT MATCH what was signed (now SHA-256 {check.current_sha256 or '—'}):"
        )
        lines += [f"  {d}" for d in check.differences]
    return lines


def signatures_of(objs, kinds=None) -> dict[tuple[str, int], Signature]:
    """{(kind, object pk): the newest signature} of these objects (all of one model), one query."""
    objs = list(objs)
    if not objs:
        return {}
    qs = Signature.objects.filter(
        object_type=objs[0]._meta.label_lower, object_id__in=[str(o.pk) for o in objs]
    )
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    found = {}
    for signature in qs.order_by("id"):
        found[(signature.kind, int(signature.object_id))] = signature
    return found

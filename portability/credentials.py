"""Open Badges 3.0 credentials (1EdTech OB 3.0: OpenBadgeCredential, a W3C Verifiable Credential, JSON-LD).

One credential per claimed unit (achievementType Competency) or claimed qualification. The issuer is the
centre, named by the did:key of its signing key, so the proof's verificationMethod binds to the issuer
itself. The proof is a Data Integrity proof, cryptosuite eddsa-jcs-2022 (W3C vc-di-eddsa): the SHA-256
of the canonical (RFC 8785) proof configuration, then of the canonical credential, signed with Ed25519.
Revocation is the 1EdTechRevocationList status the credential names, answered by this site.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.urls import reverse

from . import keys
from .canonical import canonical_json, from_multibase_b58, multibase_b58

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CRYPTOSUITE = "eddsa-jcs-2022"
STATUS_TYPE = "1EdTechRevocationList"


def _utc(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _urn(kind: str, ref: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'portfolio:{kind}:{ref}')}"


def _level(level: str) -> str:
    return f"Level {level}" if level and level[0].isdigit() else (level or "")


def achievement_for_unit(unit, qualification, criteria) -> dict:
    criteria_lines = "\n".join(f"- {c.ref} {c.text}" for c in criteria)
    description = (
        f"Unit {unit.number} of the {qualification.awarding_body} {qualification.code} "
        f"{qualification.title}: {unit.title}."
    )
    facts = [
        x
        for x in (
            _level(unit.level),
            f"{unit.credits} credits" if unit.credits is not None else "",
            f"unit accreditation number {unit.accreditation_number}" if unit.accreditation_number else "",
        )
        if x
    ]
    if facts:
        description += " " + ", ".join(facts).capitalize() + "."
    achievement = {
        "id": _urn("unit", unit.ref),
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": unit.title,
        "description": description,
        "criteria": {
            "narrative": "Every assessment criterion of the unit was met and assessed, and the "
            "assessment internally quality assured:\n" + criteria_lines
            if criteria_lines
            else "Every assessment criterion of the unit was met and assessed."
        },
        "humanCode": unit.accreditation_number or unit.ref,
        "tag": [t for t in (_level(unit.level), qualification.code, f"unit {unit.number}") if t],
        "creator": {
            "id": _urn("awarding-body", qualification.awarding_body),
            "type": ["Profile"],
            "name": qualification.awarding_body,
        },
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": unit.ref, "identifierType": "identifier"}
        ],
    }
    if unit.accreditation_number:
        achievement["otherIdentifier"].append(
            {
                "type": "IdentifierEntry",
                "identifier": unit.accreditation_number,
                "identifierType": "identifier",
            }
        )
    if unit.credits is not None:
        achievement["creditsAvailable"] = unit.credits
    return achievement


def achievement_for_qualification(qualification, credits: int) -> dict:
    achievement = {
        "id": _urn("qualification", qualification.code),
        "type": ["Achievement"],
        "achievementType": "Diploma" if "diploma" in qualification.title.lower() else "Certificate",
        "name": qualification.title,
        "description": (
            f"The {qualification.awarding_body} {qualification.code} {qualification.title}, "
            f"achieved under its rules of combination ({credits} credits)."
        ),
        "criteria": {
            "narrative": "The rules of combination of the qualification were met by units each assessed "
            "and internally quality assured."
        },
        "humanCode": qualification.accreditation_number or qualification.code,
        "tag": [t for t in (_level(qualification.level), qualification.code) if t],
        "creator": {
            "id": _urn("awarding-body", qualification.awarding_body),
            "type": ["Profile"],
            "name": qualification.awarding_body,
        },
        "creditsAvailable": credits,
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": qualification.code, "identifierType": "identifier"}
        ],
    }
    return achievement


def build_credential(*, key_row, candidate, achievement: dict, credential_uuid, issued_at) -> dict:
    """The unsigned OpenBadgeCredential."""
    did = keys.did_key(key_row.public_key)
    centre = key_row.centre
    identifiers = [
        {
            "type": "IdentityObject",
            "identityHash": candidate.get_full_name() or candidate.username,
            "identityType": "name",
            "hashed": False,
        }
    ]
    if candidate.email:
        salt = secrets.token_hex(8)
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
                "identityHash": "sha256$"
                + hashlib.sha256((candidate.email.lower() + salt).encode()).hexdigest(),
            }
        )
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{credential_uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": did,
            "type": ["Profile"],
            "name": centre.name,
            "url": _site(reverse("portability:centre_key", args=[centre.number])),
            "otherIdentifier": [
                {"type": "IdentifierEntry", "identifier": centre.number, "identifierType": "identifier"}
            ],
        },
        "validFrom": _utc(issued_at),
        "name": achievement["name"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": _site(reverse("portability:credential_status", args=[credential_uuid])),
            "type": STATUS_TYPE,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _hash_data(proof_config: dict, document: dict) -> bytes:
    return (
        hashlib.sha256(canonical_json(proof_config)).digest()
        + hashlib.sha256(canonical_json(document)).digest()
    )


def sign_credential(document: dict, key_row, *, created) -> dict:
    """Add an eddsa-jcs-2022 DataIntegrityProof (vc-di-eddsa, section 3.3) and return the secured credential."""
    did = keys.did_key(key_row.public_key)
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _utc(created),
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = dict(options, **{"@context": unsecured["@context"]})
    proof = dict(options, proofValue=multibase_b58(keys.sign(key_row, _hash_data(config, unsecured))))
    return dict(unsecured, proof=[proof])


@dataclass
class CredentialReport:
    errors: list[str] = field(default_factory=list)
    revoked: bool | None = None
    issuer: str = ""
    achievement: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.revoked

    def lines(self) -> list[str]:
        out = list(self.errors)
        if self.revoked:
            out.append("The credential has been revoked by its issuer.")
        out.append(
            f"Credential verified: {self.achievement}, issued by {self.issuer}."
            if self.ok
            else "Credential NOT verified."
        )
        return out


def _has_type(obj, wanted: str) -> bool:
    kinds = obj.get("type") if isinstance(obj, dict) else None
    return wanted == kinds or (isinstance(kinds, list) and wanted in kinds)


def check_shape(document) -> list[str]:
    """The OB 3.0 required properties and types (AchievementCredential, Profile, AchievementSubject, Achievement)."""
    errors = []
    if not isinstance(document, dict):
        return ["The credential is not a JSON object."]
    context = document.get("@context")
    if not (
        isinstance(context, list)
        and len(context) >= 2
        and context[0] == VC_CONTEXT
        and any(
            isinstance(c, str) and c.startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
            for c in context[1:]
        )
    ):
        errors.append("@context must start with the VC 2.0 context and include the OB 3.0 context.")
    for required in ("id", "type", "issuer", "validFrom", "name", "credentialSubject"):
        if not document.get(required):
            errors.append(f"The credential has no {required}.")
    if not (
        _has_type(document, "VerifiableCredential")
        and (_has_type(document, "OpenBadgeCredential") or _has_type(document, "AchievementCredential"))
    ):
        errors.append("type must hold VerifiableCredential and OpenBadgeCredential.")
    issuer = document.get("issuer")
    if not (isinstance(issuer, dict) and issuer.get("id") and _has_type(issuer, "Profile")):
        errors.append("issuer must be a Profile with an id.")
    subject = document.get("credentialSubject")
    if not (isinstance(subject, dict) and _has_type(subject, "AchievementSubject")):
        errors.append("credentialSubject must be an AchievementSubject.")
        return errors
    achievement = subject.get("achievement")
    if not (isinstance(achievement, dict) and _has_type(achievement, "Achievement")):
        errors.append("credentialSubject.achievement must be an Achievement.")
        return errors
    for required in ("id", "name", "description", "criteria"):
        if not achievement.get(required):
            errors.append(f"The achievement has no {required}.")
    criteria = achievement.get("criteria")
    if isinstance(criteria, dict) and not (criteria.get("id") or criteria.get("narrative")):
        errors.append("The achievement's criteria need an id or a narrative.")
    return errors


def verify_credential(document, *, revoked_lookup=None, known_key_lookup=None) -> CredentialReport:
    """Check shape, proof and status. revoked_lookup(id) -> bool | None; known_key_lookup(centre_no) -> hex | None."""
    report = CredentialReport(errors=check_shape(document))
    if report.errors:
        return report
    report.issuer = document["issuer"].get("name", document["issuer"]["id"])
    report.achievement = document["credentialSubject"]["achievement"].get("name", "")
    proofs = document.get("proof")
    proofs = [proofs] if isinstance(proofs, dict) else proofs
    if not proofs or not isinstance(proofs, list):
        report.errors.append("The credential carries no proof.")
        return report
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    issuer_did = document["issuer"]["id"]
    valid = False
    for proof in proofs:
        if (
            not isinstance(proof, dict)
            or proof.get("type") != "DataIntegrityProof"
            or proof.get("cryptosuite") != CRYPTOSUITE
            or proof.get("proofPurpose") != "assertionMethod"
        ):
            continue
        method = str(proof.get("verificationMethod", ""))
        if method.split("#", 1)[0] != issuer_did:  # the key must be the issuer's own
            continue
        try:
            public_key = keys.public_key_from_did(method)
            signature = from_multibase_b58(str(proof.get("proofValue", "")))
        except ValueError:
            continue
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        config = dict(options, **{"@context": unsecured["@context"]})
        if keys.verify(public_key, signature, _hash_data(config, unsecured)):
            valid = True
            if known_key_lookup is not None:
                numbers = [
                    i.get("identifier")
                    for i in document["issuer"].get("otherIdentifier", [])
                    if isinstance(i, dict)
                ]
                known = next((k for k in (known_key_lookup(n) for n in numbers) if k), None)
                if known is not None and known != public_key:
                    report.errors.append("The proof's key is not the key this site publishes for the centre.")
            break
    if not valid:
        report.errors.append(
            "The proof does not verify: the credential was altered or not signed by its issuer."
        )
        return report
    if revoked_lookup is not None:
        report.revoked = revoked_lookup(document.get("id", ""))
    return report

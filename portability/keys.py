"""Centre signing keys (Ed25519): created on first use, private half encrypted at rest, did:key names.

The private key is encrypted with a key derived from settings.PORTABILITY_KEY_SECRET (default: the
SECRET_KEY). Rotating that secret without re-encrypting makes existing keys unusable: see README.
"""

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.db import IntegrityError, transaction

from audit.actions import Action
from audit.services import audit_record

from .canonical import from_multibase_b58, multibase_b58
from .models import CentreKey

ED25519_MULTICODEC = b"\xed\x01"
KEY_UNREADABLE = (
    "The centre's signing key cannot be decrypted with this site's key secret "
    "(PORTABILITY_KEY_SECRET / DJANGO_SECRET_KEY changed?)."
)


def _fernet() -> Fernet:
    secret = (getattr(settings, "PORTABILITY_KEY_SECRET", "") or settings.SECRET_KEY).encode()
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"portfolio-centre-keys", info=b"fernet"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def centre_key(centre) -> CentreKey:
    """The centre's key row, made (and audited) the first time anything is signed."""
    existing = CentreKey.objects.filter(centre=centre).first()
    if existing:
        return existing
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        with transaction.atomic():
            row = CentreKey.objects.create(
                centre=centre,
                public_key=raw_public.hex(),
                private_key_encrypted=_fernet().encrypt(raw_private).decode(),
            )
            audit_record(
                actor=None,
                action=Action.PORTABILITY_CENTRE_KEY_CREATED,
                obj=row,
                centre=centre,
                details={"fingerprint": row.fingerprint},
            )
    except IntegrityError:  # made by a concurrent request
        row = CentreKey.objects.get(centre=centre)
    return row


def private_key(row: CentreKey) -> Ed25519PrivateKey:
    try:
        raw = _fernet().decrypt(row.private_key_encrypted.encode())
    except InvalidToken as exc:
        raise RuntimeError(KEY_UNREADABLE) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(row: CentreKey, data: bytes) -> bytes:
    return private_key(row).sign(data)


def verify(public_key_hex: str, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def did_key(public_key_hex: str) -> str:
    """did:key for an Ed25519 public key (multicodec 0xed01, base58-btc)."""
    return "did:key:" + multibase_b58(ED25519_MULTICODEC + bytes.fromhex(public_key_hex))


def public_key_from_did(did: str) -> str:
    """The hex public key named by a did:key (fragment ignored); ValueError if it is not one."""
    if not did.startswith("did:key:"):
        raise ValueError("not a did:key")
    raw = from_multibase_b58(did[len("did:key:") :].split("#", 1)[0])
    if not raw.startswith(ED25519_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 did:key")
    return raw[2:].hex()

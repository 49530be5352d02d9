"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and the encodings signatures are carried in.

Our documents hold only strings, integers, booleans, null, lists and objects, for which RFC 8785 is
exactly: object keys sorted by UTF-16 code units, no insignificant whitespace, strings escaped as
ECMAScript's JSON.stringify does (which json.dumps with ensure_ascii=False matches for these types).
Floats are refused rather than serialised differently from RFC 8785's number rules.
"""

import json

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _check(value):
    if isinstance(value, float):
        raise ValueError("canonical JSON here carries no floating-point numbers")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError("object keys must be strings")
            _check(v)
    elif isinstance(value, list):
        for v in value:
            _check(v)


def _sort_key(key: str):
    return key.encode("utf-16-be")


def _sorted(value):
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value, key=_sort_key)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def canonical_json(value) -> bytes:
    """The RFC 8785 bytes of value."""
    _check(value)
    return json.dumps(_sorted(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rem = divmod(number, 58)
        out = B58_ALPHABET[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        index = B58_ALPHABET.find(ch)
        if index < 0:
            raise ValueError(f"not base58: {ch!r}")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_b58(data: bytes) -> str:
    """Multibase base58-btc ('z' prefix), as Data Integrity proofs and did:key carry values."""
    return "z" + b58encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not a multibase base58-btc value")
    return b58decode(text[1:])

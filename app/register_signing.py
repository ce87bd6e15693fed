"""Signed requests between an installation and the register (README, "Het gedeelde
register"; docs/architecture-register.md).

Each installation holds its own Ed25519 private key (a PEM file, REGISTER_KEY_FILE); the
register holds only the public halves, registered by its beheerder. A request carries:

    Rodeknop-Member: <member id>
    Rodeknop-Date: <unix time, seconds>
    Content-Digest: sha-256=:<base64 of the SHA-256 of the body>:
    Rodeknop-Signature: <base64 Ed25519 signature of the signing string>

and the signing string is, one per line: "rodeknop-register-1", the method, the path with
its query, the member id, the date and the Content-Digest. The register refuses a request
whose date is more than REGISTER_MAX_SKEW_SECONDS from its clock (an old one sent again),
whose digest does not match the body, or whose signature does not verify under that
member's key. What the register does with a request is idempotent besides (the same
message twice changes nothing), so a repeat within the window does no harm."""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.i18n import N_

SCHEME = "rodeknop-register-1"
MEMBER_HEADER = "Rodeknop-Member"
DATE_HEADER = "Rodeknop-Date"
DIGEST_HEADER = "Content-Digest"
SIGNATURE_HEADER = "Rodeknop-Signature"


def new_private_key_pem() -> bytes:
    """A new Ed25519 private key, PEM (PKCS#8, unencrypted: protect the file itself)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key_text(private_key: Ed25519PrivateKey) -> str:
    """The public half as the register's beheerder enters it: 32 raw bytes, base64."""
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def parse_public_key(text: str | None) -> Ed25519PublicKey | None:
    """The key from its base64 text, or None when it is not one."""
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None
    except (binascii.Error, ValueError):
        return None


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def signing_string(method: str, path: str, member: str, date: str, digest: str) -> bytes:
    return "\n".join((SCHEME, method.upper(), path, member, date, digest)).encode()


def sign(private_key: Ed25519PrivateKey, member: str, method: str, path: str, body: bytes) -> dict[str, str]:
    """The headers that sign one request."""
    date = str(int(time.time()))
    digest = content_digest(body)
    signature = private_key.sign(signing_string(method, path, member, date, digest))
    return {
        MEMBER_HEADER: member,
        DATE_HEADER: date,
        DIGEST_HEADER: digest,
        SIGNATURE_HEADER: base64.b64encode(signature).decode(),
    }


@dataclass(frozen=True)
class Claim:
    """What a request says about itself, before anything is checked."""

    member: str
    date: str
    digest: str
    signature: str


def read_claim(headers) -> Claim:
    return Claim(
        member=(headers.get(MEMBER_HEADER) or "").strip()[:40],
        date=(headers.get(DATE_HEADER) or "").strip(),
        digest=(headers.get(DIGEST_HEADER) or "").strip(),
        signature=(headers.get(SIGNATURE_HEADER) or "").strip(),
    )


def problem_with(
    claim: Claim,
    public_key: Ed25519PublicKey | None,
    method: str,
    path: str,
    body: bytes,
    *,
    max_skew: int,
    now: float | None = None,
) -> str | None:
    """Why the request must be refused (in Dutch, for the register's log; a msgid, so the
    members page shows it in its reader's language), or None."""
    if not claim.member or not claim.date or not claim.digest or not claim.signature:
        return N_("Ondertekening ontbreekt of is onvolledig.")
    if public_key is None:
        return N_("Onbekend of niet actief lid, of geen geldige sleutel.")
    try:
        moment = int(claim.date)
    except ValueError:
        return N_("Ongeldige datum.")
    if abs((now if now is not None else time.time()) - moment) > max_skew:
        return N_("Datum te oud of in de toekomst (mogelijk een herhaald verzoek).")
    if claim.digest != content_digest(body):
        return N_("Inhoud klopt niet met de Content-Digest.")
    try:
        signature = base64.b64decode(claim.signature, validate=True)
        public_key.verify(signature, signing_string(method, path, claim.member, claim.date, claim.digest))
    except (binascii.Error, ValueError, InvalidSignature):
        return N_("Handtekening klopt niet.")
    return None

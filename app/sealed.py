"""Secrets the app must read back (a TOTP secret, a webhook's signing secret), stored
encrypted: Fernet, with a key derived from SECRET_KEY by HKDF, one key per purpose. A
database dump alone does not give them away; a new SECRET_KEY makes them unreadable."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet(purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"rodeknop-{purpose}".encode()).derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, purpose: str) -> str:
    """`value` encrypted for storage, under the key for `purpose` (e.g. "totp-secret")."""
    return _fernet(purpose).encrypt(value.encode()).decode()


def unseal(stored: str | None, purpose: str) -> str | None:
    """What seal stored, or None (nothing stored, or stored under another SECRET_KEY)."""
    if not stored:
        return None
    try:
        return _fernet(purpose).decrypt(stored.encode()).decode()
    except InvalidToken:
        return None

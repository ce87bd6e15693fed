"""Opaque cursors for the API's lists: the keyset of the last item of a page (the values of
the list's order, ending with the id). Encrypted and authenticated (Fernet, with a key
derived from SECRET_KEY): a caller can neither read a cursor (the moment of an anonymous
report is not theirs to know to the minute) nor make one. A cursor belongs to one list
(its `kind`)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from app.models.base import INT_MAX

CURSOR_MAX = 400


class BadCursor(ValueError):
    pass


def _fernet() -> Fernet:
    key = hashlib.sha256(("rode-knop-api-cursor:" + current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encode(kind: str, moment: datetime, item_id: int) -> str:
    return _fernet().encrypt(json.dumps([kind, moment.isoformat(), item_id]).encode()).decode()


def decode(kind: str, value: str | None) -> tuple[datetime, int] | None:
    """(moment, id) of a cursor of this list; None without one; BadCursor otherwise."""
    if value is None or value == "":
        return None
    if len(value) > CURSOR_MAX:
        raise BadCursor(value)
    try:
        found_kind, moment, item_id = json.loads(_fernet().decrypt(value.encode("ascii")))
        if found_kind != kind or not isinstance(item_id, int) or not 1 <= item_id <= INT_MAX:
            raise BadCursor(value)
        found = datetime.fromisoformat(moment)
        if found.tzinfo is None:
            raise BadCursor(value)
        return found, item_id
    except (InvalidToken, UnicodeError, ValueError, TypeError) as error:
        raise BadCursor(value) from error

"""Opaque cursors for the API's lists: the keyset of the last item of a page (the values of
the list's order, ending with the id), signed so that a cursor is either one we made or
refused. A cursor belongs to one list (its `kind`)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.models.base import INT_MAX

CURSOR_MAX = 400


class BadCursor(ValueError):
    pass


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="rode-knop-api-cursor")


def encode(kind: str, moment: datetime, item_id: int) -> str:
    return _serializer().dumps([kind, moment.isoformat(), item_id])


def decode(kind: str, value: str | None) -> tuple[datetime, int] | None:
    """(moment, id) of a cursor of this list; None without one; BadCursor otherwise."""
    if value is None or value == "":
        return None
    if len(value) > CURSOR_MAX:
        raise BadCursor(value)
    try:
        found_kind, moment, item_id = _serializer().loads(value)
        if found_kind != kind or not isinstance(item_id, int) or not 1 <= item_id <= INT_MAX:
            raise BadCursor(value)
        return datetime.fromisoformat(moment), item_id
    except (BadSignature, ValueError, TypeError) as error:
        raise BadCursor(value) from error

"""A `limits` storage in the application's own database, so login throttling holds across
every gunicorn worker without a Redis or memcached server. Select it with
RATELIMIT_STORAGE_URI=database:// (the default); redis:// and memcached:// still work."""

from __future__ import annotations

import time

from flask import has_app_context
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.transactions import reader, writer

_INCR = text(
    "INSERT INTO rate_limit (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limit.expires_at <= :now THEN :amount ELSE rate_limit.hits + :amount END, "
    "expires_at = CASE WHEN rate_limit.expires_at <= :now THEN :expires ELSE rate_limit.expires_at END "
    "RETURNING hits"
)


def _end_request_transaction() -> None:
    """SQLite has one writer at a time, and a POST request's transaction holds the write
    lock from its start (BEGIN IMMEDIATE, app/transactions.py), so the counters' own
    writing connection would wait for the request's session until it gives up ("database
    is locked"). Counters are written after the view finished (Flask-Limiter's request
    hooks; only failed attempts are counted, on the response), when whatever the session
    still holds was committed or refused: end that transaction first, as the request's
    teardown would. Reading a counter needs no such care: it begins DEFERRED."""
    if has_app_context() and db.engine.dialect.name == "sqlite" and db.session().in_transaction():
        db.session.rollback()


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit` table, one atomic statement per hit."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        _end_request_transaction()
        # Its own short transaction, apart from the request's session, that waits its turn
        # to write (IMMEDIATE) also within a GET request.
        with writer(db.engine).begin() as conn:
            conn.execute(text("DELETE FROM rate_limit WHERE expires_at < :old"), {"old": now - 86400})
            return conn.execute(_INCR, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).scalar_one()

    def get(self, key: str) -> int:
        with reader(db.engine).connect() as conn:
            value = conn.execute(
                text("SELECT hits FROM rate_limit WHERE key = :key AND expires_at > :now"),
                {"key": key, "now": time.time()},
            ).scalar()
            conn.rollback()
        return int(value or 0)

    def get_expiry(self, key: str) -> float:
        with reader(db.engine).connect() as conn:
            value = conn.execute(text("SELECT expires_at FROM rate_limit WHERE key = :key"), {"key": key}).scalar()
            conn.rollback()
        return float(value) if value is not None else time.time()

    def check(self) -> bool:
        try:
            with reader(db.engine).connect() as conn:
                conn.execute(text("SELECT 1"))
                conn.rollback()
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with writer(db.engine).begin() as conn:
            return conn.execute(text("DELETE FROM rate_limit")).rowcount

    def clear(self, key: str) -> None:
        with writer(db.engine).begin() as conn:
            conn.execute(text("DELETE FROM rate_limit WHERE key = :key"), {"key": key})

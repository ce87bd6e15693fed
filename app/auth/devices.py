"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies"): a browser
that logged in successfully as an account gets a signed cookie saying so. Login attempts
for that account from that browser are then counted on their own, so nobody can lock a
colleague out by guessing wrong passwords for their account, nor a whole municipality
behind one address by guessing from it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import Response, current_app, request, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.services.users import normalize_email

COOKIE_NAME = "rk_apparaat"
MAX_AGE = 180 * 24 * 3600
# Accounts remembered per browser (a computer several colleagues share).
MAX_ACCOUNTS = 5


@dataclass(frozen=True)
class Device:
    """One account this browser logged in as: `nonce` names this browser for that account."""

    user_id: int
    nonce: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="rodeknop-device-cookie")


def _password_mark(user: User) -> str:
    """Changes whenever the password does, so a password change untrusts every browser."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _entries() -> list[dict]:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or len(raw) > 4096:
        return []
    try:
        entries = _serializer().loads(raw, max_age=MAX_AGE)
    except BadData:
        return []
    if not isinstance(entries, list):
        return []
    return [
        entry
        for entry in entries[:MAX_ACCOUNTS]
        if isinstance(entry, dict) and isinstance(entry.get("u"), int) and isinstance(entry.get("n"), str)
    ]


def trusted_device(email: str | None) -> Device | None:
    """This browser, if it logged in before as the account with `email` and that account's
    password has not changed since."""
    wanted = normalize_email(email or "")
    for entry in _entries():
        user = db.session.get(User, entry["u"])
        if user is not None and user.active and user.email == wanted and entry.get("p") == _password_mark(user):
            return Device(user.id, entry["n"])
    return None


def remember_device(response: Response, user: User) -> None:
    """After a successful login: this browser is trusted for `user` for the next 180 days."""
    others = [entry for entry in _entries() if entry["u"] != user.id]
    entries = [{"u": user.id, "p": _password_mark(user), "n": secrets.token_urlsafe(16)}, *others]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(entries[:MAX_ACCOUNTS]),
        max_age=MAX_AGE,
        path=url_for("auth.login"),  # only the login form needs it
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )

"""Tokens and calls for the API tests (tests/test_api*.py, tests/test_api_schemathesis.py)."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.tokens import allowed_scopes, create_token


def token_for(user: User, scopes=None, *, days: int = 30, name: str = "test") -> str:
    """A valid token acting as `user`, with `scopes` (default: every scope its roles allow)."""
    _token, secret = create_token(user, name=name, scopes=scopes or allowed_scopes(user), days=days, actor=user)
    db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}

"""Every API operation x every kind of token: the declared table tests/route_table.py
API_TABLE (no token, expired, revoked, each role's token, a token without the scope)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for

from app.extensions import db
from app.models import ApiToken, User
from app.models.base import utcnow
from app.services.tokens import revoke_token
from tests.api_helpers import bearer, token_for
from tests.factories import make_user
from tests.route_table import API_OPERATIONS, API_TABLE, ROLE_GRANTS, TOKENS
from tests.test_security_routes import _counts, _world


def test_every_api_operation_is_in_the_token_table(app):
    operations = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert operations == set(API_TABLE) == set(API_OPERATIONS)
    for key, row in API_TABLE.items():
        assert set(row) == set(TOKENS), key


def _secret(app, column: str) -> str | None:
    if column == "none":
        return None
    with app.app_context():
        role = column.removesuffix("-read")
        role = "coach" if column in ("expired", "revoked") else role
        user = db.session.scalar(db.select(User).where(User.email == f"{role}@example.test"))
        if user is None:
            user = make_user(f"Token {role}", email=f"{role}@example.test", roles=ROLE_GRANTS[role])
        secret = token_for(user, ["read"] if column.endswith("-read") else None, name=column)
        token = db.session.scalar(db.select(ApiToken).order_by(ApiToken.id.desc()))
        if column == "expired":
            token.expires_at = utcnow() - timedelta(minutes=1)
        if column == "revoked":
            revoke_token(token, actor=user)
        db.session.commit()
        return secret


@pytest.mark.parametrize("column", TOKENS)
def test_api_table_cells(app, column):
    role = column.removesuffix("-read") if column not in ("none", "expired", "revoked") else "coach"
    params = _world(app, role)
    params["column"] = "nieuw"
    secret = _secret(app, column)
    client = app.test_client()
    headers = bearer(secret) if secret else {}
    failures = []
    for endpoint, method in sorted(API_TABLE, key=lambda key: (key[1] != "GET", key[0])):
        expected = API_TABLE[(endpoint, method)][column]
        rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
        with app.test_request_context():
            url = url_for(endpoint, **{name: params[name] for name in rule.arguments})
        before = _counts(app)
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, json={}, headers=headers)
        if response.status_code != expected:
            failures.append(f"{column} {method} {url}: {response.status_code}, expected {expected}")
        elif expected >= 400:
            if response.mimetype != "application/problem+json":
                failures.append(f"{column} {method} {url}: {expected} not as problem+json")
            elif _counts(app) != before:
                failures.append(f"{column} {method} {url}: changed the database while answering {expected}")
    assert not failures, "\n".join(failures)

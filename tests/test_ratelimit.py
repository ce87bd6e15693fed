"""Login throttling counted in the database, so every web worker sees the same count."""

from __future__ import annotations

from app.extensions import db
from tests.conftest import _app_for, csrf_token
from tests.factories import make_user


def _attempt(client, email: str, password: str = "fout wachtwoord"):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token})


def test_account_limit_holds_across_two_app_instances(app, database_url):
    # Two app objects stand in for two gunicorn workers: they share only the database.
    other_worker = _app_for(database_url)
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = other_worker.config["LOGIN_LIMIT_PER_ACCOUNT"] = "4 per 10 minutes"
    with app.app_context():
        make_user(email="doelwit@example.test")
        db.session.commit()
    first, second = app.test_client(), other_worker.test_client()
    statuses = [_attempt(client, "doelwit@example.test").status_code for client in (first, second, first, second)]
    assert statuses == [400, 400, 400, 400]
    blocked = _attempt(first, "doelwit@example.test")
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)
    # Also the right password is refused while the account is throttled ...
    assert _attempt(second, "doelwit@example.test", "correct horse battery staple").status_code == 429
    # ... while another account can still log in from elsewhere.
    with app.app_context():
        make_user(email="ander@example.test")
        db.session.commit()
    assert _attempt(app.test_client(), "ander@example.test", "correct horse battery staple").status_code == 302
    with other_worker.app_context():
        db.engine.dispose()


def test_behind_a_proxy_each_client_has_its_own_limit(app, database_url):  # app: empties the tables afterwards
    # With PROXY_COUNT=1 the client address comes from X-Forwarded-For, so one busy client
    # does not lock everyone out who comes through the same proxy.
    from config import TestConfig

    class BehindProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        PROXY_COUNT = 1
        LOGIN_LIMIT_PER_CLIENT = "3 per 10 minutes"

    from app import create_app

    proxied = create_app(BehindProxy)
    client = proxied.test_client()

    def attempt(address: str, email: str) -> int:
        token = csrf_token(client, "/inloggen")
        return client.post(
            "/inloggen",
            data={"email": email, "password": "fout", "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("10.0.0.1", f"a{i}@example.test") for i in range(3)] == [400, 400, 400]
    assert attempt("10.0.0.1", "a9@example.test") == 429
    assert attempt("10.0.0.2", "b@example.test") == 400
    with proxied.app_context():
        db.engine.dispose()


def test_a_forged_client_address_is_counted_but_never_stored(app, database_url):  # app: empties the tables
    """Behind a proxy the client address comes from a header; whatever it holds, the
    counter's key is a hash of bounded length (the column holds 255 characters)."""
    from sqlalchemy import text

    from app import create_app
    from config import TestConfig

    class BehindProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        PROXY_COUNT = 1

    proxied = create_app(BehindProxy)
    client = proxied.test_client()
    for address in ("x" * 5000, "10.0.0.1\x00<script>", "🤷🏽‍♀️"):
        token = csrf_token(client, "/inloggen")
        response = client.post(
            "/inloggen",
            data={"email": "iemand@example.test", "password": "fout", "csrf_token": token},
            headers={"X-Forwarded-For": address},
        )
        assert response.status_code == 400
    with proxied.app_context(), db.engine.connect() as conn:
        keys = [row[0] for row in conn.execute(text("SELECT key FROM rate_limit"))]
        conn.rollback()
    assert keys and all(len(key) <= 255 and "xxxx" not in key and "script" not in key for key in keys)
    with proxied.app_context():
        db.engine.dispose()

"""Fixtures: a migrated database (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
a fresh app per test, a test client with CSRF on, and helpers to log in."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import TestConfig

# The OpenID Connect provider and the apps configured for it (tests/oidc/fixtures.py).
pytest_plugins = ["tests.oidc.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
STARTING_ADDRESSEES: list[tuple] = []
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Lines tests/test_fuzz.py reports (requests, 500s, corrupted rows), shown after the run.
FUZZ_SUMMARY: list[str] = []

# Tables emptied between tests, children first. (addressee is put back to the starting
# list that the migration inserts.)
TABLES = [
    "triage_item",
    "triage_attendee",
    "triage_session",
    "outbox_message",
    "checkback_answer",
    "checkback_invite",
    "event",
    "support",
    "report",
    "dossier_event",
    "dossier",
    "job_run",
    "audit_entry",
    "user_role",
    "recovery_code",
    "mail_preference",
    "user",
    "department",
    "rate_limit",
]


def _database_url(tmp_dir: Path) -> str:
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def database_url():
    tmp_dir = Path(tempfile.mkdtemp(prefix="rodeknop-test-"))
    url = _database_url(tmp_dir)
    from flask_migrate import upgrade

    app = _app_for(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            STARTING_ADDRESSEES[:] = [
                tuple(row) for row in conn.execute(text("SELECT id, name, kind, active FROM addressee"))
            ]
            conn.rollback()
        db.engine.dispose()
    yield url
    shutil.rmtree(tmp_dir, ignore_errors=True)


def _app_for(url: str, **overrides):
    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(_Config)
    app.config.update({"WTF_CSRF_ENABLED": True})
    app.config.update(overrides)
    return app


def _empty_tables(app, *, quick: bool = False) -> None:
    """Between tests: TRUNCATE on PostgreSQL (ids start at 1 again), and a fresh pool.
    `quick`, within a test that needs a fresh world many times: DELETE, which on a few
    rows is much faster than TRUNCATE, on the same connections."""
    with app.app_context():
        with db.engine.begin() as conn:
            # An addressee's default owner points at a user about to go.
            conn.execute(text("UPDATE addressee SET default_owner_id = NULL"))
            if conn.dialect.name == "postgresql" and not quick:
                conn.execute(
                    text(
                        "TRUNCATE "
                        + ", ".join(f'"{t}"' for t in TABLES)
                        + ", report_search, search_word RESTART IDENTITY CASCADE"
                    )
                )
            else:
                for table in TABLES:
                    conn.execute(text(f'DELETE FROM "{table}"'))
                conn.execute(
                    text("DELETE FROM report_search" if conn.dialect.name == "postgresql" else "DELETE FROM report_fts")
                )
                conn.execute(text("DELETE FROM search_word"))
            # The addressee list the migration starts with stays; what a test changed goes.
            ids = [row[0] for row in STARTING_ADDRESSEES]
            conn.execute(text("DELETE FROM addressee WHERE id NOT IN (" + ",".join(str(i) for i in ids) + ")"))
            for row_id, name, kind, active in STARTING_ADDRESSEES:
                values = {"id": row_id, "name": name, "kind": kind, "active": active}
                updated = conn.execute(
                    text("UPDATE addressee SET name = :name, kind = :kind, active = :active WHERE id = :id"), values
                )
                if updated.rowcount == 0:  # TRUNCATE ... CASCADE took it along (its FK to user)
                    conn.execute(
                        text("INSERT INTO addressee (id, name, kind, active) VALUES (:id, :name, :kind, :active)"),
                        values,
                    )
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence('addressee', 'id'), (SELECT MAX(id) FROM addressee))")
                )
        if not quick:
            db.engine.dispose()


# Tests that must see the production password hasher.
REAL_ARGON2 = {"test_passwords_are_stored_with_argon2id", "test_users_roles_and_sessions"}


@pytest.fixture(autouse=True)
def fast_argon2(request, monkeypatch):
    """Logins are part of most tests; argon2id with production parameters costs ~0.1 s of
    CPU each. Here it runs with tiny parameters (still argon2id). The tests named in
    REAL_ARGON2 keep the real hasher and check its parameters."""
    if request.node.name in REAL_ARGON2:
        return
    from argon2 import PasswordHasher

    import app.services.users as users
    import tests.factories as factories
    from tests.factories import PASSWORD

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    cheap_hash = cheap.hash(PASSWORD)
    monkeypatch.setattr(users, "_hasher", cheap)
    monkeypatch.setattr(users, "_DUMMY_HASH", cheap.hash("rode-knop-dummy-password"))
    monkeypatch.setattr(factories, "password_hash", lambda: cheap_hash)


@pytest.fixture
def app(database_url):
    app = _app_for(database_url)
    yield app
    _empty_tables(app)


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback; the app is configured to deliver to it."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/inloggen") -> str:
    """The CSRF token as a browser would find it in a page's form."""
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Log in through the real login form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str | None = None):
        from tests.factories import PASSWORD

        token = csrf_token(self.client, "/inloggen")
        return self.client.post(
            "/inloggen", data={"email": email, "password": password or PASSWORD, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/uitloggen", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


def post_form(client, path: str, data: dict, form_path: str | None = None):
    """POST like a browser: take the CSRF token from the form page first."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, form_path or path)
    return client.post(path, data=payload)


def pytest_terminal_summary(terminalreporter):
    if FUZZ_SUMMARY:
        terminalreporter.section("hostile input (tests/test_fuzz.py)")
        for line in FUZZ_SUMMARY:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    # In CI a skipped browser or PostgreSQL test counts as a failure.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("CI") and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)

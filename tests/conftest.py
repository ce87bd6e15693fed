"""Fixtures: a migrated database (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
a fresh app per test, a test client with CSRF on, and helpers to log in."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.summary import SECTIONS, section

# The OpenID Connect provider and the apps configured for it (tests/oidc/fixtures.py).
pytest_plugins = ["tests.oidc.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
STARTING_ADDRESSEES: list[tuple] = []
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Lines tests/test_fuzz.py reports (requests, 500s, corrupted rows), shown after the run.
FUZZ_SUMMARY = section("hostile input (tests/test_fuzz.py)")

# Tables emptied between tests, children first. (addressee is put back to the starting
# list that the migration inserts.)
TABLES = [
    "register_delivery",
    "register_publication",
    "register_mirror",
    "register_letter_join",
    "register_entry",
    "register_member",
    "register_refusal",
    "triage_item",
    "triage_attendee",
    "triage_session",
    "outbox_message",
    "checkback_answer",
    "checkback_invite",
    "event",
    "attachment",
    "support",
    "report",
    "dossier_event",
    "dossier",
    "job_run",
    "audit_entry",
    "webhook_delivery",
    "webhook",
    "api_token",
    "user_role",
    "recovery_code",
    "mail_preference",
    "user",
    "department",
    "rate_limit",
    "insight_snapshot",
]


# Under pytest-xdist (`make test` runs the suite in TEST_WORKERS processes) each worker has a
# database of its own: a SQLite file in its own folder, or on PostgreSQL a database named
# after TEST_DATABASE_URL's with the worker's id added, made on the same server if missing.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
INSTANCE_DIR = tempfile.mkdtemp(prefix="rodeknop-instance-")


def _database_url(tmp_dir: Path) -> str:
    if TEST_DATABASE_URL:
        url = make_url(TEST_DATABASE_URL)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        if WORKER:
            url = _worker_database(url)
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{tmp_dir / 'test.db'}"


def _worker_database(url: URL) -> URL:
    mine = url.set(database=f"{url.database}_{WORKER}")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": mine.database})
            if exists.first() is None:
                conn.execute(text(f'CREATE DATABASE "{mine.database}"'))
    finally:
        engine.dispose()
    return mine


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
    # Not the checkout's instance folder: its scheduler lock belongs to `make run`, and
    # each test process has its own.
    app.instance_path = INSTANCE_DIR
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


def send_files(client, path: str, data: dict, files: list[tuple[str, bytes]], form_path: str | None = None):
    """POST a form with files (`files`: (name, content) in its 'attachments' field) as a
    browser does: multipart, with the CSRF token from the form page. The body is encoded in
    memory: the test client's own encoding spools large bodies to a temporary file it never
    closes."""
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    payload = MultiDict(data)
    payload["csrf_token"] = csrf_token(client, form_path or path)
    for name, content in files:
        payload.add(
            "attachments", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
        )
    boundary, body = encode_multipart(payload)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def post_form(client, path: str, data: dict, form_path: str | None = None):
    """POST like a browser: take the CSRF token from the form page first."""
    payload = dict(data)
    payload["csrf_token"] = csrf_token(client, form_path or path)
    return client.post(path, data=payload)


# The longest tests, with their rough share of a run (seconds alone on SQLite). Under
# pytest-xdist they are spread over the workers and run first, so that no worker is left
# with one of them at the end while the others are done.
HEAVY = {
    "tests/test_fuzz.py::test_hostile_input_never_gives_a_500_nor_a_corrupted_row[coach]": 60,
    "tests/test_fuzz.py::test_hostile_input_never_gives_a_500_nor_a_corrupted_row[admin]": 60,
    "tests/test_fuzz.py::test_hostile_input_never_gives_a_500_nor_a_corrupted_row[legal]": 55,
    "tests/test_fuzz.py::test_hostile_input_never_gives_a_500_nor_a_corrupted_row[employee]": 25,
    "tests/test_fuzz.py::test_hostile_input_never_gives_a_500_nor_a_corrupted_row[executive]": 25,
    "tests/test_api_schemathesis.py::test_schemathesis_against_the_live_document": 35,
    "tests/test_anonymity_worlds.py::test_nobody_else_can_tell_who_reported_anonymously": 15,
    "tests/test_notifications.py::test_four_processes_running_the_daily_overview_at_once_send_one": 12,
    "tests/test_jobs.py::test_four_processes_running_the_job_at_once_send_one_reminder": 12,
    "tests/test_webhooks.py::test_the_job_run_by_several_processes_at_once_delivers_each_once": 12,
}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist's worksteal each worker starts with an equal, contiguous share of
    the collected tests: each share begins with some of the HEAVY tests, balanced by their
    weight. (Every worker collects and orders alike, as xdist requires.)"""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    heavy = sorted((item for item in items if item.nodeid in HEAVY), key=lambda item: -HEAVY[item.nodeid])
    if workers < 2 or not heavy:
        return
    rest = [item for item in items if item.nodeid not in HEAVY]
    shares: list[list] = [[] for _ in range(workers)]
    loads = [0] * workers
    for item in heavy:
        lightest = loads.index(min(loads))
        shares[lightest].append(item)
        loads[lightest] += HEAVY[item.nodeid]
    ordered, position = [], 0
    for index, share in enumerate(shares):
        size = len(items) // workers + (1 if index < len(items) % workers else 0)
        filler = max(0, size - len(share))
        ordered += share + rest[position : position + filler]
        position += filler
    items[:] = ordered + rest[position:]


def pytest_terminal_summary(terminalreporter):
    for title, lines in SECTIONS.items():
        if lines:
            terminalreporter.section(title)
            for line in dict.fromkeys(lines):
                terminalreporter.write_line(line)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: a worker's summary lines, for the controller to print."""
    for title, lines in getattr(node, "workeroutput", {}).get("summary", {}).items():
        section(title).extend(lines)


def pytest_unconfigure(config):
    shutil.rmtree(INSTANCE_DIR, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker
        workeroutput["summary"] = {title: list(lines) for title, lines in SECTIONS.items()}
    # In CI a skipped browser or PostgreSQL test counts as a failure.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and os.environ.get("CI") and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)

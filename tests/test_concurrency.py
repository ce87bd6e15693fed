"""Concurrent submissions: no 'database is locked', no lost or duplicate references."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Report
from app.services.reports import submit_report
from tests.factories import make_user


def test_parallel_submissions_all_land_with_unique_references(app):
    with app.app_context():
        user_ids = [make_user().id for _ in range(6)]
        db.session.commit()
    errors: list[BaseException] = []
    per_thread = 5

    def work(user_id: int) -> None:
        from app.models import User

        try:
            for i in range(per_thread):
                with app.app_context():
                    user = db.session.get(User, user_id)
                    submit_report(
                        user, rule=f"Regel {user_id}-{i}", problem="Tegelijk gemeld", submission_key=f"{user_id}-{i}"
                    )
                    db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        numbers = db.session.scalars(db.select(Report.number)).all()
    assert len(numbers) == len(user_ids) * per_thread
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


# --- reads do not take SQLite's write lock; writes still serialise ----------------------


def _hold_write_lock(app):
    """Another connection that has written and not committed: on SQLite it holds the one
    write lock; on PostgreSQL its row lock."""
    conn = db.engine.connect()
    conn.execute(text("UPDATE department SET name = name || ''"))
    conn.execute(text("INSERT INTO rate_limit (key, hits, expires_at) VALUES ('holder', 1, 0)"))
    return conn


def test_a_get_request_is_served_while_another_connection_holds_the_write_lock(app, client, auth):
    with app.app_context():
        user = make_user(email="lezer@example.test")
        submit_report(user, rule="Regel die blijft staan", problem="Gaat mis")
        db.session.commit()
    auth.login("lezer@example.test")
    with app.app_context():
        holder = _hold_write_lock(app)
        try:
            # Were this read to ask for the write lock, it would wait busy_timeout (15 s)
            # and then fail with 'database is locked' (a 500).
            mine = client.get("/mijn-meldingen")
            form = client.get("/melden")
            board_less = client.head("/mijn-meldingen")
        finally:
            holder.rollback()
            holder.close()
    assert mine.status_code == 200 and "Regel die blijft staan" in mine.get_data(as_text=True)
    assert form.status_code == 200
    assert board_less.status_code == 200


def test_safe_methods_begin_deferred_and_everything_else_immediate(app, client, auth):
    """SQLite: reads begin DEFERRED, the rest IMMEDIATE. PostgreSQL: reads run in
    autocommit (no BEGIN and ROLLBACK round trips), the rest in a transaction."""
    from sqlalchemy import event

    with app.app_context():
        make_user(email="begin@example.test")
        db.session.commit()
        begins: list[str] = []
        engine = db.engine
        sqlite = engine.dialect.name == "sqlite"

        def record_sqlite(_conn, _cursor, statement, *_args):
            if statement.startswith("BEGIN"):
                begins.append("read" if statement == "BEGIN DEFERRED" else "write")

        def record_postgresql(conn):  # after app.transactions' own begin listener
            begins.append("read" if conn.connection.dbapi_connection.autocommit else "write")

        listener = ("before_cursor_execute", record_sqlite) if sqlite else ("begin", record_postgresql)
        event.listen(engine, *listener)
    try:
        auth.login("begin@example.test")  # a GET for the token, then a POST
        login_begins = list(begins)
        begins.clear()
        client.get("/mijn-meldingen")
        get_begins = list(begins)
        begins.clear()
        with app.app_context():
            db.session.scalar(text("SELECT 1"))  # no request: a job, the CLI
            db.session.rollback()
        job_begins = list(begins)
    finally:
        event.remove(engine, *listener)
    assert login_begins[0] == "read" and "write" in login_begins[1:]
    assert get_begins and set(get_begins) == {"read"}
    assert job_begins == ["write"]


def test_a_get_reads_in_autocommit_on_postgresql_and_from_one_snapshot_on_sqlite(app):
    """What a GET's reads are, seen from the database. PostgreSQL: each statement is its
    own transaction (a new transaction time each), where a POST's statements share one.
    SQLite: a DEFERRED transaction, one snapshot: what another connection commits in
    between is not seen until the next transaction."""
    from app.models import Department
    from app.transactions import writer

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        moments = text("SELECT now(), pg_sleep(0.01)")
        with app.test_request_context("/bord/", method="GET"):
            first, second = db.session.execute(moments).scalar(), db.session.execute(moments).scalar()
            db.session.rollback()
        assert first < second
        with app.test_request_context("/beheer/afdelingen", method="POST"):
            first, second = db.session.execute(moments).scalar(), db.session.execute(moments).scalar()
            db.session.rollback()
        assert first == second
    else:
        count = db.select(db.func.count(Department.id))
        with app.test_request_context("/bord/", method="GET"):
            before = db.session.scalar(count)
            with writer(db.engine).begin() as other:
                other.execute(db.insert(Department).values(name="Intussen gemaakt", active=True))
            assert db.session.scalar(count) == before
            db.session.rollback()
            assert db.session.scalar(count) == before + 1


def test_a_connection_that_asks_for_autocommit_gets_it_in_a_request_and_outside(app):
    """VACUUM runs outside any transaction: a connection asking for AUTOCOMMIT keeps it,
    in a GET (whose reads are autocommit on PostgreSQL) as in a job (a transaction), and
    the pool's connections come back as the driver made them (the bench vacuums so)."""
    for context in (app.app_context(), app.test_request_context("/bord/", method="GET")):
        with context:
            db.session.scalar(text("SELECT 1"))  # the session's own (kind of) transaction
            db.session.rollback()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM"))
    with app.test_request_context("/bord/", method="GET"):
        db.session.scalar(text("SELECT 1"))
        db.session.close()
        raw = db.engine.raw_connection()
        try:
            # psycopg: not left in autocommit by a GET (sqlite3 before 3.12 has no such flag)
            assert getattr(raw.driver_connection, "autocommit", False) in (False, -1)
        finally:
            raw.close()


def test_start_writing_lets_a_reading_request_write_in_one_transaction(app):
    """A GET that records something after reading (an export's audit line): after
    start_writing() its writes go through, in one transaction (on PostgreSQL the
    connection leaves autocommit; on SQLite the next transaction begins IMMEDIATE)."""
    from app.models import Department
    from app.transactions import start_writing

    with app.test_request_context("/bord/", method="GET"):
        postgres = db.engine.dialect.name == "postgresql"
        before = db.session.scalar(db.select(db.func.count(Department.id)))
        start_writing()
        db.session.add(Department(name="Na het lezen gemaakt", active=True))
        db.session.flush()
        if postgres:
            moments = text("SELECT now(), pg_sleep(0.01)")
            assert db.session.execute(moments).scalar() == db.session.execute(moments).scalar()
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Department.id))) == before + 1


def test_a_write_in_a_get_request_is_refused_before_the_database_sees_it(app):
    from app.models import Department
    from app.transactions import WriteInReadOnlyTransaction

    with app.test_request_context("/bord/", method="GET"):
        db.session.add(Department(name="Gemaakt tijdens een GET", active=True))
        with pytest.raises(WriteInReadOnlyTransaction):
            db.session.flush()
        db.session.rollback()
    with app.app_context():
        assert not db.session.scalar(db.select(Department.id).where(Department.name == "Gemaakt tijdens een GET"))
    with app.test_request_context("/beheer/afdelingen", method="POST"):
        db.session.add(Department(name="Gemaakt tijdens een POST", active=True))
        db.session.commit()
        assert db.session.scalar(db.select(Department.id).where(Department.name == "Gemaakt tijdens een POST"))


def test_the_rate_limiter_counts_in_its_own_write_transaction_also_during_a_get(app):
    from app.ratelimit import DatabaseStorage

    storage = DatabaseStorage()
    with app.test_request_context("/inloggen", method="GET"):
        db.session.scalar(text("SELECT 1"))  # the request's own (read-only) transaction is open
        assert storage.incr("tijdens-get", 60) == 1
        assert storage.incr("tijdens-get", 60) == 2
        assert storage.get("tijdens-get") == 2


def test_concurrent_read_modify_write_in_post_requests_loses_no_update(app):
    """Each writer reads a counter and writes it back plus one: with writes beginning
    IMMEDIATE (SQLite) or under a row lock (PostgreSQL) none overwrites another's."""
    with app.app_context():
        db.session.execute(text("INSERT INTO rate_limit (key, hits, expires_at) VALUES ('teller', 0, 9e12)"))
        db.session.commit()
    errors: list[BaseException] = []
    threads_count, per_thread = 4, 5

    def work() -> None:
        try:
            for _ in range(per_thread):
                with app.test_request_context("/uitloggen", method="POST"):
                    lock = " FOR UPDATE" if db.engine.dialect.name == "postgresql" else ""
                    hits = db.session.scalar(text("SELECT hits FROM rate_limit WHERE key = 'teller'" + lock))
                    time.sleep(0.002)
                    db.session.execute(text("UPDATE rate_limit SET hits = :h WHERE key = 'teller'"), {"h": hits + 1})
                    db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        assert db.session.scalar(text("SELECT hits FROM rate_limit WHERE key = 'teller'")) == threads_count * per_thread


def test_submitting_holds_the_write_lock_only_for_the_write(app, client, auth):
    """POST /melden reads (the user, the departments, the form) without the write lock and
    begins IMMEDIATE only for the insert: every write comes after that BEGIN."""
    from sqlalchemy import event

    from tests.conftest import csrf_token

    with app.app_context():
        make_user(email="melder@example.test")
        db.session.commit()
        engine = db.engine
    auth.login("melder@example.test")
    token = csrf_token(client, "/melden")
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    data = {"rule": "Regel", "problem": "Gaat mis", "origin": "unknown", "similar_seen": "1", "submission_key": "s1"}
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post("/melden", data={**data, "csrf_token": token})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 1
    if engine.dialect.name != "sqlite":
        return
    assert statements[0] == "BEGIN DEFERRED"
    immediate = statements.index("BEGIN IMMEDIATE")
    reads = statements[:immediate]
    assert any("FROM department" in s for s in reads), reads
    writes = [i for i, s in enumerate(statements) if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes and min(writes) > immediate, statements

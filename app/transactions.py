"""How a transaction begins: on SQLite, and on PostgreSQL.

SQLite has one writer at a time. A transaction that starts DEFERRED takes the write lock
only at its first write, and in WAL mode that upgrade fails at once (SQLITE_BUSY, no
waiting) when another connection wrote since this one started reading: a lost race, or
two upgrading readers deadlocking each other. BEGIN IMMEDIATE takes the write lock first,
so writers wait their turn (busy_timeout) and never work from a stale read.

But IMMEDIATE for everything also makes every read wait for the writer. So:

* a web request with a safe method (GET, HEAD, OPTIONS) begins DEFERRED: it only reads,
  from its own WAL snapshot, and never waits for a writer;
* everything else begins IMMEDIATE: other web requests, scheduler jobs, the CLI, tests
  outside a request;
* a connection can ask for one or the other explicitly (`writer`, `reader`): the rate
  limiter's counters write in their own short IMMEDIATE transaction whatever the request;
* a view marked `@reads_first` (a POST whose reads and checks come before one write at
  the end, such as submitting a report) begins DEFERRED as well, and calls
  `start_writing()` before it writes: that ends the read-only transaction, expiring what
  it loaded (but the logged-in user), so the write transaction begins IMMEDIATE and reads
  it again under the write lock. Only the write itself holds the lock, not the request.

A write inside a DEFERRED transaction is refused with WriteInReadOnlyTransaction (before
SQLite sees it), so a GET view that starts writing fails in the tests, never only under
load.

PostgreSQL takes no database-wide lock, but every transaction costs two round trips to the
server (BEGIN before the first statement, ROLLBACK when the request ends), a fifth of a
short page's time. So a transaction that only reads (the same choice as DEFERRED above)
runs in autocommit there: each statement on its own, with the same snapshot per statement
that READ COMMITTED gives inside a transaction; its writes are refused in the same way, and
SET LOCAL or savepoints have no place in it. Everything else is an ordinary transaction."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Execution option: "IMMEDIATE" or "DEFERRED" for every transaction of that connection.
BEGIN_OPTION = "sqlite_begin"
_DEFERRED = "rodeknop_deferred"
# Execution option: a reading transaction that needs a real transaction block on PostgreSQL
# (a server-side cursor: `batches`).
_BLOCK = "rodeknop_transaction_block"
# Connection info: this module put the driver in autocommit for the current transaction.
_AUTOCOMMIT = "rodeknop_autocommit"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class WriteInReadOnlyTransaction(RuntimeError):
    """A write in a transaction that began DEFERRED (a GET request): it could fail at once
    with SQLITE_BUSY under load, or write from a stale read. Write in a POST, or through
    `writer(engine)` in a transaction of its own."""


_WRITING = "rodeknop.sqlite_writing"


def reads_first(view):
    """Mark a view whose request begins DEFERRED whatever its method, until it calls
    start_writing() (see above)."""
    view.sqlite_reads_first = True
    return view


def start_writing() -> None:
    """In a `@reads_first` view, or a GET that records something after reading (an
    export's audit line): end the read-only transaction so that the next one begins
    IMMEDIATE. Everything it loaded is expired, so it is read again under the write lock
    when used, except the logged-in user as the request found them (who is asking does
    not change within a request; re-reading them would cost a query).

    PostgreSQL takes no database-wide lock, and READ COMMITTED gives each statement a fresh
    snapshot anyway: there the connection only leaves autocommit, so what comes next is one
    transaction, and nothing loaded is read again."""
    from flask_login import current_user

    from app.extensions import db

    request.environ[_WRITING] = True
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        connection = session.connection()  # begun already, or now as a write (_WRITING)
        if connection.info.pop(_AUTOCOMMIT, False):
            connection.connection.dbapi_connection.autocommit = False  # idle between statements
        connection.info[_DEFERRED] = False
        return
    user = current_user._get_current_object() if current_user.is_authenticated else None
    session.expire_on_commit = False
    try:
        session.commit()  # nothing to write: a write here was refused already
    finally:
        session.expire_on_commit = True
    for instance in list(session.identity_map.values()):
        if instance is not user:
            session.expire(instance)


def done_writing() -> None:
    """After start_writing() and the commit of what was written: the request goes on only
    reading (a file streamed to a slow client), so its next transaction begins DEFERRED
    again instead of holding SQLite's write lock until the last byte is sent."""
    request.environ.pop(_WRITING, None)


def _reading_phase() -> bool:
    if request.environ.get(_WRITING):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "sqlite_reads_first", False))


def begin_mode(options: dict) -> str:
    mode = options.get(BEGIN_OPTION)
    if mode in ("IMMEDIATE", "DEFERRED"):
        return mode
    if has_request_context():
        if request.environ.get(_WRITING):
            return "IMMEDIATE"
        if request.method in SAFE_METHODS or _reading_phase():
            return "DEFERRED"
    return "IMMEDIATE"


def writer(engine: Engine) -> Engine:
    """`engine` whose transactions begin IMMEDIATE (on SQLite), also within a GET request."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def reader(engine: Engine) -> Engine:
    """`engine` whose transactions begin DEFERRED (on SQLite): reads that never wait for a writer."""
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED"})


def batches(engine: Engine) -> Engine:
    """`engine` for reading in batches through a server-side cursor (`yield_per`): a
    reading transaction (DEFERRED on SQLite, writes refused) that is a real transaction
    block on PostgreSQL too, where such a cursor cannot live in autocommit."""
    return engine.execution_options(**{BEGIN_OPTION: "DEFERRED", _BLOCK: True})


def read_only(session) -> None:
    """Begin `session`'s next transaction DEFERRED (on SQLite), also outside a request: a
    long read in a job (computing figures) that must not hold the write lock. Call it
    before the transaction's first statement; a write in it is refused."""
    session.connection(execution_options={BEGIN_OPTION: "DEFERRED"})


def _refuse_writes_when_reading(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def refuse_writes_when_deferred(conn, _cursor, statement, _parameters, _context, _executemany):
        if conn.info.get(_DEFERRED) and statement.lstrip()[:6].upper() in _WRITES:
            raise WriteInReadOnlyTransaction(
                f"{statement.split(None, 1)[0]} in a read-only transaction; see app/transactions.py"
            )


def configure_postgresql(engine: Engine) -> None:
    """Autocommit for a transaction that only reads, as described above."""

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        options = conn.get_execution_options()
        reading = begin_mode(options) == "DEFERRED"
        conn.info[_DEFERRED] = reading
        if "isolation_level" in options:
            return  # chosen explicitly (VACUUM in AUTOCOMMIT): SQLAlchemy has set it
        # Between transactions the connection is idle (a ping runs in autocommit too), so
        # the driver's flag may change; it is set at every begin, so none inherits it.
        autocommit = reading and not options.get(_BLOCK)
        conn.connection.dbapi_connection.autocommit = autocommit
        conn.info[_AUTOCOMMIT] = autocommit

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record):
        # Back in the pool as it came: whoever takes it next outside a begin (a raw
        # connection) finds the driver's default.
        if record.info.pop(_AUTOCOMMIT, False) and dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False

    _refuse_writes_when_reading(engine)


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN as described above."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, emit BEGIN so we can choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            conn.info[_DEFERRED] = False
            return  # asked for explicitly (VACUUM): no transaction at all
        mode = begin_mode(conn.get_execution_options())
        conn.exec_driver_sql(f"BEGIN {mode}")
        conn.info[_DEFERRED] = mode == "DEFERRED"

    _refuse_writes_when_reading(engine)

"""The coaches' board at real size, through Flask's test client (no web server): median
time, HTML size and SQL statements of GET /bord/ at N bulk-filled reports.

    python bench/board_client.py 1000 10000 100000            # SQLite, a throwaway file
    BENCH_DATABASE_URL=postgresql://... python bench/board_client.py 1000   # emptied first!
    APP_ROOT=/path/to/other/checkout python bench/board_client.py 1000      # measure that code

Never part of the tests; figures depend on the machine."""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
APP_ROOT = Path(os.environ.get("APP_ROOT", HERE))
sys.path.insert(0, str(APP_ROOT))
os.environ.setdefault("RODEKNOP_ENV", "test")


def _bulk():
    spec = importlib.util.spec_from_file_location("board_bulk", HERE / "tests" / "bulk.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _app(url: str):
    from app import create_app
    from config import TestConfig

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False

    return create_app(_Config)


def measure(count: int, url: str, repeat: int) -> str:
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from app.extensions import db
    from app.models import User, UserRole

    app = _app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(APP_ROOT / "migrations"))
        from argon2 import PasswordHasher

        from app.models import Department

        hashed = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("bench-password")
        departments = [Department(name=f"Afdeling {i}", active=True) for i in range(8)]
        db.session.add_all(departments)
        people = []
        for i in range(30):
            user = User(name=f"Persoon {i}", email=f"p{i}@bench.test", password_hash=hashed, active=True)
            db.session.add(user)
            db.session.flush()
            db.session.add(UserRole(user_id=user.id, role="employee"))
            if i < 5:
                db.session.add(UserRole(user_id=user.id, role="coach"))
            people.append(user.id)
        db.session.commit()
        _bulk().fill_reports(
            count,
            departments=[d.id for d in departments],
            coaches=people[:5],
            reporters=people[5:],
            supporters=people[10:14],
        )
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: the planner's statistics.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        engine = db.engine

    client = app.test_client()
    response = client.post("/inloggen", data={"email": "p0@bench.test", "password": "bench-password"})
    assert response.status_code == 302, response.status_code
    client.get("/")
    for _ in range(3):
        client.get("/bord/")
    statements = []

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count_statement)
    page = client.get("/bord/")
    event.remove(engine, "before_cursor_execute", count_statement)
    assert page.status_code == 200
    size = len(page.get_data())
    samples, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get("/bord/").get_data()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # CPU time of this process (the database server's work not included for PostgreSQL)
    # says more than wall time on a busy machine.
    return (
        f"{db_name(url):<10} {count:>7} reports: median {statistics.median(samples):7.1f} ms"
        f"  min {min(samples):7.1f} ms  cpu median {statistics.median(cpu):6.1f} ms"
        f"  html {size / 1024:7.1f} kB  statements {len(statements)}"
    )


def db_name(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def main() -> None:
    counts = [int(arg) for arg in sys.argv[1:]] or [1000]
    repeat = int(os.environ.get("BENCH_REPEAT", "15"))
    for count in counts:
        url = os.environ.get("BENCH_DATABASE_URL")
        if url and url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        if not url:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='rodeknop-board-')}/bench.db"
        print(measure(count, url, repeat), flush=True)


if __name__ == "__main__":
    main()

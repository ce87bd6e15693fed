"""Mijn meldingen at real size, through the test client (never part of the tests).

For each size: a fresh database (a throwaway SQLite file, or BENCH_DATABASE_URL, whose
public schema is dropped first), one medewerker with that many reports (one in ten
anonymous, half of them taken on by a coach, a few hundred they support), 5,000 reports by
colleagues around them, all bulk-inserted (tests/bulk.py). Prints the median and p95 server
time of GET /mijn-meldingen, its size and its number of SQL statements.

Usage: python bench/my_reports.py [SIZE ...]   (default: 2000 17000)"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-123"


def measure(size: int, url: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from app import create_app
    from app.extensions import db
    from app.models import User, UserRole
    from app.services.users import hash_password
    from tests.bulk import bulk_reports

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    os.environ.setdefault("RODEKNOP_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        password = hash_password(PASSWORD)
        users = []
        for i in range(12):
            user = User(name=f"Medewerker {i}", email=f"m{i}@bench.test", password_hash=password)
            user.role_rows = [UserRole(role="employee")] + ([UserRole(role="coach")] if i == 0 else [])
            db.session.add(user)
            users.append(user)
        db.session.flush()
        coach, me, colleagues = users[0], users[1], users[2:]
        start = time.perf_counter()
        for colleague in colleagues:
            bulk_reports(colleague, 500, taken_on_by=coach, supporters=(me,) if colleague is colleagues[0] else ())
        bulk_reports(me, size, anonymous_every=10, taken_on_by=coach)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        print(
            f"{db.engine.dialect.name}: {size} reports of one user + 5000 of colleagues, filled in "
            f"{time.perf_counter() - start:.1f} s"
        )
        engine = db.engine

    client = app.test_client()
    client.post("/inloggen", data={"email": "m1@bench.test", "password": PASSWORD})
    first = client.get("/mijn-meldingen")
    assert first.status_code == 200, first.status_code
    statements: list[str] = []

    def count(*_args):
        statements.append("")

    event.listen(engine, "before_cursor_execute", count)
    client.get("/mijn-meldingen")
    event.remove(engine, "before_cursor_execute", count)
    samples = []
    repeat = 5 if len(first.data) > 1_000_000 else 30
    for _ in range(repeat):
        begin = time.perf_counter()
        response = client.get("/mijn-meldingen")
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"  GET /mijn-meldingen  median {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms  "
        f"{len(first.data) / 1e6:6.2f} MB  {len(statements)} SQL statements  (n={repeat})"
    )
    # The floor on this machine right now: a logged-in page that reads nothing of its own.
    floor = []
    for _ in range(30):
        begin = time.perf_counter()
        client.get("/instellingen")
        floor.append((time.perf_counter() - begin) * 1000)
    print(f"  GET /instellingen    median {statistics.median(floor):7.1f} ms  (the same client, for comparison)")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [2000, 17000]
    for size in sizes:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='rodeknop-bench-')}/b.db"
        measure(size, url)


if __name__ == "__main__":
    main()

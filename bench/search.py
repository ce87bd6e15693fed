"""Similar-report search timings, run by hand (never part of the tests).

Fills a throwaway database (a SQLite file, or the PostgreSQL in BENCH_DATABASE_URL, whose
schema is dropped first) with 1,000 / 10,000 / 100,000 reports (bench/data.py) and prints
the median and p95 of `find_similar` for 1-, 2- and 6-word queries, and of the request
`/melden/vergelijkbaar` through the test client.

Usage: python bench/search.py [COUNT ...]      (default: 1000 10000 100000)
       BENCH_DATABASE_URL=... python bench/search.py --reuse   (time the data already there)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = {
    "1 word": ["dakapel", "paspoort", "kwijtschelding", "parkeervergunning", "huisbezoek", "leerlingenvervoer"],
    "2 words": [
        "dakkapel vergunning",
        "aanvragen bijstand",
        "paspoort afspraak",
        "regels kapvergunning",
        "jeugdhulp indicatie",
        "grofvuil digid",
    ],
    "6 words": [
        "vergunning voor een dakapel duurt acht weken bij buren",
        "bijstand aanvragen steeds opnieuw verhaal vertellen afdelingen",
        "paspoort afspraak online inwoners zonder computer bellen",
        "kwijtschelding belastingen elk jaar opnieuw laag inkomen",
        "traplift medisch advies wachten weken inwoners wmo",
        "formulier minima toeslag pagina's haken af",
    ],
}


def timed(label: str, fn, rounds: int) -> None:
    """Wall-clock median and p95, and the median CPU time of this process (on a busy
    machine the steadier figure; on SQLite it is all the work, on PostgreSQL the client's)."""
    fn()  # warm up
    samples, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(
        f"  {label:<40} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"
        f"   cpu {statistics.median(cpu):6.2f} ms   (n={rounds})",
        flush=True,
    )


def run(count: int, *, reuse: bool = False) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.search import find_similar
    from bench.search_data import fill
    from config import TestConfig

    url = os.environ.get("BENCH_DATABASE_URL")
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='rodeknop-bench-')}/bench.db"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False

    app = create_app(Config)
    with app.app_context():
        start = time.perf_counter()
        if reuse:
            from bench.search_data import PASSWORD

            info = {"employees": ["m0@bench.test"], "password": PASSWORD}
            count = db.session.scalar(text("SELECT count(*) FROM report"))
            db.session.rollback()
        else:
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE"))
                    connection.execute(text("CREATE SCHEMA public"))
            upgrade(directory=str(ROOT / "migrations"))
            info = fill(db.engine, count, seed=42)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        print(f"{db.engine.dialect.name}, {count} reports (filled in {time.perf_counter() - start:.1f} s)", flush=True)
        for label, queries in QUERIES.items():
            position = iter(range(10**9))
            timed(
                f"find_similar, {label}",
                lambda queries=queries, position=position: find_similar(queries[next(position) % len(queries)]),
                60,
            )
    client = app.test_client()
    response = client.post("/inloggen", data={"email": info["employees"][0], "password": info["password"]})
    assert response.status_code == 302, "could not log in"
    for label, queries in QUERIES.items():
        position = iter(range(10**9))

        def request(queries=queries, position=position):
            response = client.get(
                "/melden/vergelijkbaar", query_string={"rule": queries[next(position) % len(queries)]}
            )
            assert response.status_code == 200

        timed(f"GET /melden/vergelijkbaar, {label}", request, 60)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    os.environ.setdefault("RODEKNOP_ENV", "test")
    if sys.argv[1:] == ["--reuse"]:
        if not os.environ.get("BENCH_DATABASE_URL"):
            sys.exit("--reuse needs BENCH_DATABASE_URL")
        run(0, reuse=True)
        return
    counts = [int(arg) for arg in sys.argv[1:]] or [1000, 10_000, 100_000]
    for count in counts:
        run(count)


if __name__ == "__main__":
    main()

"""How the open data export behaves at size (never part of the tests): fill a fresh SQLite
database (or PostgreSQL with --url) with N reports through bench/data.py, give a share of the
ended ones a confirmed impact estimate and publishable text, then stream the reports as CSV
and JSON through the app and report rows, bytes, seconds and the peak of Python memory
(tracemalloc) while streaming: it stays flat as N grows because rows are read and written a
batch at a time (app.opendata.data.BATCH).

    .venv/bin/python bench/opendata.py --size 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database (default: a new SQLite file)")
    options = parser.parse_args()
    from bench.run import ANONYMITY, SECRET, prepare

    with tempfile.TemporaryDirectory() as tmp:
        url = options.url or f"sqlite:///{tmp}/opendata.db"
        os.environ.update(SECRET_KEY=SECRET, ANONYMITY_KEY=ANONYMITY)
        prepare(url, options.size)
        from sqlalchemy import update

        from app import create_app
        from app.extensions import db
        from app.models import Report
        from app.models.base import utcnow

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.session.execute(
                update(Report)
                .where(Report.status == "resolved", Report.id % 3 == 0)
                .values(
                    impact_cases_per_month=Report.id % 500,
                    impact_minutes_inhabitant=30,
                    impact_minutes_staff=15,
                    impact_affected="inhabitants",
                    impact_confirmed_at=utcnow(),
                    text_public=True,
                )
            )
            db.session.commit()
            ended = db.session.scalar(
                db.select(db.func.count(Report.id)).where(Report.status.in_(("resolved", "explained")))
            )
        app.config["OPEN_DATA_PUBLIC"] = True  # no login needed for the measurement
        client = app.test_client()
        for path in ("/open-data/meldingen.csv", "/open-data/meldingen.json"):
            # Time without tracemalloc (it slows Python down several times), then the memory.
            start = time.perf_counter()
            size = sum(len(chunk) for chunk in client.get(path).response)
            seconds = time.perf_counter() - start
            tracemalloc.start()
            sum(len(chunk) for chunk in client.get(path).response)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"  {path}: {options.size:,} reports, {ended:,} ended rows, {size / 1e6:.1f} MB in {seconds:.1f} s, "
                f"peak Python memory while streaming {peak / 1e6:.1f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""Benchmarks, run on demand (`make bench`), never part of the test suite's pass/fail.

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL), fills it with N reports
and prints timings for: submitting a report, the similar-report search while typing, the
coaches' board and Mijn meldingen. Usage: python bench/run.py [N]"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "vergunning dakkapel bijstand aanvraag uittreksel paspoort afspraak kwijtschelding indicatie jeugdhulp "
    "parkeervergunning kenteken formulier verhuizing volmacht evenement straatfeest leges welstand procedure "
    "wachttijd inkomen toeslag schuldhulp wijkteam gegevens bewijsstukken dossier handtekening papier"
).split()


def timed(label: str, fn, repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{label:<44} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   (n={repeat})")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = tempfile.mkdtemp(prefix="rodeknop-bench-")
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
    os.environ.update(RODEKNOP_ENV="development", DATABASE_URL=url)

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Report, User, UserRole
    from app.search import find_similar
    from app.services.reports import submit_report
    from app.services.users import hash_password

    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    rng = random.Random(42)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        password = hash_password("bench-password-123")
        users = []
        for i in range(50):
            user = User(name=f"Medewerker {i}", email=f"m{i}@bench.test", password_hash=password)
            user.role_rows = [UserRole(role="employee")] + ([UserRole(role="coach")] if i < 5 else [])
            db.session.add(user)
            users.append(user)
        db.session.commit()
        start = time.perf_counter()
        for i in range(count):
            words = rng.sample(WORDS, 5)
            submit_report(
                rng.choice(users),
                rule=" ".join(words[:3]).capitalize() + f" {i}",
                problem=" ".join(words) + " gaat mis.",
            )
            if i % 200 == 199:
                db.session.commit()
        db.session.commit()
        elapsed = time.perf_counter() - start
        print(f"database: {db.engine.dialect.name}, {count} reports")
        print(f"{'filling (submit_report, per report)':<44} {elapsed / count * 1000:8.2f} ms")
        coach_email = db.session.scalar(db.select(User.email).join(UserRole).where(UserRole.role == "coach"))
        employee_email = users[10].email
        total = db.session.scalar(db.select(db.func.count(Report.id)))
        assert total == count

    with app.app_context():
        timed("similar search, 2 words", lambda: find_similar("dakkapel vergunning"), 50)
        timed(
            "similar search, 6 words with a typo",
            lambda: find_similar("aanvragen bijstand schuldhulp wijkteam gegevens dakapel"),
            50,
        )
        db.session.remove()

    client = app.test_client()
    client.post("/inloggen", data={"email": coach_email, "password": "bench-password-123"})
    timed("GET /bord/ (coach, all open reports)", lambda: client.get("/bord/"), 10)
    timed("GET /meldingen (coach, latest 500)", lambda: client.get("/meldingen"), 10)
    employee_client = app.test_client()
    employee_client.post("/inloggen", data={"email": employee_email, "password": "bench-password-123"})
    timed("GET /mijn-meldingen (employee)", lambda: employee_client.get("/mijn-meldingen"), 20)
    timed(
        "GET /melden/vergelijkbaar (typing)",
        lambda: employee_client.get("/melden/vergelijkbaar?rule=dakkapel+vergunning"),
        50,
    )
    counter = iter(range(10**6))
    timed(
        "POST /melden (submit a report)",
        lambda: employee_client.post(
            "/melden",
            data={
                "rule": f"Benchmark regel {next(counter)}",
                "problem": "Gaat mis",
                "origin": "unknown",
                "department_id": "",
                "submission_key": f"bench-{time.perf_counter_ns()}",
                "similar_seen": "1",
            },
        ),
        50,
    )


if __name__ == "__main__":
    main()

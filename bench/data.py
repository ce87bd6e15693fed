"""Fill a migrated, empty database fast for the benchmarks: bulk inserts (SQLAlchemy core
executemany), never the services one report at a time.

`fill(engine, count, seed)` makes departments, users (a coach, and one employee with many
reports for Mijn meldingen), `count` reports over the last two years in every board
column, their timeline events, supports, and the similar-search index (`report_fts` on
SQLite, `report_search` on PostgreSQL, the same rows as app.search._index writes). For
Inzicht (the dashboard) the reports have origins, and some of the ended ones were
escalated (into escalation dossiers per law article, sent to addressees, some answered,
with the dossier's timeline) or merged.
It returns a BenchData with the logins and ids the load generator needs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.models import Department, Dossier, DossierEvent, Event, Report, Support, User, UserRole
from bench.search_data import report_text

PASSWORD = "bench-password-123"
COACH_EMAIL = "coach@bench.test"
HEAVY_EMAIL = "veel@bench.test"
HEAVY_REPORTS = 2000
BATCH = 5000

# Statuses and their shares; of the ended reports some become escalated or merged (below).
STATUSES = (("new", 0.3), ("in_progress", 0.3), ("resolved", 0.25), ("explained", 0.15))
ESCALATED_SHARE = 0.12  # of the ended reports
MERGED_SHARE = 0.08
ORIGINS = ("own", "own", "national", "unknown")
LAWS = [(f"Wet nummer {n}", f"BWBR{n:07d}", f"art. {n % 7 + 1}") for n in range(1, 25)]
# Reports of a law share its open dossier; a dossier takes this many before a new one starts.
REPORTS_PER_DOSSIER = 4


@dataclass
class BenchData:
    count: int
    coach_email: str
    heavy_email: str
    heavy_reports: int
    password: str
    user_ids: list[int]
    heavy_id: int = 2
    heavy_pseudonym: str | None = None


def _batched(rows: list[dict]):
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _insert(conn, table, rows: list[dict]) -> None:
    for batch in _batched(rows):
        conn.execute(table.insert(), batch)


def _index_rows(conn, reports: list[dict]) -> None:
    """The similar-search index, as app.search writes it per report."""
    from app.search import index_row, write_index

    for batch in _batched(reports):
        write_index(conn, [index_row(r["id"], r["rule"], r["problem"]) for r in batch])


def fill(engine: Engine, count: int, seed: int = 42, *, password_hash: str, pseudonym=None) -> BenchData:
    """`count` reports and everything around them. `password_hash` is the hash of PASSWORD
    (app.services.users.hash_password), `pseudonym` app.anonymity.pseudonym under the
    app's key (without it no report is anonymous)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    heavy_reports = min(HEAVY_REPORTS, count // 2)
    with engine.begin() as conn:
        departments = [{"id": i, "name": f"Afdeling {i}", "active": True} for i in range(1, 13)]
        _insert(conn, Department.__table__, departments)
        users, roles = [], []
        for i in range(1, 201):
            email = COACH_EMAIL if i == 1 else HEAVY_EMAIL if i == 2 else f"m{i}@bench.test"
            users.append(
                {
                    "id": i,
                    "email": email,
                    "name": f"Medewerker {i}",
                    "password_hash": password_hash,
                    "department_id": rng.randint(1, 12),
                    "active": True,
                    "session_token": f"bench-token-{i}",
                    "mail_preference": "each",
                    "created_at": now - timedelta(days=800),
                }
            )
            roles.append({"user_id": i, "role": "employee"})
            if i <= 5:
                roles.append({"user_id": i, "role": "coach"})
        _insert(conn, User.__table__, users)
        _insert(conn, UserRole.__table__, roles)
        coaches = [1, 3, 4, 5]

        # Oldest first, numbered per year as the application numbers them.
        offsets = sorted((rng.random() * 730 for _ in range(count)), reverse=True)
        numbers: dict[int, int] = {}
        reports, events, supports = [], [], []
        heavy_ids = set(rng.sample(range(1, count + 1), heavy_reports)) if heavy_reports else set()
        # A generator of its own for what Inzicht needs, so the rest stays as it was.
        extra = random.Random(seed + 1)
        dossiers: list[dict] = []
        dossier_events: list[dict] = []
        open_dossier: dict[int, tuple[int, int]] = {}  # law -> (dossier id, reports in it)
        for index, days_ago in enumerate(offsets, start=1):
            created = now - timedelta(days=days_ago)
            numbers[created.year] = numbers.get(created.year, 0) + 1
            status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
            if status in ("resolved", "explained"):
                draw = extra.random()
                if draw < ESCALATED_SHARE:
                    status = "escalated"
                elif draw < ESCALATED_SHARE + MERGED_SHARE and index > 1:
                    status = "merged"
            origin = "national" if status == "escalated" else extra.choice(ORIGINS)
            reporter = 2 if index in heavy_ids else rng.randint(6, 200)
            anonymous = pseudonym is not None and rng.random() < 0.1
            # Dutch texts from 30 topics, with typos and compounds (bench/search_data.py).
            rule, problem = report_text(rng)
            activity = created + timedelta(days=min(days_ago, rng.random() * 20))
            ended = status in ("resolved", "explained", "escalated", "merged")
            dossier_id = None
            if status == "escalated":
                dossier_id = _dossier(extra, index, activity, now, dossiers, dossier_events, open_dossier)
            assignee = rng.choice(coaches) if status != "new" else None
            taken_on = created + (activity - created) / 2 if status != "new" else None
            reports.append(
                {
                    "id": index,
                    "year": created.year,
                    "number": numbers[created.year],
                    "rule": rule,
                    "problem": problem,
                    "effect": "Inwoners wachten langer." if rng.random() < 0.5 else None,
                    "suggestion": None,
                    "origin": origin,
                    "department_id": rng.randint(1, 12) if rng.random() < 0.8 else None,
                    "reporter_id": None if anonymous else reporter,
                    "reporter_pseudonym": pseudonym(reporter) if anonymous else None,
                    "is_anonymous": anonymous,
                    "status": status,
                    "assignee_id": assignee,
                    "outcome": "Regel aangepast." if status == "resolved" else None,
                    "explanation": "Uitgelegd aan de melder." if ended and status != "resolved" else None,
                    "duplicate_of_id": extra.randint(1, index - 1) if status == "merged" else None,
                    "dossier_id": dossier_id,
                    "submission_key": None,
                    "version": 1,
                    "last_activity_at": activity,
                    "resolved_at": activity if status == "resolved" else None,
                    "taken_on_at": taken_on,
                    "decided_at": activity if ended else None,
                    "created_at": created,
                    "updated_at": activity,
                }
            )
            events.append(
                {
                    "report_id": index,
                    "actor_id": None if anonymous else reporter,
                    "kind": "submitted",
                    "from_status": None,
                    "to_status": "new",
                    "text": "Anoniem gemeld." if anonymous else None,
                    "is_public": True,
                    "created_at": created,
                }
            )
            if status != "new":
                events.append(
                    {
                        "report_id": index,
                        "actor_id": assignee,
                        "kind": "status_changed",
                        "from_status": "new",
                        "to_status": "in_progress",
                        "text": None,
                        "is_public": True,
                        "created_at": taken_on,
                    }
                )
            if ended:
                events.append(
                    {
                        "report_id": index,
                        "actor_id": assignee,
                        "kind": "status_changed",
                        "from_status": "in_progress",
                        "to_status": status,
                        "text": "Regel aangepast.",
                        "is_public": True,
                        "created_at": activity,
                    }
                )
            for supporter in rng.sample(range(6, 201), rng.choice((0, 0, 0, 1, 1, 2, 3))):
                if supporter != reporter:
                    supports.append(
                        {
                            "report_id": index,
                            "user_id": supporter,
                            "follower_pseudonym": None,
                            "note": None,
                            "anonymous": False,
                            "created_at": created + timedelta(hours=1),
                        }
                    )
        _insert(conn, Dossier.__table__, dossiers)
        _insert(conn, DossierEvent.__table__, dossier_events)
        _insert(conn, Report.__table__, reports)
        _insert(conn, Event.__table__, events)
        _insert(conn, Support.__table__, supports)
        _index_rows(conn, reports)
        if conn.dialect.name == "postgresql":
            for table in ("department", "user", "user_role", "report", "event", "support", "dossier", "dossier_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                    )
                )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # As autovacuum keeps a production database: statistics, and the visibility map
            # that lets index-only scans skip the table.
            conn.execute(text("VACUUM ANALYZE"))
    return BenchData(
        count,
        COACH_EMAIL,
        HEAVY_EMAIL,
        heavy_reports,
        PASSWORD,
        [u["id"] for u in users],
        heavy_pseudonym=pseudonym(2) if pseudonym else None,
    )


def _dossier(extra, index, decided, now, dossiers, dossier_events, open_dossier) -> int:
    """The dossier an escalated report joins: its law's open dossier, or a new one (sent a
    week later to an addressee, answered after a while or not yet, then closed), with the
    dossier's timeline."""
    law = extra.randrange(len(LAWS))
    current = open_dossier.get(law)
    if current is not None and current[1] < REPORTS_PER_DOSSIER:
        open_dossier[law] = (current[0], current[1] + 1)
        return current[0]
    dossier_id = len(dossiers) + 1
    open_dossier[law] = (dossier_id, 1)
    title, bwb_id, article = LAWS[law]
    sent = decided + timedelta(days=7)
    answered = sent + timedelta(days=extra.choice((10, 20, 35, 60, 120)))
    if sent > now or extra.random() < 0.1:
        status, sent_on, due = "preparing", None, None
    elif answered > now or extra.random() < 0.2:
        status, sent_on, due = "sent", sent.date(), (sent + timedelta(days=42)).date()
    else:
        status, sent_on, due = extra.choice(("answered", "promised", "closed")), sent.date(), None
    dossiers.append(
        {
            "id": dossier_id,
            "law_title": title,
            "bwb_id": bwb_id,
            "article": article,
            "addressee_id": extra.randint(1, 13) if sent_on else None,
            "channel": "Brief" if sent_on else None,
            "sent_on": sent_on,
            "answer_due": due,
            "follow_up_on": None,
            "owner_id": None,
            "status": status,
            "answer": "Antwoord van het ministerie." if status not in ("preparing", "sent") else None,
            "answer_summary": None,
            "version": 1,
            "created_at": decided,
            "updated_at": decided,
        }
    )
    steps = [(decided, None, "preparing", "created")]
    if sent_on:
        steps.append((sent, "preparing", "sent", "status_changed"))
    if status not in ("preparing", "sent"):
        steps.append((answered, "sent", "answered", "status_changed"))
    for moment, from_status, to_status, kind in steps:
        dossier_events.append(
            {
                "dossier_id": dossier_id,
                "actor_id": None,
                "kind": kind,
                "from_status": from_status,
                "to_status": to_status,
                "text": None,
                "is_public": True,
                "created_at": moment,
            }
        )
    return dossier_id

"""The bare Flask app `make bench` compares Rode Knop with: the same database and engine
settings (app.transactions: WAL, busy timeout, BEGIN DEFERRED for reads and IMMEDIATE for
writes on SQLite), plain SQLAlchemy core, one plain template per page, and nothing else:
no login, no sessions, no CSRF, no forms library, no ORM.

    GET  /ping               the ceiling: gunicorn and the load generator alone
    GET  /board?per_column=N per status column its count and its first N cards (open, or
                             ended in the last 30 days), each with title, reference, age,
                             department, supporters, assignee, overdue mark
    GET  /mine?user=ID&pseudonym=P&items=N  that user's N newest reports (also those made
                             anonymously, by pseudonym): title, reference, status, last update
    GET  /insight            Inzicht's figures for its default view (the last twelve months,
                             every department): the very statements app.services.insight
                             sends (recorded once per worker from the real functions), each
                             result as a plain table; nothing kept between requests
    POST /submit             a report as POST /melden stores it: next number, the report,
                             its 'submitted' event, the search index (app.search.write_index),
                             commit, 303
    POST /submit-file        the same with one file in the multipart field `attachments`, as
                             POST /melden stores it: cleaned by app.uploads.clean (the one
                             home: the same decoding and re-encoding), file and preview put in
                             app.storage.LocalStorage (ATTACHMENTS_DIR) under new keys, then in
                             the transaction also the attachment row and its 'attached' event

Run: DATABASE_URL=... gunicorn bench.bare:app"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from flask import Flask, redirect, request
from sqlalchemy import bindparam, create_engine, text

from app.models.base import UTCDateTime
from app.search import index_row, write_index
from app.transactions import configure_sqlite


def _url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


engine = create_engine(_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
if engine.dialect.name == "sqlite":
    configure_sqlite(engine)
app = Flask(__name__)

LABELS = {
    "new": "Nieuw",
    "in_progress": "In behandeling",
    "escalated": "Geëscaleerd",
    "resolved": "Opgelost",
    "explained": "Uitgelegd",
    "merged": "Samengevoegd",
}
COLUMNS = (
    ("Nieuw", ("new",)),
    ("In behandeling", ("in_progress",)),
    ("Geëscaleerd", ("escalated",)),
    ("Afgerond", ("resolved", "explained", "merged")),
)

BOARD = app.jinja_env.from_string(
    """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Bord</title></head><body>
<h1>Bord</h1>
{% for title, total, cards in columns %}<section><h2>{{ title }} ({{ total }})</h2><ol>
{% for c in cards %}<li{% if c.overdue %} class="overdue"{% endif %}><h3><a href="/meldingen/{{ c.ref }}">{{ c.rule }}</a></h3>
<p>{{ c.ref }} {{ c.label }}</p>{% if c.overdue %}<p><strong>Te lang stil</strong></p>{% endif %}
<dl><dt>Gemeld</dt><dd>{{ c.age }} dagen geleden</dd><dt>Afdeling</dt><dd>{{ c.department or 'Niet opgegeven' }}</dd>
<dt>Ook tegenaan</dt><dd>{{ c.supporters }}</dd><dt>Wie gaat erachteraan</dt><dd>{{ c.assignee or 'Nog niemand' }}</dd></dl></li>
{% endfor %}</ol></section>{% endfor %}</body></html>"""
)

MINE = app.jinja_env.from_string(
    """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Mijn meldingen</title></head><body>
<h1>Mijn meldingen</h1><ol>
{% for r in reports %}<li><a href="/meldingen/{{ r.ref }}">{{ r.rule }}</a> {{ r.ref }} {{ r.label }}
<time datetime="{{ r.activity.strftime('%Y-%m-%dT%H:%M:%SZ') }}">{{ r.activity.strftime('%d-%m-%Y') }}</time></li>
{% endfor %}</ol></body></html>"""
)


def _as_utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _ref(year: int, number: int) -> str:
    return f"RK-{year}-{number:04d}"


@app.get("/ping")
def ping():
    return "ok"


@app.get("/board")
def board():
    """The board as Rode Knop shows it: per column its count and a first page of
    `per_column` cards (the longest waiting first; what ended, the latest first)."""
    per_column = int(request.args.get("per_column", "25"))
    now = datetime.now(UTC)
    recent = now - timedelta(days=30)
    on_board = (
        "(r.status IN ('new', 'in_progress', 'escalated') "
        "OR (r.status IN ('resolved', 'explained', 'merged') AND r.last_activity_at >= :recent))"
    )
    recent_param = bindparam("recent", type_=UTCDateTime())
    columns = []
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                text(f"SELECT r.status, COUNT(*) FROM report r WHERE {on_board} GROUP BY r.status").bindparams(
                    recent_param
                ),
                {"recent": recent},
            ).all()
        )
        for title, statuses in COLUMNS:
            order = "r.last_activity_at DESC, r.id DESC" if len(statuses) > 1 else "r.created_at, r.id"
            rows = conn.execute(
                text(
                    "SELECT r.id, r.year, r.number, r.rule, r.status, r.created_at, r.last_activity_at, "
                    "d.name AS department, u.name AS assignee FROM report r "
                    'LEFT JOIN department d ON d.id = r.department_id LEFT JOIN "user" u ON u.id = r.assignee_id '
                    f"WHERE {on_board} AND r.status IN ({', '.join(repr(s) for s in statuses)}) "
                    f"ORDER BY {order} LIMIT :limit"
                ).bindparams(recent_param),
                {"recent": recent, "limit": per_column},
            ).all()
            columns.append((title, statuses, rows))
        ids = [row.id for _, _, rows in columns for row in rows]
        supporters = {}
        if ids:
            supporters = dict(
                conn.execute(
                    text(
                        "SELECT report_id, COUNT(id) FROM support WHERE report_id IN ("
                        + ",".join(str(i) for i in ids)
                        + ") GROUP BY report_id"
                    )
                ).all()
            )
        conn.rollback()
    cutoff = now - timedelta(days=14)
    rendered = []
    for title, statuses, rows in columns:
        cards = []
        for row in rows:
            activity = _as_utc(row.last_activity_at)
            cards.append(
                {
                    "ref": _ref(row.year, row.number),
                    "rule": row.rule,
                    "label": LABELS[row.status],
                    "age": (now - _as_utc(row.created_at)).days,
                    "department": row.department,
                    "assignee": row.assignee,
                    "supporters": supporters.get(row.id, 0),
                    "overdue": row.status in ("new", "in_progress") and activity < cutoff,
                }
            )
        rendered.append((title, sum(counts.get(s, 0) for s in statuses), cards))
    return BOARD.render(columns=rendered)


@app.get("/mine")
def mine():
    user_id = int(request.args["user"])
    limit = int(request.args.get("items", "50"))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT year, number, rule, status, last_activity_at FROM report "
                "WHERE reporter_id = :user OR reporter_pseudonym = :pseudonym "
                "ORDER BY last_activity_at DESC, id DESC LIMIT :limit"
            ),
            {"user": user_id, "pseudonym": request.args.get("pseudonym", ""), "limit": limit},
        ).all()
        conn.rollback()
    reports = [
        {
            "ref": _ref(r.year, r.number),
            "rule": r.rule,
            "label": LABELS[r.status],
            "activity": _as_utc(r.last_activity_at),
        }
        for r in rows
    ]
    return MINE.render(reports=reports)


INSIGHT = app.jinja_env.from_string(
    """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Inzicht</title></head><body>
<h1>Inzicht</h1>
{% for rows in tables %}<section><h2>Figuur {{ loop.index }}</h2><table>
{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}
</table></section>{% endfor %}</body></html>"""
)
_insight_statements: list[tuple[str, object]] = []


def _record_insight_statements() -> list[tuple[str, object]]:
    """The SQL and parameters Rode Knop's figures send for the default view, recorded by
    running them once in an app of its own (this worker's first request)."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from app.services import insight

    real = create_app({"SQLALCHEMY_DATABASE_URI": _url(os.environ["DATABASE_URL"])})
    recorded: list[tuple[str, object]] = []
    with real.test_request_context():

        def record(conn, cursor, statement, parameters, context, executemany):
            # The figures' queries; not the transaction control the app's engine sends.
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                recorded.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        insight.all_figures(insight.default_filters())
        event.remove(db.engine, "before_cursor_execute", record)
        db.session.remove()
        db.engine.dispose()
    return recorded


@app.get("/insight")
def insight():
    if not _insight_statements:
        # Recorded in a thread of its own: Rode Knop's app is built outside this bare app's
        # request, as it is in production (its import-time texts are lazy and would otherwise
        # look for translations in the bare app, which has none).
        with ThreadPoolExecutor(1) as pool:
            _insight_statements.extend(pool.submit(_record_insight_statements).result())
    with engine.connect() as conn:
        tables = [conn.exec_driver_sql(statement, parameters).all() for statement, parameters in _insight_statements]
        conn.rollback()
    return INSIGHT.render(tables=tables)


@app.post("/submit")
def submit():
    rule = (request.form.get("rule") or "").strip()
    problem = (request.form.get("problem") or "").strip()
    now = datetime.now(UTC)
    number = _store_report(rule, problem, request.form.get("submission_key"), now)
    return redirect(f"/meldingen/{_ref(now.year, number)}/bevestiging", 303)


@app.post("/submit-file")
def submit_file():
    # Imported here, not at the top: Pillow, pikepdf and pillow-heif would otherwise count in
    # the memory every bare worker uses from the start (the bench's RSS figure).
    from app.storage import LocalStorage, new_key
    from app.uploads import clean
    from config import Config

    rule = (request.form.get("rule") or "").strip()
    problem = (request.form.get("problem") or "").strip()
    upload = request.files["attachments"]
    file = clean(upload.stream.read(Config.ATTACHMENT_MAX_BYTES + 1), max_bytes=Config.ATTACHMENT_MAX_BYTES)
    storage = LocalStorage(os.environ["ATTACHMENTS_DIR"])
    keys = [new_key()]
    storage.put(keys[0], file.content, file.media_type)
    if file.preview:
        keys.append(new_key())
        storage.put(keys[1], file.preview, file.preview_media_type)
    now = datetime.now(UTC)
    try:
        number = _store_report(rule, problem, request.form.get("submission_key"), now, file=file, keys=keys)
    except BaseException:
        for key in keys:
            storage.delete(key)
        raise
    return redirect(f"/meldingen/{_ref(now.year, number)}/bevestiging", 303)


def _store_report(rule: str, problem: str, key: str | None, now: datetime, *, file=None, keys=()) -> int:
    """A new report by user 7 with submission key `key` in one transaction (and `file`,
    stored under `keys` (file, preview), as its attachment 1); its number."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7531595)"))
        number = (conn.execute(text("SELECT MAX(number) FROM report WHERE year = :y"), {"y": now.year}).scalar()) or 0
        report_id = conn.execute(
            text(
                "INSERT INTO report (year, number, rule, problem, origin, reporter_id, is_anonymous, status, "
                "submission_key, version, last_activity_at, created_at, updated_at) VALUES (:year, :number, :rule, "
                ":problem, 'unknown', :reporter, false, 'new', :key, 1, :now, :now, :now) RETURNING id"
            ).bindparams(bindparam("now", type_=UTCDateTime())),
            {
                "year": now.year,
                "number": number + 1,
                "rule": rule,
                "problem": problem,
                "reporter": 7,
                "key": key,
                "now": now,
            },
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO event (report_id, actor_id, kind, to_status, is_public, created_at) "
                "VALUES (:id, 7, 'submitted', 'new', true, :now)"
            ).bindparams(bindparam("now", type_=UTCDateTime())),
            {"id": report_id, "now": now},
        )
        if file is not None:
            conn.execute(
                text(
                    "INSERT INTO attachment (report_id, number, uploader_id, anonymous, storage_key, preview_key, "
                    "media_type, preview_media_type, extension, kind, size, width, height, created_at) VALUES "
                    "(:id, 1, 7, false, :key, :preview_key, :media_type, :preview_media_type, :extension, :kind, "
                    ":size, :width, :height, :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {
                    "id": report_id,
                    "key": keys[0],
                    "preview_key": keys[1] if len(keys) > 1 else None,
                    "media_type": file.media_type,
                    "preview_media_type": file.preview_media_type if len(keys) > 1 else None,
                    "extension": file.extension,
                    "kind": file.kind,
                    "size": len(file.content),
                    "width": file.width,
                    "height": file.height,
                    "now": now,
                },
            )
            conn.execute(
                text(
                    "INSERT INTO event (report_id, actor_id, kind, text, is_public, created_at) "
                    "VALUES (:id, 7, 'attached', :text, true, :now)"
                ).bindparams(bindparam("now", type_=UTCDateTime())),
                {
                    "id": report_id,
                    "text": f"Bijlage 1 ({file.extension.upper()}, {len(file.content) // 1000} kB)",
                    "now": now,
                },
            )
        write_index(conn, [index_row(report_id, rule, problem)])
    return number + 1

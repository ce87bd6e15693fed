"""`make bench`: Rode Knop under gunicorn beside a bare Flask app (bench/bare.py) doing the
same work on the same database with the same workers, both driven by wrk on loopback in
one run, at several sizes, on SQLite and on PostgreSQL. Never part of the test suite; it
prints figures (mostly ratios to the bare app) and asserts nothing.

    make bench                                   1,000, 10,000 and 100,000 reports, both databases
    make bench SIZES=1000 DATABASES=sqlite       a subset
    python bench/run.py --sizes 1000,10000 --databases postgresql --duration 5

Settings (options or environment): SIZES, DATABASES (sqlite, postgresql), DURATION
(seconds per load run, default 6; app and bare app take turns in three parts of it,
a part that answered fewer than 20 requests is run again, longer), WORKERS (gunicorn sync workers for both apps, default
2: this machine has 2 cores), BENCH_DATABASE_URL (a PostgreSQL database to use, emptied
first; without it a throwaway server is started like scripts/pg-test-server does, with its
own state file, and stopped at the end).

What is measured, per database and size:
  board         GET /bord/ as a coach, 4 clients; the bare app renders the same columns from
                the database: per column its count and first page of cards (PAGE_SIZE)
  submit        POST /melden (CSRF token from the form, similar reports already seen) as an
                employee, 8 clients; bare: the same insert, event, search index and commit
  submit with a screenshot
                the same as multipart/form-data with one screenshot in `attachments` (a
                1280 x 800 PNG made once by bench/screenshot.py), stored in a local folder
                of the run; bare: the same cleaning (app.uploads.clean), file and preview put
                in app.storage.LocalStorage, and the insert, events, attachment row, search
                index and commit. The attachment rows are counted before and after
  similar       GET /melden/vergelijkbaar?rule=...&problem=..., 1 client, median
  mine          GET /mijn-meldingen for an employee with 2,000 reports (at 1,000 reports:
                half of them), 1 client, median; bare: the same number of rows
  insight       GET /inzicht/ (the dashboard, last twelve months) as a coach, 1 client,
                median: the figures kept in the database for every worker while nothing
                changes (app.services.insight_snapshots); bare: the same
                statements (recorded from app.services.insight) run for every request and
                their rows as tables. 'first view': one request for a view not kept yet,
                where every figure is computed
  rss           resident memory of each gunicorn worker after the runs (before the submits
                with a screenshot; after them too, apart)
  ceiling       GET /ping on the bare app: what gunicorn and wrk manage at most

The load generator is wrk (Debian package `wrk`); logging in goes through the real login
form, with the session cookie and the same User-Agent handed to wrk."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VENV_BIN = Path(sys.executable).parent
USER_AGENT = "rodeknop-bench"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REFERENCE_RE = re.compile(r"RK-\d{4}-\d{4,10}")
SIMILAR_QUERIES = (
    ("Dakkapel vergunning", "De aanvraag voor een dakkapel duurt te lang"),
    ("Bijstand aanvraag", "bewijsstukken opnieuw aanleveren bij wijkteam"),
    ("parkeervergunning", ""),
    ("Leges verhuizing", "formulier met handtekening op papier, dakapel"),
)
SECRET = "bench-secret-key-not-for-production-0123456789"
ANONYMITY = "bench-anonymity-key-not-for-production-9876543210"


# --- plumbing ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str, attachments: Path | None = None) -> dict:
    """The environment of both apps: `attachments` is the folder files are stored in (local
    storage, no virus scanner: what the bench measures)."""
    env = dict(os.environ)
    env.update(
        RODEKNOP_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        ANONYMITY_KEY=ANONYMITY,
        SESSION_COOKIE_SECURE="0",
        PYTHONPATH=str(ROOT),
        ATTACHMENTS_STORAGE="local",
        CLAMD_SOCKET="",
        CLAMD_REQUIRED="0",
    )
    if attachments is not None:
        env["ATTACHMENTS_DIR"] = str(attachments)
    return env


class Gunicorn:
    def __init__(self, target: str, url: str, workers: int, log: Path, idle_path: str, attachments: Path):
        self.port = free_port()
        self.attachments = attachments
        self.workers = workers
        self.idle_path = idle_path
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(workers),
                "-k",
                "sync",
                "-b",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                target,
            ],
            env=app_env(url, attachments),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, path: str) -> None:
        for _ in range(200):
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log.name}")
            try:
                urllib.request.urlopen(self.base + path, timeout=2).read()
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer on {path}")

    def drain(self) -> None:
        """Wait until the requests a load run left queued are answered (wrk stops
        waiting at the end of its run; the workers do not): one request per worker
        behind them."""
        for _ in range(self.workers):
            urllib.request.urlopen(self.base + self.idle_path, timeout=300).read()

    def worker_rss_mb(self) -> list[float]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        sizes = []
        for child in children:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Browser:
    """Cookies and the User-Agent of one logged-in person, through the real login form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        match = CSRF_RE.search(self.get(path))
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": self.token("/inloggen")})
        with self.opener.open(self.base + "/inloggen", data=data.encode(), timeout=60) as response:
            page = response.read().decode()
        if "Uitloggen" not in page and "uitloggen" not in page:
            raise RuntimeError(f"login as {email} failed")

    def cookie_header(self) -> str:
        # The device cookie (path /inloggen) is not sent to the pages measured.
        return "; ".join(f"{c.name}={c.value}" for c in self.jar if c.path == "/")


@dataclass
class Run:
    rps: float
    p50_ms: float
    requests: int
    errors: int
    statuses: dict
    seconds: float


def wrk(server, mode: str, args: list[str], *, clients: int, duration: float, cookie: str = "") -> Run:
    """One load run against `server` (a Gunicorn), then wait until it has answered what
    the run left queued. `mode` and `args` as bench/wrk.lua takes them: "get" and paths,
    "post" with a path and a body prefix, "post-file" with a path, a content type and the
    files with the body's head and tail."""
    url = server.base
    command = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "30s",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += ["-s", str(ROOT / "bench" / "wrk.lua"), url, "--", mode, *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    server.drain()
    line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
    data = json.loads(line[len("BENCH-JSON ") :])
    return Run(
        seconds=data["duration_us"] / 1e6,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        requests=data["requests"],
        errors=data["status_errors"] + data["socket_errors"],
        statuses=data["statuses"],
    )


MIN_REQUESTS = 20


def enough(run, duration: float) -> Run:
    """`run(seconds)`; if it answered fewer than MIN_REQUESTS (a slow page, where the
    requests still running at the end would weigh too much), that was a probe: run again
    long enough for them, up to 40 s."""
    first = run(duration)
    if first.requests >= MIN_REQUESTS:
        return first
    needed = duration * MIN_REQUESTS / max(first.requests, 1) * 1.2
    return run(min(40.0, max(needed, 2 * duration)))


def pair(app_run, bare_run, duration: float, rounds: int = 3) -> tuple[Run, Run]:
    """App and bare app in turns (`rounds` each, `duration` in all for each), so that a
    machine that gets busier or quieter during the run affects both alike."""
    step = max(2.0, duration / rounds)
    runs = [(enough(app_run, step), enough(bare_run, step)) for _ in range(rounds)]
    return combine([a for a, _ in runs]), combine([b for _, b in runs])


def combine(runs: list[Run]) -> Run:
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    statuses: dict = {}
    for r in runs:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    # The median of the runs' medians, weighed by nothing: good enough for similar runs.
    medians = sorted(r.p50_ms for r in runs if r.requests)
    return Run(
        rps=requests / seconds if seconds else 0.0,
        p50_ms=medians[len(medians) // 2] if medians else float("nan"),
        requests=requests,
        errors=sum(r.errors for r in runs),
        statuses=statuses,
        seconds=seconds,
    )


# --- databases -----------------------------------------------------------------------------


class PostgresServer:
    """A throwaway server from scripts/pg-test-server, with a state file of our own (so a
    test server that is already running is left alone), or BENCH_DATABASE_URL."""

    def __init__(self):
        self.given = os.environ.get("BENCH_DATABASE_URL")
        self.state = Path(tempfile.gettempdir()) / f"rodeknop-pg-bench-{os.getpid()}.state"
        self.base_url = self.given
        self.started = False

    def start(self) -> None:
        if self.given:
            return
        env = dict(os.environ, RODEKNOP_PG_STATE=str(self.state))
        env.pop("PGPORT", None)
        output = subprocess.run(
            [str(ROOT / "scripts" / "pg-test-server"), "start"], env=env, capture_output=True, text=True, check=True
        ).stdout
        self.base_url = output.strip().splitlines()[-1]
        self.started = True

    def database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        url = self.base_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if self.given:
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            return url
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self.started:
            env = dict(os.environ, RODEKNOP_PG_STATE=str(self.state))
            subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "stop"], env=env, capture_output=True)
            Path(f"{self.state}.lock").unlink(missing_ok=True)


def prepare(url: str, size: int):
    """Migrate and fill (bench/data.py) through the app's own settings."""
    os.environ.update(app_env(url))
    from flask_migrate import upgrade

    from app import create_app
    from app.anonymity import pseudonym
    from app.extensions import db
    from app.services.users import hash_password
    from bench.data import PASSWORD, fill

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        start = time.perf_counter()
        data = fill(db.engine, size, seed=42, password_hash=hash_password(PASSWORD), pseudonym=pseudonym)
        print(f"  filled {size:,} reports in {time.perf_counter() - start:.1f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return data


def count_rows(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    engine.dispose()
    return total


def reports_with_files(url: str, key_prefix: str) -> tuple[int, int]:
    """The reports whose submission key starts with `key_prefix`, and their attachment rows."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT COUNT(DISTINCT r.id), COUNT(a.id) FROM report r LEFT JOIN attachment a ON a.report_id = r.id "
                "WHERE r.submission_key LIKE :p"
            ),
            {"p": key_prefix + "%"},
        ).one()
    engine.dispose()
    return found[0], found[1]


def count_files(folder: Path) -> int:
    """The files app.storage.LocalStorage keeps in `folder` (not its temporary ones)."""
    return sum(1 for path in folder.rglob("*") if path.is_file() and not path.name.startswith(".tmp-"))


def multipart(fields: dict[str, str], file_field: str, file_name: str, file: bytes, last_field: str):
    """A multipart/form-data body with `fields`, one PNG `file` in `file_field` and, at the
    end, `last_field`, whose value the load generator completes: (content type, the body up
    to that value, the body after it)."""
    boundary = "----RodeKnopBench" + secrets.token_hex(12)
    while boundary.encode() in file:
        boundary = "----RodeKnopBench" + secrets.token_hex(12)
    dash = f"--{boundary}\r\n".encode()
    head = bytearray()
    for name, value in fields.items():
        head += dash + f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    head += (
        dash
        + (
            f'Content-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
    )
    head += file + b"\r\n"
    head += dash + f'Content-Disposition: form-data; name="{last_field}"\r\n\r\n'.encode()
    return f"multipart/form-data; boundary={boundary}", bytes(head), f"\r\n--{boundary}--\r\n".encode()


# --- one database at one size ----------------------------------------------------------


@dataclass
class Result:
    database: str
    size: int
    figures: dict = field(default_factory=dict)


def measure(database: str, size: int, url: str, options, logs: Path, shot: bytes) -> Result:
    data = prepare(url, size)
    result = Result(database, size)
    app = Gunicorn(
        "wsgi:app",
        url,
        options.workers,
        logs / f"app-{database}-{size}.log",
        "/inloggen",
        logs / f"files-app-{database}-{size}",
    )
    bare = Gunicorn(
        "bench.bare:app",
        url,
        options.workers,
        logs / f"bare-{database}-{size}.log",
        "/ping",
        logs / f"files-bare-{database}-{size}",
    )
    try:
        app.wait("/inloggen")
        bare.wait("/ping")
        coach, heavy, employee = Browser(app.base), Browser(app.base), Browser(app.base)
        coach.login(data.coach_email, data.password)
        heavy.login(data.heavy_email, data.password)
        employee.login("m7@bench.test", data.password)
        cards = len(set(REFERENCE_RE.findall(coach.get("/bord/"))))
        items = len(set(REFERENCE_RE.findall(heavy.get("/mijn-meldingen"))))
        token = employee.token("/melden")
        from app.board.routes import PAGE_SIZE  # the board's page per column

        bare_board = f"/board?per_column={PAGE_SIZE}"
        bare_mine = "/mine?" + urllib.parse.urlencode(
            {"user": data.heavy_id, "pseudonym": data.heavy_pseudonym or "", "items": items}
        )
        # The bare pages really show as many cards and rows.
        assert len(set(REFERENCE_RE.findall(Browser(bare.base).get(bare_board)))) == cards
        assert len(set(REFERENCE_RE.findall(Browser(bare.base).get(bare_mine)))) == items
        similar_paths = [
            "/melden/vergelijkbaar?" + urllib.parse.urlencode({"rule": rule, "problem": problem})
            for rule, problem in SIMILAR_QUERIES
        ]
        d, f = options.duration, result.figures
        f["cards"], f["items"], f["heavy_reports"] = cards, items, data.heavy_reports
        f["ceiling"] = wrk(bare, "get", ["/ping"], clients=8, duration=d)
        f["board"], f["board_bare"] = pair(
            lambda t: wrk(app, "get", ["/bord/"], clients=4, duration=t, cookie=coach.cookie_header()),
            lambda t: wrk(bare, "get", [bare_board], clients=4, duration=t),
            d,
        )
        f["similar"] = enough(
            lambda t: wrk(app, "get", similar_paths, clients=1, duration=t, cookie=heavy.cookie_header()), d
        )
        f["mine"], f["mine_bare"] = pair(
            lambda t: wrk(app, "get", ["/mijn-meldingen"], clients=1, duration=t, cookie=heavy.cookie_header()),
            lambda t: wrk(bare, "get", [bare_mine], clients=1, duration=t),
            d,
        )
        # A view not kept yet (yesterday as its last day): every figure computed, then kept.
        cold = "/inzicht/?" + urllib.parse.urlencode({"tot": (date.today() - timedelta(days=1)).isoformat()})
        started = time.perf_counter()
        coach.get(cold)
        f["insight_first_ms"] = (time.perf_counter() - started) * 1000
        coach.get("/inzicht/")  # computed and kept once; every worker reads it from then on
        Browser(bare.base).get("/insight")
        f["insight"], f["insight_bare"] = pair(
            lambda t: wrk(app, "get", ["/inzicht/"], clients=1, duration=t, cookie=coach.cookie_header()),
            lambda t: wrk(bare, "get", ["/insight"], clients=1, duration=t),
            d,
        )
        run_id = secrets.token_hex(4)
        fields = {
            "csrf_token": token,
            "rule": "Benchmarkregel over een vergunning",
            "problem": "Het formulier vraagt drie keer dezelfde gegevens.",
            "origin": "unknown",
            "department_id": "",
            "similar_seen": "1",
        }
        before = count_rows(url, "report")
        rounds = iter(range(100))

        def submit(server, path, prefix, cookie=""):
            def go(t):
                body = urllib.parse.urlencode(fields) + f"&submission_key={prefix}-{run_id}-{next(rounds)}-"
                return wrk(server, "post", [path, body], clients=8, duration=t, cookie=cookie)

            return go

        f["submit"], f["submit_bare"] = pair(
            submit(app, "/melden", "app", employee.cookie_header()), submit(bare, "/submit", "bare"), d
        )
        time.sleep(0.5)
        f["stored"] = count_rows(url, "report") - before
        f["rss"] = app.worker_rss_mb()
        f["rss_bare"] = bare.worker_rss_mb()

        # The same form with a screenshot (multipart): the body up to the submission key,
        # which is sent last and completed by wrk with a number unique in its run.
        def submit_file(server, path, prefix, cookie=""):
            def go(t):
                name = f"{prefix}-{run_id}-{next(rounds)}-"
                content_type, head, tail = multipart(
                    fields, "attachments", "schermafdruk.png", shot, last_field="submission_key"
                )
                head_file, tail_file = logs / f"{name}head", logs / f"{name}tail"
                head_file.write_bytes(head + name.encode())
                tail_file.write_bytes(tail)
                try:
                    return wrk(
                        server,
                        "post-file",
                        [path, content_type, str(head_file), str(tail_file)],
                        clients=8,
                        duration=t,
                        cookie=cookie,
                    )
                finally:
                    head_file.unlink()
                    tail_file.unlink()

            return go

        before_files = count_rows(url, "attachment")
        f["submit_file"], f["submit_file_bare"] = pair(
            submit_file(app, "/melden", "app-file", employee.cookie_header()),
            submit_file(bare, "/submit-file", "bare-file"),
            d,
        )
        time.sleep(0.5)
        f["attached"] = count_rows(url, "attachment") - before_files
        f["attached_app"] = reports_with_files(url, f"app-file-{run_id}-")
        f["attached_bare"] = reports_with_files(url, f"bare-file-{run_id}-")
        f["files_app"] = count_files(app.attachments)
        f["files_bare"] = count_files(bare.attachments)
        f["rss_file"] = app.worker_rss_mb()
        f["rss_file_bare"] = bare.worker_rss_mb()
    finally:
        app.stop()
        bare.stop()
    print_one(result)
    return result


# --- printing ----------------------------------------------------------------------------


def print_one(r: Result) -> None:
    f = r.figures

    def line(label: str, run: Run, extra: str = "") -> None:
        errors = f"  ERRORS {run.errors}" if run.errors else ""
        errors += "  (" + ", ".join(f"{n} x {status}" for status, n in sorted(run.statuses.items())) + ")"
        print(f"    {label:<42} {run.rps:8.1f} req/s   median {run.p50_ms:8.1f} ms   n={run.requests}{errors}{extra}")

    print(f"  {r.database}, {r.size:,} reports ({f['cards']} cards on the board, {f['items']} on Mijn meldingen)")
    line("ceiling: bare /ping, 8 clients", f["ceiling"])
    line("board, app, 4 clients", f["board"])
    line("board, bare, 4 clients", f["board_bare"])
    line("similar, app, 1 client", f["similar"])
    line("Mijn meldingen, app, 1 client", f["mine"])
    line("Mijn meldingen, bare, 1 client", f["mine_bare"])
    line("Inzicht, app, 1 client", f["insight"], f"   (first view: {f['insight_first_ms']:.0f} ms)")
    line("Inzicht, bare, 1 client", f["insight_bare"])
    line("submit, app, 8 clients", f["submit"])
    line("submit, bare, 8 clients", f["submit_bare"], f"   ({f['stored']} reports stored by both)")
    line("submit with a screenshot, app, 8 clients", f["submit_file"])
    line("submit with a screenshot, bare, 8 clients", f["submit_file_bare"])
    (app_reports, app_files), (bare_reports, bare_files) = f["attached_app"], f["attached_bare"]
    print(
        f"      stored: {f['attached']} attachment rows in all; app {app_reports} reports with {app_files}"
        f" attachments, {f['files_app']} files; bare {bare_reports} with {bare_files}, {f['files_bare']} files"
        + ("" if app_reports and app_files == app_reports else "   THE APP DID NOT STORE EVERY FILE")
    )
    print(
        f"    submit with a screenshot: app req/s ÷ bare {f['submit_file'].rps / f['submit_file_bare'].rps:.3f},"
        f" app req/s ÷ plain submit {f['submit_file'].rps / f['submit'].rps:.3f}"
    )

    def mb(sizes) -> str:
        return ", ".join(f"{size:.0f}" for size in sizes)

    print(f"    RSS per worker: app {mb(f['rss'])} MB; bare {mb(f['rss_bare'])} MB", flush=True)
    print(
        f"    RSS per worker after the submits with a screenshot: app {mb(f['rss_file'])} MB;"
        f" bare {mb(f['rss_file_bare'])} MB",
        flush=True,
    )


def print_table(results: list[Result]) -> None:
    print()
    print("figure                                            " + "".join(f"{r.database[:6]:>11}" for r in results))
    print("                                                  " + "".join(f"{r.size:>11,}" for r in results))

    def row(label: str, values) -> None:
        print(f"{label:<50}" + "".join(f"{v:>11}" for v in values))

    row(
        "board req/s ÷ bare (goal ≥ 0.5)",
        [f"{r.figures['board'].rps / r.figures['board_bare'].rps:.3f}" for r in results],
    )
    row("  board req/s, app", [f"{r.figures['board'].rps:.1f}" for r in results])
    row("  board req/s, bare", [f"{r.figures['board_bare'].rps:.1f}" for r in results])
    row("  cards on the board", [r.figures["cards"] for r in results])
    by_db: dict[str, dict[int, Result]] = {}
    for r in results:
        by_db.setdefault(r.database, {})[r.size] = r
    growth = []
    for r in results:
        sizes = by_db[r.database]
        smallest = min(sizes)
        if r.size != smallest:
            growth.append(f"{sizes[smallest].figures['board'].rps / r.figures['board'].rps:.2f}")
        else:
            growth.append("-")
    row("board time ÷ at the smallest size (goal ≤ 1.2)", growth)
    row(
        "submit req/s ÷ bare, 8 clients (goal ≥ 0.3)",
        [f"{r.figures['submit'].rps / r.figures['submit_bare'].rps:.3f}" for r in results],
    )
    row("  submit req/s, app", [f"{r.figures['submit'].rps:.1f}" for r in results])
    row("  submit req/s, bare", [f"{r.figures['submit_bare'].rps:.1f}" for r in results])
    row(
        "submit with a screenshot req/s ÷ bare, 8 clients",
        [f"{r.figures['submit_file'].rps / r.figures['submit_file_bare'].rps:.3f}" for r in results],
    )
    row("  submit with a screenshot req/s, app", [f"{r.figures['submit_file'].rps:.1f}" for r in results])
    row("  submit with a screenshot req/s, bare", [f"{r.figures['submit_file_bare'].rps:.1f}" for r in results])
    row(
        "  app req/s ÷ the app's plain submit",
        [f"{r.figures['submit_file'].rps / r.figures['submit'].rps:.3f}" for r in results],
    )
    row("similar, median ms (goal ≤ 15)", [f"{r.figures['similar'].p50_ms:.1f}" for r in results])
    row("Mijn meldingen, median ms (goal ≤ 30)", [f"{r.figures['mine'].p50_ms:.1f}" for r in results])
    row("  bare, same rows, median ms", [f"{r.figures['mine_bare'].p50_ms:.1f}" for r in results])
    row("  the user's reports", [r.figures["heavy_reports"] for r in results])
    row("  rows on the page", [r.figures["items"] for r in results])
    row("Inzicht, median ms (goal ≤ 100)", [f"{r.figures['insight'].p50_ms:.1f}" for r in results])
    row("  bare, same statements, median ms", [f"{r.figures['insight_bare'].p50_ms:.1f}" for r in results])
    row(
        "  Inzicht time ÷ bare",
        [f"{r.figures['insight'].p50_ms / r.figures['insight_bare'].p50_ms:.3f}" for r in results],
    )
    row("  first view (every figure computed), ms", [f"{r.figures['insight_first_ms']:.0f}" for r in results])
    row("RSS per worker, MB, max (goal ≤ 150)", [f"{max(r.figures['rss']):.0f}" for r in results])
    row("  bare, MB, max", [f"{max(r.figures['rss_bare']):.0f}" for r in results])
    row("  after the submits with a screenshot, MB, max", [f"{max(r.figures['rss_file']):.0f}" for r in results])
    row("  bare, after them, MB, max", [f"{max(r.figures['rss_file_bare']):.0f}" for r in results])
    row("ceiling: bare /ping req/s", [f"{r.figures['ceiling'].rps:.0f}" for r in results])
    print()
    print("board time = 1 / board req/s with 4 clients; medians with 1 client; all with wrk on loopback.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("SIZES") or "1000,10000,100000")
    parser.add_argument("--databases", default=os.environ.get("DATABASES") or "sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=float(os.environ.get("DURATION") or 6))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 2))
    options = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in options.sizes.replace(" ", ",").split(",") if s]
    databases = [d for d in options.databases.replace(" ", ",").split(",") if d]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        sys.exit(f"unknown database(s): {', '.join(sorted(unknown))}; use sqlite and/or postgresql")
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk on the PATH: apt-get install wrk (Debian)")

    work = Path(tempfile.mkdtemp(prefix="rodeknop-bench-"))
    print(
        f"Rode Knop bench: sizes {sizes}, databases {databases}, {options.workers} sync workers each, "
        f"{options.duration:g} s per run; logs in {work}",
        flush=True,
    )
    from bench.screenshot import HEIGHT, WIDTH, screenshot

    shot = screenshot()
    print(f"Screenshot attached: a {WIDTH} x {HEIGHT} PNG of {len(shot) / 1000:.0f} kB", flush=True)
    results: list[Result] = []
    postgres = PostgresServer() if "postgresql" in databases else None
    try:
        for database in databases:
            if database == "postgresql":
                postgres.start()
            for size in sizes:
                print(f"{database}, {size:,} reports", flush=True)
                if database == "sqlite":
                    url = f"sqlite:///{work}/bench-{size}.db"
                else:
                    url = postgres.database(f"rodeknop_bench_{size}")
                results.append(measure(database, size, url, options, work, shot))
    finally:
        if postgres is not None:
            postgres.stop()
    print_table(results)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

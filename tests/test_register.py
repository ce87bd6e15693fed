"""The shared register of national rules (issue 12, part 3; README, "Het gedeelde register").

One register and two installations run as separate processes on loopback, each with its
own database (SQLite files, or on PostgreSQL databases named after TEST_DATABASE_URL's),
started once for this module. The test process plays each installation's scheduler: it
runs their jobs (deliver_register, sync_register) against their databases, like
`flask run-job` would."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, select, text

from app import jobs
from app.extensions import db
from app.models import Dossier, RegisterDelivery, RegisterEntry, RegisterLetterJoin, RegisterRefusal
from app.models.base import utcnow
from app.register_signing import load_private_key, new_private_key_pem, public_key_text, sign
from app.services.register import PAYLOAD_KEYS, payload_problems, publish, published_entry, withdraw
from app.services.register_book import add_member
from tests.conftest import CSRF_RE, ROOT, TEST_DATABASE_URL, WORKER, _app_for
from tests.factories import PASSWORD, make_dossier, make_report, make_user

PARTICIPATIEWET = "BWBR0015703"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(tmp: Path, name: str) -> str:
    """A fresh, migrated database of its own for one process."""
    if TEST_DATABASE_URL:
        base = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
        url = base.set(database=f"{base.database}{'_' + WORKER if WORKER else ''}_{name}")
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
                    conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        finally:
            engine.dispose()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        rendered = url.render_as_string(hide_password=False)
    else:
        # Migrated once; each process gets a copy of that file.
        template = tmp / "migrated.db"
        if not template.exists():
            _migrate(f"sqlite:///{template}")
        shutil.copyfile(template, tmp / (name + ".db"))
        return f"sqlite:///{tmp / (name + '.db')}"
    _migrate(rendered)
    return rendered


def _migrate(rendered: str) -> None:
    app = _app_for(rendered)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


SERVER = (
    "import sys\n"
    "from werkzeug.serving import make_server\n"
    "from app import create_app\n"
    "server = make_server('127.0.0.1', int(sys.argv[1]), create_app(), threaded=True)\n"
    "server.serve_forever()\n"
)


@dataclass
class Process:
    """One Rode Knop process on loopback."""

    name: str
    env: dict
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    _log_file: object = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._log_file = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: {self.log.read_text()[-2000:]}")
            try:
                requests.get(self.url + "/favicon.ico", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
        self.proc = self._log_file = None


@dataclass
class Installation:
    process: Process
    app: object
    member_id: int
    key_file: Path
    legal_email: str


@pytest.fixture(scope="module")
def world():
    tmp = Path(tempfile.mkdtemp(prefix="rodeknop-register-"))
    urls = {name: _database(tmp, name) for name in ("register", "eerstestad", "tweedorp")}
    base_env = {**os.environ, "RODEKNOP_ENV": "test", "RATELIMIT_ENABLED": "0"}
    register = Process(
        "register",
        {**base_env, "DATABASE_URL": urls["register"], "RODEKNOP_MODE": "register", "MUNICIPALITY_NAME": "Register"},
        _free_port(),
        tmp / "register.log",
    )
    register.start()
    register_app = _app_for(urls["register"])
    installations = {}
    for name, municipality in (("eerstestad", "Gemeente Eerstestad"), ("tweedorp", "Gemeente Tweedorp")):
        key_file = tmp / f"{name}.pem"
        key_file.write_bytes(new_private_key_pem())
        with register_app.app_context():
            member = add_member(municipality, public_key_text(load_private_key(key_file)), actor=None)
            db.session.commit()
            member_id = member.id
        settings = {
            "REGISTER_URL": register.url,
            "REGISTER_MEMBER": str(member_id),
            "REGISTER_KEY_FILE": str(key_file),
        }
        process = Process(
            name,
            {**base_env, **settings, "DATABASE_URL": urls[name], "MUNICIPALITY_NAME": municipality},
            _free_port(),
            tmp / f"{name}.log",
        )
        process.start()
        app = _app_for(urls[name], **settings, MUNICIPALITY_NAME=municipality)
        email = f"jz@{name}.test"
        with app.app_context():
            make_user(f"Jurist {name}", email=email, roles=("employee", "legal"))
            db.session.commit()
        installations[name] = Installation(process, app, member_id, key_file, email)
    for process in (register, *(i.process for i in installations.values())):
        process.wait()
    try:
        yield {"register": register, "register_app": register_app, **installations}
    finally:
        for process in (register, *(i.process for i in installations.values())):
            process.stop()
        for app in (register_app, *(i.app for i in installations.values())):
            with app.app_context():
                db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def _escalate(
    app, *, article: str, reporter_name: str = "Melder", email: str | None = None, problem: str = "Het gaat mis."
) -> int:
    """A dossier about the Participatiewet at `article`; returns its id."""
    from app.services.dossiers import LegalReference, attach_to_dossier

    with app.app_context():
        reporter = make_user(reporter_name, email=email)
        coach = make_user("Coach Eerst", roles=("employee", "coach"))
        report = make_report(reporter, rule="Een regel die in de weg zit", problem=problem)
        dossier = make_dossier(report, coach)
        if article != dossier.article:
            dossier = attach_to_dossier(
                make_report(reporter), LegalReference("Participatiewet", PARTICIPATIEWET, article), actor=coach
            )
        db.session.commit()
        return dossier.id


def _publish(app, dossier_id: int, summary: str) -> None:
    with app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        legal = make_user(roles=("employee", "legal"))
        publish(dossier, summary, actor=legal)
        db.session.commit()


def _run(app, job: str, now=None) -> dict:
    with app.app_context():
        return getattr(jobs, job)(now=now)


def _session(installation: Installation) -> requests.Session:
    """A Juridische Zaken user logged in on the installation's process, as in a browser."""
    session = requests.Session()
    page = session.get(installation.process.url + "/inloggen", timeout=10)
    token = CSRF_RE.search(page.text).group(1)
    answer = session.post(
        installation.process.url + "/inloggen",
        data={"email": installation.legal_email, "password": PASSWORD, "csrf_token": token},
        timeout=10,
    )
    assert answer.ok, answer.status_code
    return session


def test_a_dossier_published_by_one_appears_on_the_others_matching_dossier(world):
    first, second = world["eerstestad"], world["tweedorp"]
    mine = _escalate(first.app, article="art. 22a")
    theirs = _escalate(second.app, article="Artikel 22a")  # the same article, written otherwise

    # Juridische Zaken of the first sees exactly what goes out, then publishes (the page).
    client = first.app.test_client()
    with first.app.app_context():
        make_user("Jurist Pagina", email="pagina@eerstestad.test", roles=("employee", "legal"))
        db.session.commit()
    page = client.get("/inloggen")
    client.post(
        "/inloggen",
        data={
            "email": "pagina@eerstestad.test",
            "password": PASSWORD,
            "csrf_token": CSRF_RE.search(page.text).group(1),
        },
    )
    form = client.get(f"/juridisch/dossiers/{mine}/register")
    token = CSRF_RE.search(form.text).group(1)
    summary = "Bijzondere bijstand mag niet vooraf worden toegekend, ook als de nood duidelijk is."
    preview = client.post(
        f"/juridisch/dossiers/{mine}/register", data={"summary": summary, "action": "voorbeeld", "csrf_token": token}
    )
    assert preview.status_code == 200 and summary in preview.text and PARTICIPATIEWET in preview.text
    done = client.post(
        f"/juridisch/dossiers/{mine}/register", data={"summary": summary, "action": "publiceren", "csrf_token": token}
    )
    assert done.status_code == 303

    assert _run(first.app, "deliver_register") == {"delivered": 1, "failed": 0}
    listing = requests.get(world["register"].url + "/register/", timeout=10)
    assert "Participatiewet, art. 22a" in listing.text
    article = requests.get(world["register"].url + f"/register/{PARTICIPATIEWET}/22a", timeout=10)
    assert "Gemeente Eerstestad" in article.text and summary in article.text

    # The second installation fetches the register and shows it on its own dossier.
    assert _run(second.app, "sync_register")["articles"] >= 1
    session = _session(second)
    dossier_page = session.get(second.process.url + f"/juridisch/dossiers/{theirs}", timeout=10).text
    assert "Ook aangekaart door 1 gemeente:" in dossier_page
    assert "Gemeente Eerstestad: In voorbereiding" in dossier_page

    # Sending the same message again changes nothing (idempotent); a later status does.
    with first.app.app_context():
        delivery = db.session.scalars(select(RegisterDelivery).where(RegisterDelivery.dossier_id == mine)).one()
        delivery.sent_at = None
        db.session.commit()
    assert _run(first.app, "deliver_register") == {"delivered": 1, "failed": 0}
    with world["register_app"].app_context():
        assert db.session.scalar(select(db.func.count()).select_from(RegisterEntry)) == 1

    # A later step of the dossier goes to the register by itself, with the same summary.
    with first.app.app_context():
        from app.services.dossiers import change_dossier_status
        from tests.factories import first_addressee_id

        dossier = db.session.get(Dossier, mine)
        dossier.addressee_id = first_addressee_id()
        dossier.sent_on = utcnow().date()
        legal = make_user(roles=("employee", "legal"))
        change_dossier_status(dossier, "sent", actor=legal)
        db.session.commit()
    assert _run(first.app, "deliver_register") == {"delivered": 1, "failed": 0}
    with world["register_app"].app_context():
        entry = db.session.scalars(select(RegisterEntry)).one()
        assert (entry.status, entry.summary, entry.sent_on) == ("sent", summary, utcnow().date())
        assert entry.addressee

    # The second publishes too and joins the shared letter; the register shows who joined.
    _publish(second.app, theirs, "Ook bij ons: bijzondere bijstand achteraf is te laat voor inwoners.")
    with second.app.app_context():
        from app.services.register import join_letter

        join_letter(db.session.get(Dossier, theirs), actor=make_user(roles=("employee", "legal")))
        db.session.commit()
    assert _run(second.app, "deliver_register") == {"delivered": 2, "failed": 0}
    article = requests.get(world["register"].url + f"/register/{PARTICIPATIEWET}/22a", timeout=10)
    assert "Gemeente Tweedorp (sinds" in article.text
    assert '"1 gemeente vraagt u Participatiewet' in " ".join(article.text.split())  # one, not "1 gemeenten"
    _run(first.app, "sync_register")
    with first.app.test_request_context():
        from app.services.register import register_view

        view = register_view(db.session.get(Dossier, mine))
        assert [entry["municipality"] for entry in view.others] == ["Gemeente Tweedorp"]
        assert [joined["municipality"] for joined in view.letter] == ["Gemeente Tweedorp"]

    # Withdrawn by the first: gone from the register and, after fetching, from the second.
    with first.app.app_context():
        withdraw(db.session.get(Dossier, mine), actor=make_user(roles=("employee", "legal")))
        db.session.commit()
    assert _run(first.app, "deliver_register") == {"delivered": 1, "failed": 0}
    _run(second.app, "sync_register")
    dossier_page = session.get(second.process.url + f"/juridisch/dossiers/{theirs}", timeout=10).text
    assert "Ook aangekaart door" not in dossier_page
    assert "Gemeente Eerstestad" not in requests.get(world["register"].url + "/register/", timeout=10).text


def test_the_register_being_down_loses_nothing(world):
    first = world["eerstestad"]
    dossier_id = _escalate(first.app, article="art. 31")
    world["register"].stop()
    try:
        _publish(
            first.app, dossier_id, "Terugvordering van bijstand gaat ook door als de inwoner niets verweten kan worden."
        )
        assert _run(first.app, "deliver_register") == {"delivered": 0, "failed": 1}
        sync = _run(first.app, "sync_register")  # the local copy stays as it was
        assert "error" in sync
        with first.app.app_context():
            waiting = db.session.scalars(
                select(RegisterDelivery).where(RegisterDelivery.dossier_id == dossier_id)
            ).one()
            assert waiting.sent_at is None and waiting.attempts == 1 and waiting.last_error
        # The dossier page still works, and says a message waits.
        client = first.app.test_client()
        page = client.get("/inloggen")
        client.post(
            "/inloggen",
            data={"email": first.legal_email, "password": PASSWORD, "csrf_token": CSRF_RE.search(page.text).group(1)},
        )
        assert (
            "1 bericht wacht nog op verzending naar het register"
            in client.get(f"/juridisch/dossiers/{dossier_id}").text
        )
    finally:
        world["register"].start()
        world["register"].wait()
    # Before its backoff has passed nothing is tried; after it, it arrives once.
    assert _run(first.app, "deliver_register") == {"delivered": 0, "failed": 0}
    later = utcnow() + timedelta(minutes=5)
    assert _run(first.app, "deliver_register", now=later) == {"delivered": 1, "failed": 0}
    assert _run(first.app, "deliver_register", now=later) == {"delivered": 0, "failed": 0}
    with world["register_app"].app_context():
        entries = db.session.scalars(
            select(RegisterEntry).where(
                RegisterEntry.member_id == first.member_id, RegisterEntry.dossier_id == dossier_id
            )
        ).all()
        assert len(entries) == 1 and entries[0].article_key == "31"


def _signed_put(world, *, key_file: Path, member: str, body: bytes, date_shift: int = 0):
    path = "/api/v1/register/entries/99"
    headers = sign(load_private_key(key_file), member, "PUT", path, body)
    if date_shift:
        # An old request sent again: its date (and so its signature) are of then.
        headers = sign(load_private_key(key_file), member, "PUT", path, body)
        headers["Rodeknop-Date"] = str(int(headers["Rodeknop-Date"]) - date_shift)
    headers["Content-Type"] = "application/json"
    return requests.put(world["register"].url + path, data=body, headers=headers, timeout=10)


def test_a_request_with_a_wrong_signature_is_refused_and_logged(world):
    first, second = world["eerstestad"], world["tweedorp"]
    entry = {
        "dossier_id": 99,
        "law_title": "Participatiewet",
        "bwb_id": PARTICIPATIEWET,
        "article": "art. 1",
        "status": "preparing",
        "summary": "Vals.",
        "created_on": "2026-12-01",
    }
    body = json.dumps({"sequence": 1, "entry": entry}).encode()
    # Tweedorp's key, claiming to be Eerstestad.
    forged = _signed_put(world, key_file=second.key_file, member=str(first.member_id), body=body)
    # Eerstestad's own key, but a date of ten minutes ago.
    replayed = _signed_put(world, key_file=first.key_file, member=str(first.member_id), body=body, date_shift=600)
    # A member that does not exist.
    unknown = _signed_put(world, key_file=first.key_file, member="424242", body=body)
    # Signed, and the body changed on the way.
    headers = sign(load_private_key(first.key_file), str(first.member_id), "PUT", "/api/v1/register/entries/99", body)
    tampered = requests.put(
        world["register"].url + "/api/v1/register/entries/99", data=body.replace(b"Vals", b"Echt"), headers=headers
    )
    for answer in (forged, replayed, unknown, tampered):
        assert answer.status_code == 401
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    with world["register_app"].app_context():
        refusals = db.session.scalars(select(RegisterRefusal).order_by(RegisterRefusal.id)).all()
        reasons = {(r.claimed_member, r.reason) for r in refusals if r.path == "/api/v1/register/entries/99"}
        assert (str(first.member_id), "Handtekening klopt niet.") in reasons
        assert (str(first.member_id), "Datum te oud of in de toekomst (mogelijk een herhaald verzoek).") in reasons
        assert ("424242", "Onbekend of niet actief lid, of geen geldige sleutel.") in reasons
        assert (str(first.member_id), "Inhoud klopt niet met de Content-Digest.") in reasons
        assert not db.session.scalars(select(RegisterEntry).where(RegisterEntry.dossier_id == 99)).all()
    # Correctly signed, it is taken.
    assert _signed_put(world, key_file=first.key_file, member=str(first.member_id), body=body).status_code == 200


def test_nothing_personal_in_any_payload_or_register_page(world):
    first = world["eerstestad"]
    secrets = ["Zeldzaam Persoonlijk", "zeldzaam@voorbeeld.test", "Een heel geheime toelichting 8812"]
    dossier_id = _escalate(first.app, article="art. 77", reporter_name=secrets[0], email=secrets[1], problem=secrets[2])
    with first.app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        dossier.owner = make_user("Eigenaar Geheim", email="eigenaar@voorbeeld.test", roles=("employee", "legal"))
        db.session.commit()
        secrets += ["Eigenaar Geheim", "eigenaar@voorbeeld.test", "Coach Eerst"]
        entry = published_entry(dossier, "Een openbare samenvatting.")
        assert set(entry) <= PAYLOAD_KEYS and not payload_problems(entry)
    _publish(first.app, dossier_id, "Een openbare samenvatting.")
    _run(first.app, "deliver_register")
    with first.app.app_context():
        payloads = [d.payload for d in db.session.scalars(select(RegisterDelivery))]
        from app.anonymity import pseudonym
        from app.models import User

        reporter = db.session.scalars(select(User).where(User.name == secrets[0])).one()
        secrets.append(pseudonym(reporter.id))
    register = world["register"].url
    headers = sign(load_private_key(first.key_file), str(first.member_id), "GET", "/api/v1/register/articles", b"")
    pages = [
        requests.get(register + "/register/", timeout=10).text,
        requests.get(register + f"/register/{PARTICIPATIEWET}/77", timeout=10).text,
        requests.get(register + "/api/v1/register/articles", headers=headers, timeout=10).text,
    ]
    assert "Een openbare samenvatting." in pages[1]
    for text_ in payloads + pages:
        for secret in secrets:
            assert secret not in text_
        assert not re.search(r"[\w.-]+@[\w-]+\.\w+", text_)


def test_a_summary_with_an_email_address_is_refused(world):
    from app.services import DomainError

    first = world["eerstestad"]
    dossier_id = _escalate(first.app, article="art. 78")
    with first.app.app_context():
        with pytest.raises(DomainError, match="e-mailadres"):
            publish(db.session.get(Dossier, dossier_id), "Bel jan@gemeente.test.", actor=make_user(roles=("legal",)))
        db.session.rollback()
        assert not db.session.scalars(select(RegisterDelivery).where(RegisterDelivery.dossier_id == dossier_id)).all()


def test_the_register_applies_a_message_once_and_refuses_what_may_not_be_in_an_entry(world):
    first = world["eerstestad"]
    entry = {
        "dossier_id": 98,
        "law_title": "Participatiewet",
        "bwb_id": PARTICIPATIEWET,
        "article": "art. 2",
        "status": "sent",
        "summary": "Samenvatting.",
        "created_on": "2026-12-01",
    }
    path = "/api/v1/register/entries/98"

    def put(body: dict):
        raw = json.dumps(body).encode()
        headers = sign(load_private_key(first.key_file), str(first.member_id), "PUT", path, raw)
        headers["Content-Type"] = "application/json"
        return requests.put(world["register"].url + path, data=raw, headers=headers, timeout=10)

    assert put({"sequence": 5, "entry": entry}).json() == {"changed": True}
    assert put({"sequence": 5, "entry": entry}).json() == {"changed": False}
    assert put({"sequence": 4, "entry": {**entry, "status": "preparing"}}).json() == {"changed": False}
    personal = put({"sequence": 6, "entry": {**entry, "reporter": "Iemand"}})
    assert personal.status_code == 422 and "reporter" in personal.json()["detail"]
    bad = put({"sequence": 7, "entry": {**entry, "bwb_id": "nope"}})
    assert bad.status_code == 422
    with world["register_app"].app_context():
        row = db.session.scalars(select(RegisterEntry).where(RegisterEntry.dossier_id == 98)).one()
        assert (row.sequence, row.status) == (5, "sent")
        assert not db.session.scalars(select(RegisterLetterJoin).where(RegisterLetterJoin.member_id == 0)).all()


def test_the_register_mode_has_no_report_flow(world):
    register = world["register"].url
    assert requests.get(register + "/", allow_redirects=False, timeout=10).headers["Location"].endswith("/register/")
    for path in ("/melden", "/bord/", "/juridisch/", "/knop", "/api/v1/reports", "/api/v1/openapi.json"):
        assert requests.get(register + path, allow_redirects=False, timeout=10).status_code == 404, path


def test_the_register_pages_and_its_members_beheer(database_url):
    """The register mode in-process: every page without parameters answers (none 500), and
    the beheerder adds a member (a wrong key gets a Dutch message), and makes it inactive."""
    from app import create_app
    from app.models import RegisterMember
    from tests.conftest import _empty_tables

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MODE": "register", "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            make_user("Beheer Register", email="beheer@register.test", roles=("admin",))
            db.session.commit()
        client = app.test_client()
        page = client.get("/inloggen")
        client.post(
            "/inloggen",
            data={
                "email": "beheer@register.test",
                "password": PASSWORD,
                "csrf_token": CSRF_RE.search(page.text).group(1),
            },
        )
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api/"):
                answer = client.get(rule.rule)
                assert answer.status_code < 500, (rule.rule, answer.status_code)
        assert "Register" in client.get("/register/").text
        form = client.get("/register/leden")
        assert form.status_code == 200
        token = CSRF_RE.search(form.text).group(1)
        wrong = client.post(
            "/register/leden", data={"name": "Gemeente Drie", "public_key": "geen sleutel", "csrf_token": token}
        )
        assert wrong.status_code == 400 and "Dit is geen geldige publieke sleutel" in wrong.text
        key = public_key_text(load_private_key_from_pem(new_private_key_pem()))
        added = client.post("/register/leden", data={"name": "Gemeente Drie", "public_key": key, "csrf_token": token})
        assert added.status_code == 303
        with app.app_context():
            member_id = db.session.scalars(select(RegisterMember.id)).one()
        assert client.post(f"/register/leden/{member_id}/actief", data={"csrf_token": token}).status_code == 303
        with app.app_context():
            assert db.session.get(RegisterMember, member_id).active is False
    finally:
        _empty_tables(app)


def load_private_key_from_pem(pem: bytes):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


def test_the_registers_api_is_limited_per_client(database_url):
    """Refused requests count too: nobody fills the refusal log without end."""
    from app import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "MODE": "register", "REGISTER_LIMIT_PER_CLIENT": "3 per minute"}
    )
    try:
        client = app.test_client()
        answers = [client.get("/api/v1/register/articles").status_code for _ in range(5)]
        assert answers == [401, 401, 401, 429, 429]
        assert client.get("/api/v1/register/articles").mimetype == "application/problem+json"
        with app.app_context():
            assert db.session.scalar(select(db.func.count()).select_from(RegisterRefusal)) == 3
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app)


def test_hostile_bodies_from_a_member_get_a_422_never_a_500(database_url, tmp_path):
    """A member's key does not make its messages trusted: every malformed body is refused
    with a Dutch problem+json and changes nothing."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MODE": "register", "RATELIMIT_ENABLED": False})
    key_file = tmp_path / "member.pem"
    key_file.write_bytes(new_private_key_pem())
    try:
        with app.app_context():
            member = add_member("Gemeente Boos", public_key_text(load_private_key(key_file)), actor=None)
            db.session.commit()
            member_id = str(member.id)
        good = {
            "dossier_id": 5,
            "law_title": "Participatiewet",
            "bwb_id": PARTICIPATIEWET,
            "article": "art. 1",
            "status": "sent",
            "summary": "S.",
            "created_on": "2026-12-01",
        }
        bodies = [
            b"not json",
            b"[]",
            b"{}",
            json.dumps({"sequence": "1", "entry": good}).encode(),
            json.dumps({"sequence": True, "entry": good}).encode(),
            json.dumps({"sequence": 1, "entry": []}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "status": ["sent"]}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "law_title": 7}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "summary": "x" * 100_000}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "created_on": "gisteren"}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "dossier_id": 6}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "bwb_id": None}}).encode(),
            json.dumps({"sequence": 1, "entry": {**good, "status": "weg"}}).encode(),
        ]
        client = app.test_client()
        for body in bodies:
            path = "/api/v1/register/entries/5"
            headers = sign(load_private_key(key_file), member_id, "PUT", path, body)
            answer = client.put(path, data=body, headers={**headers, "Content-Type": "application/json"})
            assert answer.status_code == 422, (body[:80], answer.status_code)
            assert answer.mimetype == "application/problem+json"
        for path, body in (("/api/v1/register/letters", b'{"sequence": 1, "bwb_id": 5, "article_key": []}'),):
            headers = sign(load_private_key(key_file), member_id, "POST", path, body)
            assert client.post(path, data=body, headers=headers).status_code == 422
        with app.app_context():
            assert db.session.scalar(select(db.func.count()).select_from(RegisterEntry)) == 0
    finally:
        from tests.conftest import _empty_tables

        _empty_tables(app)

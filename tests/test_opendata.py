"""Open data: the ended reports and the escalation dossiers as CSV and JSON with no personal
data (no names, e-mail addresses, user ids, pseudonyms, times or unpublished text), streamed,
audited, for coaches, Juridische Zaken and the beheerder (anyone with OPEN_DATA_PUBLIC), and
documented in the README from the one definition in app/opendata/data.py."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from app.anonymity import pseudonym
from app.extensions import db
from app.models import AuditEntry, Report, Support, User
from app.opendata.data import BATCH, DATA_SETS, DOSSIER_FIELDS, REPORT_FIELDS, schema_table
from app.services import workflow
from app.services.dossiers import LegalReference
from app.services.impact import Estimate
from app.transactions import writer
from tests.factories import make_department, make_report, make_support, make_user
from tests.test_board import login

README = Path(__file__).resolve().parent.parent / "README.md"
PATHS = ("/open-data/meldingen.csv", "/open-data/meldingen.json", "/open-data/dossiers.csv", "/open-data/dossiers.json")

# Texts that only a coach's mark may publish; names and addresses that must never appear.
SECRET_TEXTS = ("Geheime regel van Zorro", "Zorro vertelde dit in vertrouwen", "Uitleg niet openbaar", "Stil veranderd")
PUBLIC_RULE = '=HYPERLINK("http://x") Parkeervergunning jaarlijks'


def test_the_readme_documents_exactly_the_fields_in_the_code():
    readme = README.read_text(encoding="utf-8")
    for name, data_set in DATA_SETS.items():
        match = re.search(rf"<!-- schema:{name} -->\n(.*?)\n<!-- /schema:{name} -->", readme, re.S)
        assert match, f"README has no schema table for {name}"
        assert match.group(1) == schema_table(data_set), (
            f"README's table for {name} differs from app/opendata/data.py; put this in it:\n{schema_table(data_set)}"
        )


def test_every_field_is_described_once_with_a_known_type():
    for fields in (REPORT_FIELDS, DOSSIER_FIELDS):
        names = [field.name for field in fields]
        assert len(names) == len(set(names))
        for field in fields:
            assert field.type in ("string", "integer", "number", "boolean", "date")
            assert field.meaning and field.label


@pytest.fixture
def world(app):
    """Named and anonymous reporters and supporters, texts published and not, every ending,
    a dossier with an owner."""
    with app.app_context():
        department = make_department("Burgerzaken")
        sanne = make_user("Sanne de Vries", email="sanne@example.test", department=department)
        zorro = make_user("Zorro Geheimzinnig", email="zorro@example.test")
        pim = make_user("Pim Steun", email="pim@example.test")
        eva = make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        make_user("Jet Jurist", email="jet@example.test", roles=("employee", "legal"))
        make_user("Bea Beheer", email="bea@example.test", roles=("employee", "admin"))

        public = make_report(
            sanne, rule=PUBLIC_RULE, problem="Elk jaar hetzelfde formulier.", department_id=department.id
        )
        make_support(pim, public, note="Pim liep er ook tegenaan")
        workflow.assign_report(public, eva, actor=eva)
        workflow.decide_report(
            public,
            actor=eva,
            outcome="resolved",
            explanation="De vergunning loopt voortaan door.",
            what_changed="Geen jaarlijkse aanvraag meer.",
            estimate=Estimate(200, 20, 10, "inhabitants"),
            text_public=True,
        )
        secret = make_report(
            zorro, rule=SECRET_TEXTS[0], problem=SECRET_TEXTS[1], anonymous=True, estimate=Estimate(5, 5, 5, "staff")
        )
        workflow.assign_report(secret, eva, actor=eva)
        workflow.decide_report(
            secret, actor=eva, outcome="resolved", explanation=SECRET_TEXTS[2], what_changed=SECRET_TEXTS[3]
        )
        explained = make_report(sanne, rule="Regel die blijft, sanne@example.test", problem="Pim Steun weet ervan.")
        workflow.decide_report(explained, actor=eva, outcome="explained", explanation="Wettelijk verplicht, Eva.")
        escalated = make_report(
            zorro, rule="Landelijke regel", problem="Zorro Geheimzinnig schreef dit.", anonymous=True
        )
        workflow.decide_report(
            escalated,
            actor=eva,
            outcome="escalated",
            explanation="Naar het Rijk.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 31"),
        )
        escalated.dossier.owner_id = db.session.scalar(db.select(User.id).where(User.email == "jet@example.test"))
        merged = make_report(zorro, rule="Dubbel gemeld door Zorro", anonymous=True)
        target = make_report(sanne, rule="Open melding als doel")
        workflow.merge_report(merged, target, actor=eva, explanation="Zelfde regel, Zorro.")
        make_report(sanne, rule="Nog open, niet in de open data")
        db.session.commit()
        return {
            "public": public.reference,
            "secret": secret.reference,
            "explained": explained.reference,
            "escalated": escalated.reference,
            "merged": merged.reference,
            "target": target.reference,
            "dossier": escalated.dossier.reference,
        }


def _forbidden(app) -> list[str]:
    """Everything that would name someone: every user's name and address, id-like values
    of pseudonyms, and the pseudonyms themselves."""
    with app.app_context():
        users = db.session.execute(db.select(User.id, User.name, User.email)).all()
        pseudonyms = set(
            db.session.scalars(db.select(Report.reporter_pseudonym).where(Report.reporter_pseudonym.is_not(None)))
        )
        pseudonyms |= set(
            db.session.scalars(db.select(Support.follower_pseudonym).where(Support.follower_pseudonym.is_not(None)))
        )
        pseudonyms |= {pseudonym(user_id) for user_id, _name, _email in users}
    words = set()
    for _id, name, email in users:
        # Every part of a name (short words such as 'de' are in ordinary Dutch text too).
        words |= {name, email, *(part for part in name.split() if len(part) > 2)}
    return sorted(words | pseudonyms | {"@"} | set(SECRET_TEXTS) | {"Pim liep er ook"})


def _csv(response) -> list[dict]:
    text = b"".join(response.response).decode("utf-8") if response.is_streamed else response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text)))


def _json(response) -> dict:
    return json.loads(response.get_data(as_text=True))


def test_csv_and_json_hold_the_same_records_in_the_documented_fields(app, world):
    client = login(app, "eva@example.test")
    rows = _csv(client.get("/open-data/meldingen.csv"))
    data = _json(client.get("/open-data/meldingen.json"))
    assert data["dataset"] == "meldingen" and data["schema_version"] == 1
    records = data["records"]
    assert [list(r) for r in records] == [[f.name for f in REPORT_FIELDS]] * len(records)
    assert list(rows[0]) == [f.name for f in REPORT_FIELDS]
    ended = {world[k] for k in ("public", "secret", "explained", "escalated", "merged")}
    assert {r["reference"] for r in records} == ended == {r["reference"] for r in rows}
    for record, row in zip(records, rows, strict=True):
        for field in REPORT_FIELDS:
            value = record[field.name]
            if value is None:
                assert field.nullable, field.name
                assert row[field.name] == ""
                continue
            expected_type = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "date": str}
            assert isinstance(value, expected_type[field.type]), (field.name, value)
            if field.type == "date":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)  # the day, never the time
            if field.type == "boolean":
                assert row[field.name] == ("true" if value else "false")
    by_reference = {r["reference"]: r for r in records}
    public = by_reference[world["public"]]
    assert public["status"] == "resolved" and public["department"] == "Burgerzaken" and public["supporters"] == 1
    assert public["text_public"] is True and public["problem"] == "Elk jaar hetzelfde formulier."
    assert public["what_changed"] == "Geen jaarlijkse aanvraag meer."
    assert public["estimate_confirmed"] is True
    assert public["hours_saved_inhabitant_per_year"] == 800.0 and public["hours_saved_staff_per_year"] == 400.0
    secret = by_reference[world["secret"]]
    assert secret["rule"] is None and secret["problem"] is None and secret["explanation"] is None
    assert secret["cases_per_month"] == 5 and secret["estimate_confirmed"] is False
    assert secret["hours_saved_staff_per_year"] is None  # not confirmed: counts for nothing
    assert by_reference[world["merged"]]["merged_into"] == world["target"]
    assert by_reference[world["escalated"]]["dossier"] == world["dossier"]
    # A formula never reaches a spreadsheet as one; JSON keeps the text as it is.
    csv_public = {r["reference"]: r for r in rows}[world["public"]]
    assert csv_public["rule"] == "'" + PUBLIC_RULE and public["rule"] == PUBLIC_RULE


@pytest.mark.parametrize("path", PATHS)
def test_no_field_names_anyone_or_holds_unpublished_text(app, world, path):
    client = login(app, "bea@example.test")
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for word in _forbidden(app):
        assert word not in body, f"{word!r} in {path}"
    # No user ids: no field is about a user at all, and no time of day anywhere.
    if path.endswith(".json"):
        for record in _json(client.get(path))["records"]:
            for name, value in record.items():
                assert not re.search(r"(^|_)(user|actor|owner|assignee|reporter|pseudonym)", name)
                if isinstance(value, str):
                    assert not re.search(r"\d{2}:\d{2}", value), (name, value)


def test_the_dossiers_data_set(app, world):
    client = login(app, "jet@example.test")
    records = _json(client.get("/open-data/dossiers.json"))["records"]
    assert records == [
        {
            "reference": world["dossier"],
            "law_title": "Participatiewet",
            "article": "art. 31",
            "bwb_id": "BWBR0015703",
            "addressee": None,
            "addressee_kind": None,
            "status": "preparing",
            "opened_on": records[0]["opened_on"],
            "sent_on": None,
            "answer_due": None,
            "reports": 1,
        }
    ]
    rows = _csv(client.get("/open-data/dossiers.csv"))
    assert rows[0]["reference"] == world["dossier"] and rows[0]["reports"] == "1"


def test_downloads_are_streamed_in_batches_and_audited(app, world):
    client = login(app, "eva@example.test")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    response = client.get("/open-data/meldingen.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="rode-knop-meldingen-')
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    response.get_data()
    with app.app_context():
        entries = list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))[before:]
        assert [(e.action, e.detail) for e in entries] == [
            ("list_exported", "Open data: afgeronde meldingen: 5 regels (csv)")
        ]
        assert entries[0].actor_id == db.session.scalar(db.select(User.id).where(User.email == "eva@example.test"))


def test_many_rows_come_in_chunks_read_batch_by_batch(app):
    """A data set larger than a batch is read with yield_per and written a batch at a time:
    the number of chunks grows with the rows, none holds more than a batch."""
    with app.app_context():
        reporter = make_user()
        rows = []
        for number in range(1, 2 * BATCH + 2):
            rows.append(
                {
                    "year": 2020,
                    "number": number,
                    "rule": "r",
                    "problem": "p",
                    "origin": "own",
                    "status": "explained",
                    "reporter_id": reporter.id,
                    "is_anonymous": False,
                    "version": 1,
                    "text_public": False,
                }
            )
        db.session.execute(db.insert(Report), rows)
        db.session.commit()
    with app.app_context():
        make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach"))
        db.session.commit()
    client = login(app, "cor@example.test")
    for path in ("/open-data/meldingen.csv", "/open-data/meldingen.json"):
        response = client.get(path)
        chunks = [chunk for chunk in response.response if chunk]
        assert len(chunks) >= 3
        text = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
        if path.endswith(".csv"):
            assert len(list(csv.DictReader(io.StringIO(text)))) == 2 * BATCH + 1
            assert max(chunk.count(b"\r\n" if isinstance(chunk, bytes) else "\r\n") for chunk in chunks) <= BATCH + 1
        else:
            assert len(json.loads(text)["records"]) == 2 * BATCH + 1


@pytest.mark.parametrize("path", ["/open-data/", *PATHS])
def test_who_may_download(app, world, path):
    assert app.test_client().get(path).status_code == 302  # to the login page
    assert login(app, "pim@example.test").get(path).status_code == 403
    for email in ("eva@example.test", "jet@example.test", "bea@example.test"):
        assert login(app, email).get(path).status_code == 200


def test_open_data_public_opens_it_to_anyone_and_still_audits(app, world):
    app.config["OPEN_DATA_PUBLIC"] = True
    try:
        client = app.test_client()
        assert client.get("/open-data/").status_code == 200
        response = client.get("/open-data/meldingen.json")
        assert response.status_code == 200 and len(_json(response)["records"]) == 5
        assert login(app, "pim@example.test").get("/open-data/dossiers.csv").status_code == 200
        with app.app_context():
            entry = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
            assert entry.detail.startswith("Open data: escalatiedossiers")
            anonymous = db.session.scalar(
                db.select(AuditEntry).where(AuditEntry.detail.like("%zonder inloggen%")).limit(1)
            )
            assert anonymous is not None and anonymous.actor_id is None
    finally:
        app.config["OPEN_DATA_PUBLIC"] = False


def test_a_file_being_sent_does_not_hold_the_write_lock(app, world):
    """The audit line is written first; the file is read while it goes out, which on SQLite
    must not keep everyone else from writing until a slow client has it all."""
    response = login(app, "eva@example.test").get("/open-data/meldingen.csv", buffered=False)
    chunks = iter(response.response)
    received = [next(chunks)]  # the download has begun and is reading
    # SQLite: this waits for the write lock (and gives up after busy_timeout) if it is held.
    with app.app_context(), writer(db.engine).begin() as conn:
        assert conn.execute(text("UPDATE department SET name = name")).rowcount >= 1
    received += list(chunks)
    response.close()
    body = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in received).decode()
    assert body.startswith("reference,") and body.count("RK-") >= 1


def _fetched(client, path: str) -> int:
    response = client.get(path)
    response.get_data()
    response.close()
    return response.status_code


def test_a_client_downloads_a_bounded_number_of_files(app, world):
    """Every file reads all ended reports: one address gets OPEN_DATA_LIMIT_PER_CLIENT files,
    then a Dutch page (429) without the work, and another address is not held up by it."""
    app.config.update(OPEN_DATA_PUBLIC=True, OPEN_DATA_LIMIT_PER_CLIENT="3 per hour")
    try:
        client = app.test_client()
        paths = ["/open-data/meldingen.csv", "/open-data/dossiers.json", "/open-data/meldingen.json"]
        assert [_fetched(client, path) for path in paths] == [200, 200, 200]
        refused = client.get("/open-data/dossiers.csv")
        assert refused.status_code == 429 and "Te veel pogingen" in refused.get_data(as_text=True)
        refused.close()
        assert client.get("/open-data/").status_code == 200  # the page itself is not counted
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert _fetched(other, "/open-data/meldingen.csv") == 200
        with app.app_context():
            downloads = db.session.scalar(
                db.select(db.func.count(AuditEntry.id)).where(AuditEntry.detail.like("%zonder inloggen%"))
            )
            assert downloads == 4  # the refused one did no work and left no line
    finally:
        app.config.update(OPEN_DATA_PUBLIC=False)


def test_the_page_describes_the_fields_in_dutch(app, world):
    page = login(app, "eva@example.test").get("/open-data/").get_data(as_text=True)
    for field in REPORT_FIELDS + DOSSIER_FIELDS:
        assert f"<code>{field.name}</code>" in page
    assert "Geschatte uren per jaar bespaard voor medewerkers" in page

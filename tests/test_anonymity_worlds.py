"""The promise on the report form, attacked the strong way: "Als u anoniem meldt, ziet
niemand anders dan u wie de melding deed".

Two coaches, Xander and Yara, are alike in every way the application knows (roles,
department). The same story is played twice: once Xander makes the anonymous reports,
once Yara does; everything else, Xander's own named reports included, is the same. The
story has anonymous reports in every state: new, assigned, with supporters, merged into
Xander's named report and the other way round, escalated, its dossier sent and answered,
on the weekly agenda, in a session's minutes.

If nobody else can tell who reported anonymously, then everything anybody else can see
must be the same in both stories: every page and export for every other role, every mail
to anybody else, and the whole database apart from the keyed pseudonyms (a DBA without
ANONYMITY_KEY sees random strings in the same places). Counts that change (supporters,
mails) are included: a merge that adds one follower in one story and none in the other
shows up as a difference."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import inspect as sa_inspect

from app.extensions import db
from app.jobs import checkback
from app.models import OutboxMessage, TriageSession, User
from app.services.webhook_events import EVENTS
from app.services.webhooks import register_webhook
from tests.api_helpers import bearer, token_for
from tests.conftest import _empty_tables, csrf_token, send_files
from tests.factories import (
    PASSWORD,
    first_addressee_id,
    make_department,
    make_report,
    make_support,
    make_user,
    png_bytes,
)

XANDER, YARA = "xander@example.test", "yara@example.test"
# Who looks, besides the two candidates: a coach, a lawyer, the beheerder, a colleague who
# supports an anonymous report, and a colleague with nothing to do with it.
OBSERVERS = {
    "coach": "cor@example.test",
    "legal": "lot@example.test",
    "admin": "ada@example.test",
    "supporter": "eef@example.test",
    "colleague": "nora@example.test",
}
# Never in the database dump's comparison: random by design, or the limiter's own table.
RANDOM_COLUMNS = {
    ("user", "session_token"),
    ("user", "password_hash"),
    ("user", "totp_secret"),  # made when a setup page is shown
    ("outbox_message", "message_id"),
    ("insight_snapshot", "seconds"),  # how long computing Inzicht's figures took: a measurement
    ("webhook", "secret"),  # a new signing secret for every webhook, encrypted
    ("attachment", "storage_key"),  # where a file is stored: random by design (app.storage)
    ("attachment", "preview_key"),
}
# api_token: the observers' own keys to look through the API (random secrets, their hashes).
SKIPPED_TABLES = {"rate_limit", "alembic_version", "api_token"}
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
# A 'Merkbaar beter?' link: its path (the token is random by design).
CHECKBACK_LINK = re.compile(r"https?://[^/\s]+(/merkbaar-beter/[^?\s\"]+)")


def _login(client, email: str) -> None:
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, email
    client.get("/")


def _submit_anonymously(client, rule: str, problem: str, key: str, files=()) -> str:
    """Through the report form; `files`: (name, content) pairs sent with it (a screenshot)."""
    response = send_files(
        client,
        "/melden",
        {
            "rule": rule,
            "problem": problem,
            "origin": "own",
            "department_id": "",
            "anonymous": "y",
            "submission_key": key,
            "similar_seen": "1",
        },
        list(files),
    )
    assert response.status_code == 302
    return response.headers["Location"].split("/")[2]


def _play(app, anonymous_email: str) -> dict:
    """The story, with `anonymous_email` making every anonymous report."""
    from app.jobs import dossier_overview, weekly_agenda
    from app.services import workflow
    from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
    from app.services.reports import get_by_reference
    from app.services.triage import end_session, skip_item, start_session

    with app.app_context():
        department = make_department("Werk en Inkomen")
        for name, email in (("Xander Kandidaat", XANDER), ("Yara Kandidaat", YARA)):
            make_user(name, email=email, roles=("employee", "coach"), department=department)
        make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach"))
        make_user("Dina Coach", email="dina@example.test", roles=("employee", "coach"))
        make_user("Lot Legal", email="lot@example.test", roles=("employee", "legal"))
        make_user("Lars Legal", email="lars@example.test", roles=("employee", "legal"))
        ada = make_user("Ada Admin", email="ada@example.test", roles=("employee", "admin"))
        # A webhook for every event hears the whole story (its payloads are in the database
        # dump below, its delivery log is a page the beheerder sees).
        webhook, _secret = register_webhook("https://zaak.example/rodeknop", list(EVENTS), active=True, actor=ada)
        make_user("Eef Steun", email="eef@example.test", department=department)
        make_user("Nora Open", email="nora@example.test", department=department)
        db.session.commit()
        department_id = department.id
        webhook_id = webhook.id

    # Both candidates log in, in the same order in both stories (the audit trail has both).
    clients = {}
    for email in (XANDER, YARA):
        clients[email] = app.test_client()
        _login(clients[email], email)
    anonymous = clients[anonymous_email]
    refs = {
        # With a screenshot: its uploader is the anonymous reporter (issue 13).
        "r1": _submit_anonymously(
            anonymous,
            "Huisbezoek verplicht bij bijzondere bijstand",
            "Weken wachten.",
            "k1",
            [("schermafdruk.png", png_bytes())],
        ),
        "r2": _submit_anonymously(anonymous, "Parkeervergunning alleen op papier", "Langskomen.", "k2"),
        "r3": _submit_anonymously(anonymous, "Dakkapel vraagt volledige procedure", "Acht weken.", "k3"),
        "r4": _submit_anonymously(anonymous, "Uittreksel alleen aan de balie", "Vrij nemen.", "k4"),
        "r5": _submit_anonymously(anonymous, "Kwijtschelding elk jaar opnieuw", "Aanmaningen.", "k5"),
    }
    with app.app_context():
        people = {u.email: u for u in db.session.scalars(db.select(User))}
        cor, dina, lot, lars = (
            people[e] for e in ("cor@example.test", "dina@example.test", "lot@example.test", "lars@example.test")
        )
        xander = people[XANDER]
        r = {key: get_by_reference(ref) for key, ref in refs.items()}
        # Xander's named reports: one gets an anonymous report merged in, the other is
        # merged into an anonymous report.
        own = make_report(xander, rule="Parkeervergunning: alleen op papier aan te vragen", problem="Balie.")
        own_too = make_report(xander, rule="Dakkapel: welstand ook bij akkoord buren", problem="Procedure.")
        refs.update(own=own.reference, own_too=own_too.reference)
        make_support(people["eef@example.test"], r["r1"], "Herkenbaar, bij ons ook")
        workflow.take_on(r["r1"], cor)
        workflow.post_update(r["r1"], actor=cor, text="We bespreken dit met Werk en Inkomen.")
        workflow.add_note(r["r1"], actor=lot, text="Juridisch lijkt het huisbezoek niet verplicht.")
        workflow.merge_report(r["r2"], own, actor=cor, explanation="Zelfde regel.")
        workflow.merge_report(own_too, r["r3"], actor=dina, explanation="Zelfde regel, eerder gemeld.")
        workflow.assign_report(r["r5"], dina, actor=cor)
        workflow.decide_report(
            r["r1"],
            actor=cor,
            outcome="escalated",
            explanation="Landelijke regel.",
            legal=LegalReference("Participatiewet", "BWBR0015703", "art. 53a"),
        )
        dossier = r["r1"].dossier
        update_dossier(
            dossier,
            actor=lot,
            reference=LegalReference("Participatiewet", "BWBR0015703", "art. 53a"),
            addressee_id=first_addressee_id(),
            channel="Brief",
            sent_on=date(2026, 11, 2),
            answer_due=date(2026, 12, 2),
            follow_up_on=None,
            owner_id=lars.id,
        )
        change_dossier_status(dossier, "sent", actor=lot, text="Brief verstuurd.")
        change_dossier_status(
            dossier, "answered", actor=lars, answer="Lange brief.", answer_summary="De minister kijkt ernaar."
        )
        db.session.commit()
        session = start_session(cor, [cor.id, dina.id])
        skip_item(session.items[0], cor)
        end_session(session, dina)
        db.session.commit()
        weekly_agenda()
        dossier_overview()
        # 'Merkbaar beter?': an anonymous report and Xander's named report (which an
        # anonymous report was merged into) were solved seven weeks ago; everyone is asked.
        for solved in (r["r4"], own):
            workflow.decide_report(
                solved, actor=dina, outcome="resolved", explanation="Opgelost.", what_changed="Het kan nu online."
            )
            solved.resolved_at = solved.resolved_at - timedelta(weeks=7)
        db.session.commit()
        checkback()
        questions = {
            (m.to_pseudonym is not None, m.subject.rsplit(" ", 1)[-1]): CHECKBACK_LINK.search(m.body_text).group(1)
            for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.subject.like("Merkbaar beter?%")))
        }
        ids = {
            "users": sorted(people[e].id for e in people),
            "reports": sorted(refs.values()),
            "dossier": dossier.id,
            "sessions": list(db.session.scalars(db.select(TriageSession.id))),
            "items": [item.id for item in db.session.get(TriageSession, session.id).items],
            "department": department_id,
            "webhook": webhook_id,
        }
    # The anonymous reporter answers nee through their link (no login), Xander ja through his.
    answered = 0
    for (anonymous_link, reference), link in sorted(questions.items()):
        if reference not in (refs["r4"], refs["own"]) or anonymous_link != (reference == refs["r4"]):
            continue
        answering = app.test_client()
        page = answering.get(f"{link}?antwoord=nee").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = ("no", "Nog steeds niet beter.") if reference == refs["r4"] else ("yes", "Veel beter.")
        response = answering.post(link, data={"csrf_token": token, "answer": answer[0], "comment": answer[1]})
        assert response.status_code == 303, reference
        answered += 1
    assert answered == 2 and len(questions) == 3
    return ids


# --- what each observer sees ---------------------------------------------------------------

NORMALISE = [
    # Random by design: CSRF tokens and the report form's submission key.
    (re.compile(r'<input[^>]*name="[\w-]*(csrf_token|submission_key)"[^>]*>'), "<input random>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<moment>"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "<time>"),
    (re.compile(r"data-(remaining|started|server-now)[\w-]*=\"[^\"]*\""), "data-timer"),
    (HEX64, "<pseudonym>"),
    # A webhook delivery's id (random by design), in its payload and its log.
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    # The API's cursors are encrypted with a random IV (Fernet): opaque, different every time.
    (re.compile(r'"next_cursor": "[\w=-]+"'), '"next_cursor": "<cursor>"'),
    # The first characters of the observers' own API keys (random), on the API-key pages.
    (re.compile(r"rk_[\w-]{5}…"), "rk_<hint>…"),
    (re.compile(r"/merkbaar-beter/[^?\s\"]+"), "/merkbaar-beter/<link>"),
    (re.compile(r"<[^>]*@rodeknop[^>]*>"), "<message-id>"),
    # A new second-factor secret on every setup page: its QR code and its key as text.
    (re.compile(r'<svg[^>]*class="rk-qr".*?</svg>', re.S), "<qr>"),
    (re.compile(r'(<code class="rk-secret"[^>]*>)[A-Z2-7 ]+(</code>)'), r"\1<key>\2"),
]


def _normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def _text_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in sorted(archive.namelist()))
    return data.decode("utf-8", "replace")


def _urls(app, ids: dict) -> list[str]:
    with app.app_context():
        addressee = first_addressee_id()
    values = {
        "reference": ids["reports"],
        "user_id": ids["users"],
        "department_id": [ids["department"]],
        "session_id": ids["sessions"],
        "dossier_id": [ids["dossier"]],
        "addressee_id": [addressee],
        "webhook_id": [ids["webhook"]],
        "purpose": ["reset"],
        "token": ["niet-geldig"],
        "checkback_token": ["niet-geldig"],
        "column": ["nieuw", "in-behandeling", "afgerond"],
        # r1's screenshot, and a number no report has.
        "number": [1, 2],
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            combos = [{}]
            for name in sorted(rule.arguments):
                assert name in values, f"this test cannot fill in <{name}> of {rule.rule}: extend _urls"
                combos = [dict(combo, **{name: value}) for combo in combos for value in values[name]]
            urls += [url_for(rule.endpoint, **combo) for combo in combos]
        coach_ids = ids["users"]
        urls += [url_for("board.index", coach=user_id) for user_id in coach_ids]
        urls += [url_for("board.index", zoek=word) for word in ("Huisbezoek", "Parkeervergunning", "dakkapel")]
        urls += [url_for("board.index", kaart=reference) for reference in ids["reports"]]
        urls += [url_for("reports.index", status=status) for status in ("new", "in_progress", "merged", "escalated")]
        for endpoint in ("reports.index", "reports.export_csv", "reports.export_xlsx"):
            urls += [url_for(endpoint, zoek=word) for word in ("Huisbezoek", "Parkeervergunning", "dakkapel")]
        urls += [url_for("reports.similar", rule="huisbezoek bijzondere bijstand parkeervergunning dakkapel")]
        urls += [url_for("dossiers.index", eigenaar=user_id) for user_id in coach_ids]
        urls += [url_for("triage.session", session_id=s, punt=i) for s in ids["sessions"] for i in ids["items"]]
    return urls


def _observe(app, ids: dict) -> dict[tuple[str, str], tuple[int, str]]:
    seen = {}
    urls = _urls(app, ids)
    for role, email in OBSERVERS.items():
        client = app.test_client()
        _login(client, email)
        # The API (its answers to a cookie are 401): with the observer's own token.
        with app.app_context():
            api = bearer(token_for(db.session.scalar(db.select(User).where(User.email == email))))
        for url in urls:
            response = client.get(url, headers=api if url.startswith("/api/") else None)
            seen[(role, url)] = (response.status_code, _normalise(_text_of(response)))
    return seen


# --- the mails and the database -----------------------------------------------------------


def _outbox(app) -> list[tuple]:
    from app.models import OutboxMessage

    with app.app_context():
        return [
            (m.to_address, m.to_user_id, m.to_pseudonym and "<pseudonym>", m.subject, _normalise(m.body_text))
            for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def _delivered(app, smtp) -> list[tuple[str, str, str]]:
    from app.notify import deliver_outbox

    with app.app_context():
        deliver_outbox()
    return sorted(
        (message["To"], message["Subject"], _normalise(smtp.inbox.text(message)))
        for message in smtp.inbox.messages
        if message["To"] not in (XANDER, YARA)
    )


def _cell(value) -> str:
    if isinstance(value, (datetime, date)):
        return "<moment>"
    return repr(value)


def _dump(app) -> list[str]:
    """Every row of every table, as text. Pseudonyms become <p1>, <p2>, ... in the order
    they first appear: a DBA sees which rows share one, never whose it is."""
    lines = []
    names: dict[str, str] = {}
    with app.app_context(), db.engine.connect() as connection:
        inspector = sa_inspect(connection)
        for table in sorted(set(inspector.get_table_names()) - SKIPPED_TABLES):
            if table.startswith(("report_fts", "search_word")) or table == "report_search":
                continue
            columns = [c["name"] for c in inspector.get_columns(table)]
            order = "id" if "id" in columns else columns[0]
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY "{order}"'):
                cells = []
                for column, value in zip(columns, row, strict=True):
                    if (table, column) in RANDOM_COLUMNS or column == "submission_key":
                        cells.append(f"{column}=<random>")
                        continue
                    text = _cell(value)
                    text = HEX64.sub(lambda m: names.setdefault(m.group(0), f"<p{len(names) + 1}>"), text)
                    text = _normalise(text)
                    cells.append(f"{column}={text}")
                lines.append(f"{table}: " + ", ".join(cells))
        connection.rollback()
    return lines


@pytest.fixture
def smtp_server(app):
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()


def _diff(first: list[str], second: list[str]) -> str:
    import difflib

    return "\n".join(list(difflib.unified_diff(first, second, "Xander anoniem", "Yara anoniem", lineterm=""))[:80])


def test_nobody_else_can_tell_who_reported_anonymously(app, smtp_server):
    stories = {}
    for anonymous in (XANDER, YARA):
        ids = _play(app, anonymous)
        smtp_server.inbox.messages.clear()
        stories[anonymous] = {
            "pages": _observe(app, ids),
            "outbox": _outbox(app),
            "database": _dump(app),
            "mails": _delivered(app, smtp_server),
            "ids": ids,
        }
        if anonymous == XANDER:
            _empty_tables(app)
    x, y = stories[XANDER], stories[YARA]
    assert x["ids"] == y["ids"], "the two stories did not build the same objects"
    webhook_rows = [line for line in x["database"] if line.startswith("webhook_delivery:")]
    assert len(webhook_rows) >= 10 and any("report.created" in line for line in webhook_rows), "no webhook heard it"

    # The story really happened, and the checks below really looked at it.
    pages = x["pages"]
    assert len(pages) > 400
    detail = pages[("coach", f"/meldingen/{x['ids']['reports'][0]}")]
    assert detail[0] == 200 and "Anoniem" in detail[1]
    # The API too, read with the observer's token.
    through_api = pages[("coach", f"/api/v1/reports/{x['ids']['reports'][0]}")]
    assert through_api[0] == 200 and "Anoniem" in through_api[1]
    assert sum(1 for status, _ in pages.values() if status == 200) > 150
    assert any(to is None and pseudonym for to, _, pseudonym, _, _ in x["outbox"]), "no mail to an anonymous follower"
    assert x["mails"], "no mail went out to anyone else"

    different_pages = [
        f"{role} {url}: {x['pages'][(role, url)][0]} vs {y['pages'][(role, url)][0]}\n"
        + _diff(x["pages"][(role, url)][1].splitlines(), y["pages"][(role, url)][1].splitlines())
        for role, url in x["pages"]
        if x["pages"][(role, url)] != y["pages"][(role, url)]
    ]
    assert not different_pages, f"{len(different_pages)} pages tell who reported:\n" + "\n".join(different_pages[:5])
    assert x["outbox"] == y["outbox"], "the outbox tells who reported:\n" + _diff(
        [repr(m) for m in x["outbox"]], [repr(m) for m in y["outbox"]]
    )
    assert x["mails"] == y["mails"], "the mails to others tell who reported:\n" + _diff(
        [repr(m) for m in x["mails"]], [repr(m) for m in y["mails"]]
    )
    assert x["database"] == y["database"], "the database tells who reported:\n" + _diff(x["database"], y["database"])

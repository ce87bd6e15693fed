"""Anonymous reporters are never identifiable to anyone but themselves (QUALITY.md,
security 2 and privacy 17): not in any page any other role can open, not in the
database's timeline, not in the logs."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

import pytest
from flask import url_for

from app.extensions import db
from app.models import AuditEntry, Dossier, Event, Report, User, WebhookDelivery
from app.services.reports import my_reports
from app.services.webhook_events import EVENTS, payload_problems
from app.services.webhooks import register_webhook
from tests.api_helpers import bearer, token_for
from tests.conftest import csrf_token
from tests.factories import PASSWORD, first_addressee_id, make_department, make_report, make_support, make_user

NAME = "Zorro Geheimzinnig"
EMAIL = "zorro.geheim@example.test"
# Every way the reporter could be recognised on a page.
IDENTIFIERS = ("Zorro", "Geheimzinnig", "zorro.geheim", EMAIL)

ANONYMOUS_RULE = "Huisbezoek verplicht voor elke aanvraag bijzondere bijstand"
ANONYMOUS_PROBLEM = "Inwoners wachten weken op een bezoek terwijl de stukken compleet zijn."

# Pages where the administrator legitimately sees every account (but never which
# report anyone made anonymously).
USER_MANAGEMENT = {"admin.users", "admin.edit_user", "admin.audit"}


def _login(client, email):
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"could not log in as {email}"
    client.get("/")  # take the welcome flash


def _submit_anonymously(app, caplog) -> str:
    """Zorro presses the red button, anonymously, through the real form."""
    client = app.test_client()
    # Made before the log is watched: building them logs his name (Pillow's debug lines).
    photo, letter = _zorros_photo(), _zorros_letter()
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    _login(client, EMAIL)
    token = csrf_token(client, "/melden")
    response = client.post(
        "/melden",
        data={
            "rule": ANONYMOUS_RULE,
            "problem": ANONYMOUS_PROBLEM,
            "effect": "",
            "suggestion": "",
            "origin": "own",
            "department_id": "",
            "anonymous": "y",
            "submission_key": "zorro-1",
            "similar_seen": "1",
            # His estimate of the rule's impact (app.services.impact) comes with it.
            "cases_per_month": "30",
            "minutes_inhabitant": "45",
            "minutes_staff": "20",
            "affected": "inhabitants",
            "csrf_token": token,
            # A photo and a letter from his phone, named after him, carrying his name, his
            # phone and where he was: none of it may come out again (issue 13).
            "attachments": [
                (io.BytesIO(photo), "zorro.geheim-IMG_0042.jpg"),
                (io.BytesIO(letter), "Brief van Zorro Geheimzinnig.pdf"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    confirmation = client.get(response.headers["Location"])
    assert confirmation.status_code == 200
    logged = "\n".join(
        [caplog.text]
        + [str(record.args) for record in caplog.records]
        + [repr(record.__dict__) for record in caplog.records]
    )
    for identifier in IDENTIFIERS:
        assert identifier.lower() not in logged.lower(), f"{identifier!r} appears in the log during submission"
    return response.headers["Location"].split("/")[2], client


def _zorros_photo() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = "Zorro Geheimzinnig"  # Artist
    exif[0x010F] = "Telefoon van zorro.geheim"  # Make
    exif[0x9286] = b"ASCII\0\0\0Zorro was hier"  # UserComment
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 4.0, 30.0)})  # GPS
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (250, 0, 0)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _zorros_letter() -> bytes:
    import pikepdf

    document = pikepdf.new()
    document.add_blank_page()
    document.docinfo["/Author"] = "Zorro Geheimzinnig"
    document.docinfo["/Creator"] = "C:\\Users\\zorro.geheim\\Documents"
    with document.open_metadata() as meta:
        meta["dc:creator"] = ["Zorro Geheimzinnig"]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def world(app, caplog):
    with app.app_context():
        department = make_department("Werk en Inkomen")
        make_user(NAME, email=EMAIL, department=department)
        supporter = make_user("Steun Eerste", email="steun1@example.test")
        second = make_user("Steun Tweede", email="steun2@example.test", department=department)
        nora = make_user("Nora Open", email="nora@example.test", department=department)
        make_user("Cor Coach", email="coach@example.test", roles=("employee", "coach"))
        make_user("Lot Legal", email="legal@example.test", roles=("employee", "legal"))
        admin = make_user("Ada Admin", email="admin@example.test", roles=("employee", "admin"))
        # A webhook for every event hears of everything below (its log is a page too).
        webhook, _secret = register_webhook("http://127.0.0.1:9/hook", list(EVENTS), active=True, actor=admin)
        open_report = make_report(
            nora,
            rule="Parkeervergunning alleen op papier",
            problem="Inwoners moeten langskomen.",
            department_id=department.id,
        )
        make_support(supporter, open_report, "Bij ons ook")
        db.session.commit()
        ids = {"supporter": supporter.id, "second": second.id, "open": open_report.reference, "webhook": webhook.id}

    reference, zorro_client = _submit_anonymously(app, caplog)

    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.submission_key == "zorro-1"))
        assert report.reference == reference and report.is_anonymous
        make_support(db.session.get(User, ids["supporter"]), report, "Herkenbaar, bij ons ook")
        make_support(db.session.get(User, ids["second"]), report, None)
        db.session.commit()
        _move_through_the_workflow(report, ids["open"])
        references = [r.reference for r in db.session.scalars(db.select(Report))]
        user_ids = list(db.session.scalars(db.select(User.id)))
        department_ids = [department.id]
        session_ids, item_ids = _triage_ids()
        dossier_ids = list(db.session.scalars(db.select(Dossier.id)))
        addressee_ids = [first_addressee_id()]
        delivery_ids = list(db.session.scalars(db.select(WebhookDelivery.id)))
    return {
        "webhook_ids": [ids["webhook"]],
        "delivery_ids": delivery_ids,
        "dossier_ids": dossier_ids,
        "addressee_ids": addressee_ids,
        "anonymous": reference,
        "open": ids["open"],
        "references": references,
        "user_ids": user_ids,
        "department_ids": department_ids,
        "zorro_client": zorro_client,
        "session_ids": session_ids,
        "item_ids": item_ids,
    }


def _user_by_email(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def _move_through_the_workflow(report: Report, open_reference: str) -> None:
    """What coaches and legal do with reports: take on, a public update, an internal note,
    a second anonymous report of Zorro merged into Nora's, and a weekly session."""
    from app.services import workflow
    from app.services.reports import get_by_reference

    coach = _user_by_email("coach@example.test")
    legal = _user_by_email("legal@example.test")
    zorro = _user_by_email(EMAIL)
    from app.services.impact import Estimate

    # He changes his estimate on his own report: a timeline line without anyone's name.
    workflow.set_estimate(report, actor=zorro, estimate=Estimate(35, 45, 20, "inhabitants"))
    workflow.take_on(report, coach)
    workflow.post_update(report, actor=coach, text="We bespreken dit met Werk en Inkomen.")
    workflow.add_note(report, actor=legal, text="Juridisch lijkt het huisbezoek niet verplicht.")
    second = make_report(
        zorro,
        rule="Parkeervergunning alleen op papier aanvragen",
        problem="Ook bij ons moeten inwoners langskomen.",
        anonymous=True,
    )
    db.session.flush()
    workflow.merge_report(second, get_by_reference(open_reference), actor=coach, explanation="Zelfde regel.")
    # Escalated: the report's dossier, overview and exports at Juridische Zaken must not
    # reveal him either.
    from app.services.dossiers import LegalReference

    workflow.decide_report(
        report,
        actor=coach,
        outcome="escalated",
        explanation="Landelijke regel.",
        legal=LegalReference("Participatiewet", "BWBR0015703", "art. 53a"),
    )
    db.session.commit()
    try:
        from app.services.triage import start_session
    except ImportError:  # the weekly session is not there (yet)
        return
    start_session(coach, [coach.id])
    db.session.commit()


def _triage_ids() -> tuple[list[int], list[int]]:
    try:
        from app.models.triage import TriageItem, TriageSession
    except ImportError:
        return [], []
    return list(db.session.scalars(db.select(TriageSession.id))), list(db.session.scalars(db.select(TriageItem.id)))


BOARD_COLUMNS = ("nieuw", "in-behandeling", "geescaleerd", "afgerond")


def _get_urls(app, world) -> tuple[list[tuple[str, str]], list[str]]:
    """Every GET route with every value for its parameters, plus a few query strings;
    and the routes this test cannot fill in yet (it fails on those, after scanning the rest)."""
    values = {
        "reference": world["references"] + ["RK-2026-9999"],
        # Zorro's two files on his anonymous report (and a number no report has).
        "number": [1, 2, 3],
        "user_id": world["user_ids"],
        "department_id": world["department_ids"],
        "session_id": world["session_ids"],
        "dossier_id": world["dossier_ids"],
        "addressee_id": world["addressee_ids"],
        "webhook_id": world["webhook_ids"],
        "purpose": ["reset"],
        "token": ["niet-geldig"],
        "checkback_token": ["niet-geldig"],
        "column": ["nieuw", "in-behandeling", "afgerond"],
    }
    urls, unfilled = [], []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            arguments = sorted(rule.arguments)
            if not all(name in values for name in arguments):
                unfilled.append(rule.rule)
                continue
            combos = [{}]
            for name in arguments:
                combos = [dict(combo, **{name: value}) for combo in combos for value in values[name]]
            for combo in combos:
                urls.append((rule.endpoint, url_for(rule.endpoint, **combo)))
        urls.append(("reports.similar", url_for("reports.similar", rule=ANONYMOUS_RULE, problem=ANONYMOUS_PROBLEM)))
        urls.append(("reports.similar", url_for("reports.similar", rule="bijzondere bijstand huisbezoek")))
        for status in ("new", "in_progress", "merged", ""):
            urls.append(("reports.index", url_for("reports.index", status=status)))
        # Alle meldingen and its files, searched for the anonymous report itself.
        for endpoint in ("reports.index", "reports.export_csv", "reports.export_xlsx"):
            urls.append((endpoint, url_for(endpoint, zoek=ANONYMOUS_RULE)))
        urls.append(("reports.mine", url_for("reports.mine", pagina=2)))
        # The API (with the viewer's token, see _scan): the same searches and filters.
        urls.append(("api.similar", url_for("api.similar", rule=ANONYMOUS_RULE, problem=ANONYMOUS_PROBLEM)))
        urls.append(("api.board_column", url_for("api.board_column", column="nieuw", zoek=ANONYMOUS_RULE)))
        urls.append(("api.my_reports", url_for("api.my_reports", limit=100)))
        # The board with a card just moved (?kaart=) and the columns' later pages.
        for reference in world["references"]:
            urls.append(("board.index", url_for("board.index", kaart=reference)))
        urls.append(("board.index", url_for("board.index", **{f"{key}-pagina": 2 for key in BOARD_COLUMNS})))
        if "triage.session" in app.view_functions:
            for session_id in world["session_ids"]:
                for item_id in world["item_ids"]:
                    urls.append(("triage.session", url_for("triage.session", session_id=session_id, punt=item_id)))
                    # The merge step: the chosen report shown before the merge, and a search.
                    for reference in world["references"]:
                        urls.append(
                            (
                                "triage.session",
                                url_for("triage.session", session_id=session_id, punt=item_id, doel=reference),
                            )
                        )
                    urls.append(
                        (
                            "triage.session",
                            url_for("triage.session", session_id=session_id, punt=item_id, zoek=ANONYMOUS_RULE),
                        )
                    )
    return urls, unfilled


VIEWERS = [
    ("coach@example.test", "coach"),
    ("legal@example.test", "legal"),
    ("admin@example.test", "admin"),
    ("steun1@example.test", "supporting employee"),
    ("nora@example.test", "other reporter"),
]


def _text_of(response) -> str:
    """The readable text of a response; for an .xlsx export, all of its XML parts."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _scan(app, world, email, role) -> list[str]:
    """Every page `role` can ask for; the problems found (empty when none)."""
    client = app.test_client()
    _login(client, email)
    # The API answers the same viewer's token (and nothing to the cookie).
    with app.app_context():
        from app.models import User

        api_secret = token_for(db.session.scalar(db.select(User).where(User.email == email)))
    seen = []
    problems = []
    urls, unfilled = _get_urls(app, world)
    for endpoint, url in urls:
        try:
            response = client.get(url, headers=bearer(api_secret) if endpoint.startswith("api.") else None)
        except Exception as error:
            problems.append(f"{role} {url}: raised {error!r}")
            continue
        body = _text_of(response)
        if response.status_code == 200:
            seen.append(url)
        if endpoint in USER_MANAGEMENT:
            # The account list shows Zorro, as it shows everyone; it must not say what he reported.
            for secret in (world["anonymous"], ANONYMOUS_RULE):
                if secret in body:
                    problems.append(f"{role} {url}: user management shows {secret!r}")
            continue
        for identifier in IDENTIFIERS:
            if identifier.lower() in body.lower():
                problems.append(f"{role} {url} ({response.status_code}): shows {identifier!r}")
    if unfilled:
        problems.append(f"routes this test cannot fill in yet (extend _get_urls and the world): {unfilled}")
    # The scan must actually have looked at the anonymous report where the role may see it.
    if role in ("coach", "legal", "admin", "supporting employee") and f"/meldingen/{world['anonymous']}" not in seen:
        problems.append(f"{role} could not open the anonymous report at all: this scan proves nothing")
    if (
        role in ("coach", "legal", "admin", "supporting employee")
        and f"/api/v1/reports/{world['anonymous']}" not in seen
    ):
        problems.append(f"{role} could not read the anonymous report through the API: this scan proves nothing")
    if role in ("coach", "legal", "admin") and "/meldingen" not in seen:
        problems.append(f"{role} could not open the overview of all reports")
    return problems


def test_no_page_reveals_the_anonymous_reporter(app, world):
    """One world, every viewer (building the world costs more than the scans)."""
    problems = []
    for email, role in VIEWERS:
        problems += _scan(app, world, email, role)
    assert not problems, "\n".join(problems)


def test_staff_see_anonymous_and_the_reporter_sees_their_own_report(app, world):
    _staff_see_anonymous_instead_of_the_name(app, world)
    _the_reporter_sees_their_own_anonymous_report(world)


def _staff_see_anonymous_instead_of_the_name(app, world):
    client = app.test_client()
    _login(client, "coach@example.test")
    detail = client.get(f"/meldingen/{world['anonymous']}").get_data(as_text=True)
    assert re.search(r"<dt>Gemeld door</dt><dd>Anoniem</dd>", detail)
    overview = client.get("/meldingen").get_data(as_text=True)
    assert world["anonymous"] in overview and "Anoniem" in overview
    # The non-anonymous report does show its reporter to staff.
    assert "Nora Open" in client.get(f"/meldingen/{world['open']}").get_data(as_text=True)


def _the_reporter_sees_their_own_anonymous_report(world):
    client = world["zorro_client"]
    mine = client.get("/mijn-meldingen")
    assert mine.status_code == 200
    page = mine.get_data(as_text=True)
    assert world["anonymous"] in page and ANONYMOUS_RULE in page and "anoniem gemeld" in page
    detail = client.get(f"/meldingen/{world['anonymous']}")
    assert detail.status_code == 200
    assert "U (anoniem)" in detail.get_data(as_text=True)
    confirmation = client.get(f"/meldingen/{world['anonymous']}/bevestiging")
    assert confirmation.status_code == 200 and "anoniem gemeld" in confirmation.get_data(as_text=True)


def test_the_database_and_the_mails_keep_no_trace_that_others_could_read(app, world):
    _the_database_keeps_no_trace_that_others_could_read(app, world)
    _non_anonymous_submission_does_name_the_reporter(app)
    _mails_to_others_do_not_name_the_anonymous_reporter(app)


def _the_database_keeps_no_trace_that_others_could_read(app, world):
    columns = {column.name.lower() for column in Report.__table__.columns}
    suspicious = [c for c in columns if re.search(r"(^|_)ip(_|$)|addr|agent|remote|host", c)]
    assert not suspicious, f"the report table keeps something like an IP address or user agent: {suspicious}"
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.submission_key == "zorro-1"))
        zorro = db.session.scalar(db.select(User).where(User.email == EMAIL))
        submitted = db.session.scalars(
            db.select(Event).where(Event.report_id == report.id, Event.kind == "submitted")
        ).all()
        assert len(submitted) == 1
        assert submitted[0].actor_id is None, "the 'submitted' event of an anonymous report names its reporter"
        # No row anywhere holds Zorro's id next to his anonymous reports: they carry a
        # pseudonym, which only the application (with its own key) can tie to him...
        from app.models import OutboxMessage, Support

        anonymous = db.session.scalars(db.select(Report).where(Report.is_anonymous.is_(True))).all()
        assert len(anonymous) == 2 and all(r.reporter_id is None and r.reporter_pseudonym for r in anonymous)
        assert {r.reporter_pseudonym for r in anonymous} != {str(zorro.id)}
        assert {r.id for r in my_reports(zorro)} >= {r.id for r in anonymous}
        anonymous_ids = [r.id for r in anonymous]
        assert not db.session.scalars(
            db.select(Event).where(Event.report_id.in_(anonymous_ids), Event.actor_id == zorro.id)
        ).all()
        # ...where he follows a report because his was merged into it, he does so by pseudonym...
        assert not db.session.scalars(db.select(Support).where(Support.user_id == zorro.id)).all()
        assert db.session.scalars(db.select(Support).where(Support.follower_pseudonym.is_not(None))).all()
        # ...and no mail waiting in the outbox joins his address to a report reference.
        for message in db.session.scalars(db.select(OutboxMessage)):
            if message.to_user_id == zorro.id or message.to_address == EMAIL:
                assert not any(ref in message.subject + message.body_text for ref in world["references"])
        # The audit trail does not link Zorro to this report either.
        links = db.session.scalars(
            db.select(AuditEntry).where(
                AuditEntry.actor_id == zorro.id,
                AuditEntry.object_type.in_(("report", "event", "support")),
            )
        ).all()
        assert not links, [(a.action, a.object_type, a.object_id) for a in links]
        for entry in db.session.scalars(db.select(AuditEntry)):
            assert not (entry.detail and any(i.lower() in entry.detail.lower() for i in IDENTIFIERS))
            assert not (entry.detail and world["anonymous"] in entry.detail and entry.actor_id == zorro.id)


def _non_anonymous_submission_does_name_the_reporter(app):
    """The counterpart: the check above is not passing by accident."""
    with app.app_context():
        nora = db.session.scalar(db.select(User).where(User.email == "nora@example.test"))
        report = db.session.scalar(db.select(Report).where(Report.reporter_id == nora.id))
        event = db.session.scalar(db.select(Event).where(Event.report_id == report.id, Event.kind == "submitted"))
        assert event.actor_id == nora.id


def _mails_to_others_do_not_name_the_anonymous_reporter(app):
    try:
        from app.models.outbox import OutboxMessage
    except ImportError:  # no outbox in this version of the app
        return
    with app.app_context():
        zorro = _user_by_email(EMAIL)
        messages = db.session.scalars(db.select(OutboxMessage)).all()
        assert messages, "the workflow steps sent no mail at all: this check would prove nothing"
        for message in messages:
            if message.to_user_id == zorro.id:
                continue
            assert message.to_address != EMAIL
            text = " ".join(filter(None, (message.subject, message.body_text, message.body_html))).lower()
            for identifier in IDENTIFIERS:
                assert identifier.lower() not in text, f"mail {message.id} to {message.to_address} names {identifier!r}"


def test_no_webhook_payload_tells_who_reported_anonymously(app, world):
    """Every delivery the anonymous report's life caused (made, taken on, escalated, its
    dossier) holds nothing of the reporter, and only the keys a payload may have."""
    with app.app_context():
        deliveries = db.session.scalars(db.select(WebhookDelivery)).all()
        about = [d for d in deliveries if world["anonymous"] in d.payload]
        assert {d.event for d in about} >= {"report.created", "report.status_changed"}
        for delivery in deliveries:
            assert payload_problems(json.loads(delivery.payload)) == []
            for secret in (*IDENTIFIERS, ANONYMOUS_RULE, ANONYMOUS_PROBLEM):
                assert secret.lower() not in delivery.payload.lower(), f"{delivery.event} holds {secret!r}"


def test_nothing_of_the_reporters_goes_to_the_shared_register_nor_shows_there(app, world, tmp_path, database_url):
    """The dossier of the anonymous report, published in the shared register: the message
    that waits for the register holds nothing of the reporter nor of anyone else, and the
    register's pages (the same application in register mode) show none of it either."""
    from app import create_app
    from app.anonymity import pseudonym
    from app.models import RegisterDelivery
    from app.register_signing import load_private_key, new_private_key_pem, public_key_text
    from app.services.register import PAYLOAD_KEYS, publish
    from app.services.register_book import add_member, apply_publish

    key_file = tmp_path / "member.pem"
    key_file.write_bytes(new_private_key_pem())
    app.config.update(REGISTER_URL="http://127.0.0.1:9", REGISTER_MEMBER="1", REGISTER_KEY_FILE=str(key_file))
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.submission_key == "zorro-1"))
        dossier = report.dossier
        legal = _user_by_email("legal@example.test")
        publish(dossier, "Huisbezoeken vertragen de bijzondere bijstand.", actor=legal)
        db.session.commit()
        secrets = [*IDENTIFIERS, ANONYMOUS_RULE, ANONYMOUS_PROBLEM, pseudonym(_user_by_email(EMAIL).id)]
        secrets += [user.name for user in db.session.scalars(db.select(User))]
        secrets += [user.email for user in db.session.scalars(db.select(User))]
        payloads = [d.payload for d in db.session.scalars(db.select(RegisterDelivery))]
        assert payloads
        member = add_member("Gemeente Voorbeeldstad", public_key_text(load_private_key(key_file)), actor=None)
        for number, payload in enumerate(payloads, start=1):
            body = json.loads(payload)
            assert set(body["entry"]) <= PAYLOAD_KEYS
            apply_publish(member, dossier.id, {"sequence": number, **body})
        db.session.commit()
        bwb_id, article = dossier.bwb_id, dossier.article
    register = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MODE": "register"})
    client = register.test_client()
    from app.services.dossiers import article_key

    try:
        pages = [client.get("/register/"), client.get(f"/register/{bwb_id}/{article_key(article) or '-'}")]
    finally:
        with register.app_context():
            db.engine.dispose()
    assert all(page.status_code == 200 for page in pages)
    assert "Gemeente Voorbeeldstad" in pages[1].get_data(as_text=True)
    for text in payloads + [page.get_data(as_text=True) for page in pages]:
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{secret!r} goes to or shows in the register"

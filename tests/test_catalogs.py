"""The message catalogs (app/i18n.py): every text on the pages of the wrapped areas comes from
them, in each catalog (Dutch with "u", Dutch with "je", English); the catalogs are up to date
with the sources; the "je" catalog never says "u" and the "u" text never says "je"."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import flask
import flask_babel
import pyotp
import pytest
from babel.messages.pofile import read_po

from app import create_app
from app.board.routes import PAGE_SIZE
from app.extensions import db
from app.i18n import TRANSLATIONS_DIR
from app.models.base import utcnow
from app.services.checkback import ask_checkback
from app.services.impact import Estimate
from app.services.workflow import decide_report, take_on
from config import TestConfig
from tests.conftest import INSTANCE_DIR, _empty_tables, post_form, send_files
from tests.factories import (
    PASSWORD,
    checkback_tokens,
    enable_second_factor,
    make_department,
    make_report,
    make_support,
    make_user,
    password_link_params,
    png_bytes,
)

ROOT = Path(__file__).resolve().parent.parent

# Areas whose text is not wrapped in gettext yet: their pages are not rendered here, and the
# test below fails on any page that is neither checked nor listed. Every area is wrapped now:
# a new page is rendered below in each catalog (listed here only while its text is wrapped).
NOT_YET_WRAPPED: dict[str, tuple[str, ...]] = {}
# Not pages: files (the favicon, the municipality's logo and tokens, a report's attachments
# and their previews) and the similar-reports fragment (checked as part of the report form).
NOT_PAGES = (
    "static",
    "main.favicon",
    "main.logo",
    "main.theme_css",
    "reports.similar",
    "reports.attachment",
    "reports.attachment_preview",
)

CATALOGS = {
    "nl-u": {"TONE": "u", "LANGUAGE": "nl"},
    "nl-je": {"TONE": "je", "LANGUAGE": "nl"},
    "en": {"TONE": "u", "LANGUAGE": "en"},
}
FORMAL = re.compile(r"\b(u|uw|U|Uw)\b")
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|Je|Jij|Jou|Jouw)\b")
# Words only Dutch text has: in the English output they mean a text that was not wrapped.
DUTCH = re.compile(
    r"\b(de|het|een|van|niet|en|op|met|voor|naar|wat|hier|nog|melding|meldingen|regel|"
    r"uw|u|je|De|Het|Een|Wat|Uw|U|Je)\b"
)


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _translated(catalog) -> dict[str, object]:
    return {
        _key(m): m.string
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }


EN_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
JE_PO = TRANSLATIONS_DIR / "nl" / "LC_MESSAGES" / "je.po"
POT = TRANSLATIONS_DIR / "messages.pot"


class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside script and style, and labelling attributes."""

    ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class Recorder:
    """The active catalog, noting every msgid looked up while a page renders."""

    def __init__(self, inner, seen: set[str]):
        self.inner, self.seen = inner, seen

    def ugettext(self, message):
        self.seen.add(message)
        return self.inner.ugettext(message)

    def ungettext(self, singular, plural, number):
        self.seen.add(singular)
        return self.inner.ungettext(singular, plural, number)

    gettext, ngettext = ugettext, ungettext


@pytest.fixture
def looked_up(monkeypatch) -> set[str]:
    seen: set[str] = set()
    real = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Recorder(real(self), seen))
    return seen


def _app(database_url: str, **settings):
    config = type("CatalogConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app = create_app(config)
    app.instance_path = INSTANCE_DIR
    app.config.update({"WTF_CSRF_ENABLED": True})
    return app


def _seed(app) -> dict:
    """A reporter with an own report, a supported one and a similar one. The texts users
    typed avoid every word the checks look for (u, je, Dutch function words)."""
    with app.app_context():
        department = make_department("Burgerzaken")
        reporter = make_user("Sanne Alpha", email="sanne@example.test", department=department)
        colleague = make_user("Omar Beta", email="omar@example.test")
        # With an impact estimate: its facts and hours (plural forms) show on the report page.
        own = make_report(
            reporter,
            rule="Formulier A12 paspoort",
            problem="Probleem B7",
            estimate=Estimate(cases_per_month=40, minutes_inhabitant=30, minutes_staff=15, affected="inhabitants"),
        )
        other = make_report(colleague, rule="Formulier A12 rijbewijs", problem="Probleem C8")
        make_support(reporter, other, "Notitie D9")
        third = make_report(colleague, rule="Formulier A15 parkeren", problem="Probleem G3")
        solved = make_report(colleague, rule="Formulier A16 afval", problem="Probleem K6")
        coach = make_user("Eva Epsilon", email="eva@example.test", roles=("employee", "coach"))
        decide_report(
            solved,
            actor=coach,
            outcome="resolved",
            explanation="Uitleg L7",
            what_changed="Wijziging M8",
            estimate=Estimate(cases_per_month=1, minutes_inhabitant=60, minutes_staff=0, affected="staff"),
        )
        anonymous = make_report(reporter, rule="Formulier A14 stempas", problem="Probleem F2", anonymous=True)
        # The board: more new reports than a column shows at once, one taken on by another
        # coach, one by the coach who looks, one quiet too long, and one the coach follows
        # anonymously (its actions are withheld from them).
        extra = [make_report(colleague, rule=f"Stempel T{n}", problem=f"Probleem T{n}") for n in range(PAGE_SIZE)]
        take_on(extra[0], make_user("Bo Zeta", email="bo@example.test", roles=("employee", "coach")))
        take_on(extra[1], coach)
        extra[2].last_activity_at = utcnow() - timedelta(days=60)
        withheld = make_report(coach, rule="Formulier A17 kapvergunning", problem="Probleem N5", anonymous=True)
        ask_checkback(solved)  # 'Merkbaar beter?' for its reporter
        db.session.commit()
        checkback = checkback_tokens(solved)[0]
        link = password_link_params(colleague)
        guarded = make_user("Ko Delta", email="ko@example.test")
        secret = enable_second_factor(guarded)
        db.session.commit()
        return {
            "secret": secret,
            "link": f"/wachtwoord-kiezen/{link['purpose']}/{link['token']}",
            "reference": own.reference,
            "anonymous": anonymous.reference,
            "supported": other.reference,
            "third": third.reference,
            "new card": extra[3].reference,
            "new card, versions": (extra[4].reference, extra[4].version),
            "withheld": withheld.reference,
            "checkback": f"/merkbaar-beter/{checkback}",
        }


def _pages(client, seeded) -> dict[str, str]:
    """Every page of the wrapped areas, in its empty, full and error states."""
    pages = {"login": client.get("/inloggen")}
    pages.update(_dossier_pages(client.application, seeded))  # first: its list starts empty
    pages.update(_admin_pages(client.application, seeded))
    pages["password forgotten"] = client.get("/wachtwoord-vergeten")
    pages["accessibility statement"] = client.get("/toegankelijkheid")
    pages["intranet button"] = client.get("/knop")
    pages["intranet button, for a department"] = client.get("/knop?afdeling=Burgerzaken")
    pages["password forgotten, errors"] = post_form(client, "/wachtwoord-vergeten", {"email": ""})
    pages["choose a password"] = client.get(seeded["link"])
    pages["choose a password, errors"] = post_form(client, seeded["link"], {"password": "a", "repeat": "b"})
    pages["choose a password, link no longer works"] = client.get("/wachtwoord-kiezen/reset/nonsense")
    pages["login, wrong password"] = client.post(
        "/inloggen",
        data={"email": "sanne@example.test", "password": "wrong", "csrf_token": _token(client, "/inloggen")},
    )
    client.post(
        "/inloggen",
        data={"email": "sanne@example.test", "password": PASSWORD, "csrf_token": _token(client, "/inloggen")},
    )
    pages["start"] = client.get("/", follow_redirects=True)
    pages["report form"] = client.get("/melden")
    pages["report form, errors"] = post_form(client, "/melden", {"rule": "", "problem": ""})
    pages["similar reports"] = client.get("/melden/vergelijkbaar?rule=Formulier+A12")
    pages["is dit al gemeld (without JavaScript)"] = post_form(
        client, "/melden", {"rule": "Formulier A12", "problem": "Probleem H4", "origin": "unknown"}
    )
    pages["support form"] = client.get(f"/meldingen/{seeded['third']}/ik-ook")
    pages["support, already following"] = client.get(f"/meldingen/{seeded['supported']}/ik-ook")
    pages["support, own report"] = client.get(f"/meldingen/{seeded['reference']}/ik-ook")
    pages["supported, with its message"] = post_form(
        client, f"/meldingen/{seeded['third']}/ik-ook", {"note": "Notitie J5"}
    )
    pages["supported, with its message"] = client.get(pages["supported, with its message"].headers["Location"])
    pages["no similar reports"] = client.get("/melden/vergelijkbaar?rule=Zzyzx")
    pages["confirmation"] = client.get(f"/meldingen/{seeded['reference']}/bevestiging")
    pages["Mijn meldingen"] = client.get("/mijn-meldingen")
    pages["Mijn meldingen, no such page"] = client.get("/mijn-meldingen?pagina=9")
    pages["settings"] = client.get("/instellingen")
    pages["second factor, set up"] = client.get("/instellingen/tweestapsverificatie")
    pages["second factor, set up, errors"] = post_form(client, "/instellingen/tweestapsverificatie", {"code": ""})
    pages["change password"] = client.get("/wachtwoord")
    pages["change password, errors"] = post_form(client, "/wachtwoord", {"current": "", "password": ""})
    pages["Wat we ontregelden"] = client.get("/ontregeld/")
    pages["Wat we ontregelden, past the end"] = client.get("/ontregeld/?pagina=5")
    pages["error 404"] = client.get("/meldingen/RK-1999-9999")
    pages["error 403"] = client.get("/bord/")
    # Attachments: a refused file, then one kept (the report page lists it, with its preview).
    files_path = f"/meldingen/{seeded['reference']}/bijlagen"
    pages["own report, a file refused, errors"] = send_files(
        client, files_path, {}, [("brief.png", b"<html></html>")], form_path=f"/meldingen/{seeded['reference']}"
    )
    send_files(client, files_path, {}, [("scherm.png", png_bytes())], form_path=f"/meldingen/{seeded['reference']}")
    pages["own report"] = client.get(f"/meldingen/{seeded['reference']}")
    pages["own anonymous report"] = client.get(f"/meldingen/{seeded['anonymous']}")
    guarded = client.application.test_client()
    guarded.post(
        "/inloggen", data={"email": "ko@example.test", "password": PASSWORD, "csrf_token": _token(guarded, "/inloggen")}
    )
    pages.update(_board_pages(client.application.test_client(), seeded))
    pages.update(_checkback_pages(client.application.test_client(), seeded["checkback"]))
    pages.update(_opendata_pages(client.application, seeded))
    pages.update(_sso_pages(client.application, seeded))
    pages.update(_api_pages(client.application, seeded))
    pages.update(_insight_pages(client.application, seeded))
    pages.update(_api_dossier_pages(client.application, seeded))
    pages["code from the app"] = guarded.get("/inloggen/code")
    pages["code from the app, wrong"] = post_form(guarded, "/inloggen/code", {"code": "000000"})
    post_form(guarded, "/inloggen/code", {"code": pyotp.TOTP(seeded["secret"]).now()})
    pages["second factor, on"] = guarded.get("/instellingen/tweestapsverificatie")
    assert 'id="uitzetten-titel"' in pages["second factor, on"].get_data(as_text=True), "the code was not accepted"
    assert "rk-similar-item" in pages["similar reports"].get_data(as_text=True), "no similar report found"
    assert "Burgerzaken" in pages["intranet button, for a department"].get_data(as_text=True), "no department chosen"
    pages.update(_panel_pages(client.application, seeded))
    pages.update(_session_pages(client.application, seeded))
    statuses = {page: response.status_code for page, response in pages.items()}
    expected = {page: 400 if "errors" in page or "wrong" in page else 200 for page in pages}
    expected.update({"error 404": 404, "error 403": 403, "choose a password, link no longer works": 400})
    expected.update({"card actions, someone else was first": 409})
    expected.update({"dossier, someone else was first": 409})
    expected.update({page: 404 for page in pages if page.startswith("beheer") and "not found" in page})
    expected.update({"Merkbaar beter?, link not valid": 400, "Merkbaar beter?, already answered": 400})
    expected.update({"panel, someone else was first": 409, "weekly session, someone else was first": 409})
    expected.update({"weekly session, undo refused": 409})
    expected.update(SSO_STATUSES)
    expected.update(API_STATUSES)
    assert statuses == expected, statuses
    return {page: _text(response) for page, response in pages.items()}


def _text(response) -> str:
    """A page's HTML; a download's text without its links (their paths are Dutch words):
    the CSV as it is, of the spreadsheet its strings and its sheet's and document's names."""
    if response.mimetype == "text/csv":
        return re.sub(r"https?://\S+", "", response.get_data(as_text=True))
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as spreadsheet:
            strings = spreadsheet.read("xl/sharedStrings.xml").decode()
            names = re.findall(r'<sheet name="([^"]*)"', spreadsheet.read("xl/workbook.xml").decode())
            title = re.findall(r"<dc:title>([^<]*)<", spreadsheet.read("docProps/core.xml").decode())
        assert names and title, "the spreadsheet has no sheet name or title"
        return re.sub(r"https?://[^<]+", "", strings) + " ".join(f"<p>{name}</p>" for name in names + title)
    return response.get_data(as_text=True)


def _board_pages(coach, seeded) -> dict:
    """The board and a card's actions as a coach sees them: full, a column's next cards,
    nothing found, and the actions' errors (nothing chosen, someone else was first, withheld)."""
    coach.post(
        "/inloggen", data={"email": "eva@example.test", "password": PASSWORD, "csrf_token": _token(coach, "/inloggen")}
    )
    pages = {"board": coach.get("/bord/")}
    pages["board, the next cards of a column"] = coach.get("/bord/?nieuw-pagina=2")
    pages["board, nothing found"] = coach.get("/bord/?zoek=Zzyzx&stil=1")
    reference = seeded["new card"]
    pages["card actions"] = coach.get(f"/bord/meldingen/{reference}/verplaatsen")
    version = re.search(r'name="verplaats-version" value="(\d+)"', pages["card actions"].get_data(as_text=True))
    pages["card actions, errors"] = post_form(
        coach, f"/bord/meldingen/{reference}/verplaatsen", {"verplaats-to": "", "verplaats-version": version[1]}
    )
    taken = post_form(
        coach,
        f"/bord/meldingen/{reference}/oppakken",
        {"oppakken-version": version[1]},
        form_path=f"/bord/meldingen/{reference}/verplaatsen",
    )
    pages["board, a card just taken on"] = coach.get(taken.headers["Location"])
    stale, current = seeded["new card, versions"]
    take_on_path = f"/bord/meldingen/{stale}/oppakken"
    post_form(coach, take_on_path, {"oppakken-version": current}, form_path=f"/bord/meldingen/{stale}/verplaatsen")
    pages["card actions, someone else was first"] = post_form(
        coach,
        f"/bord/meldingen/{stale}/verplaatsen",
        {"verplaats-to": "resolved", "verplaats-version": current},
    )
    pages["card actions, withheld"] = coach.get(f"/bord/meldingen/{seeded['withheld']}/verplaatsen")
    pages["Alle meldingen"] = coach.get("/meldingen")
    pages["Alle meldingen, page 2"] = coach.get("/meldingen?pagina=2")
    pages["Alle meldingen, filtered"] = coach.get("/meldingen?status=resolved")
    pages["Alle meldingen, nothing found"] = coach.get("/meldingen?zoek=Zzyzx")
    pages["Alle meldingen, no such page"] = coach.get("/meldingen?pagina=9")
    pages["Alle meldingen, csv"] = coach.get("/meldingen/export.csv")
    pages["Alle meldingen, xlsx"] = coach.get("/meldingen/export.xlsx?afdeling=0")
    board = pages["board"].get_data(as_text=True)
    assert "rk-board-card--overdue" in board and "data-column-more" in board, "the board lacks a state to check"
    assert "data-dialog-nothing" in board, "the coach's action dialog is not on the board"
    assert "rk-withheld" in pages["card actions, withheld"].get_data(as_text=True), "the actions were not withheld"
    assert "rk-flash--success" in pages["board, a card just taken on"].get_data(as_text=True), "not taken on"
    return pages


def _checkback_pages(client, link: str) -> dict:
    """'Merkbaar beter?' as its link opens it: the question, with an answer chosen, without
    an answer, a link that is not valid, the thanks, and the link once answered."""
    pages = {"Merkbaar beter?": client.get(link)}
    pages["Merkbaar beter?, answer chosen"] = client.get(f"{link}?antwoord=nee")
    pages["Merkbaar beter?, errors"] = post_form(client, link, {"answer": "", "comment": ""})
    pages["Merkbaar beter?, link not valid"] = client.get("/merkbaar-beter/nonsense")
    answered = post_form(client, link, {"answer": "no", "comment": "Notitie P3"})
    assert answered.status_code == 303, "the answer was not accepted"
    pages["Merkbaar beter?, thanks"] = client.get(answered.headers["Location"])
    pages["Merkbaar beter?, already answered"] = client.get(link)
    return pages


MAIL_TEMPLATES = {path.stem for path in (ROOT / "templates" / "mail").glob("*.txt")}


def _mails(app, seeded) -> dict[str, str]:
    """Every kind of mail (each template in templates/mail), each produced by the service or
    job that sends it, with seeded data: as HTML, as text (links taken out: their paths are
    Dutch words) and its subject, in the recipient's language (here: the municipality's)."""
    from flask import template_rendered

    from app import jobs
    from app.models import Addressee, OutboxMessage, User
    from app.services.dossiers import LegalReference, change_dossier_status, update_dossier
    from app.services.handover import hand_over, holdings
    from app.services.reports import get_by_reference
    from app.services.triage import end_session, skip_item, start_session
    from app.services.users import password_forgotten, send_invitation, send_password_reset, tell_account_changed
    from app.services.workflow import assign_report, post_update, reopen_after_checkback
    from tests.factories import choose_mail

    rendered: set[str] = set()

    def note(sender, template, context, **extra):
        rendered.add(template.name)

    with app.app_context(), template_rendered.connected_to(note, app):
        person = lambda email: db.session.scalar(db.select(User).where(User.email == email))  # noqa: E731
        coach, other_coach, reporter = (
            person("eva@example.test"),
            person("bo@example.test"),
            person("sanne@example.test"),
        )
        before = db.session.scalar(db.select(db.func.max(OutboxMessage.id))) or 0
        # The reporter's updates, on a named and on an anonymous report.
        post_update(get_by_reference(seeded["reference"]), actor=coach, text="Notitie E1")
        post_update(get_by_reference(seeded["anonymous"]), actor=coach, text="Notitie E2")
        # Accounts: invitation, both reset links and the one for an account of the municipality, notices.
        admin = make_user("Ida Iota", email="ida@example.test", roles=("employee", "admin"))
        newcomer = make_user("Lin Gamma", email="lin@example.test")
        send_invitation(newcomer, actor=admin)
        send_password_reset(reporter, actor=None)
        send_password_reset(reporter, actor=admin)
        municipal = make_user("Pim Kappa", email="pim@example.test")
        municipal.oidc_issuer, municipal.oidc_subject = "https://login.gemeente.example", "pim-1"
        password_forgotten("pim@example.test")
        tell_account_changed(reporter, "email", to_address="oud@example.test", old_email="oud@example.test")
        tell_account_changed(reporter, "mfa_reset")
        tell_account_changed(reporter, "roles", roles=("employee", "coach", "legal", "admin", "executive"))
        # Another coach assigns a new report; a coach is reminded of a report that stalled.
        assign_report(get_by_reference(seeded["third"]), coach, actor=other_coach)
        stalled = make_report(reporter, rule="Formulier A18 ligplaats", problem="Probleem R4")
        take_on(stalled, coach)
        stalled.last_activity_at = utcnow() - timedelta(days=60)
        # Escalations: a new dossier, a report added to it; its owner by the addressee's rule,
        # its dates passed, its public steps; the weekly overview and the reminders.
        lawyer = make_user("Noor Theta", email="noor@example.test", roles=("employee", "legal"))
        colleague = make_user("Tim Lambda", email="tim@example.test", roles=("employee", "legal"))
        law = LegalReference("Zzwet", None, "art. 3")
        first, second = (make_report(reporter, rule=f"Formulier A19 {n}", problem="Probleem S5") for n in "XY")
        for escalated in (first, second):
            decide_report(escalated, actor=coach, outcome="escalated", explanation="Uitleg V1", legal=law)
        dossier = first.dossier
        addressee = Addressee(name="BZK", kind="ministry", default_owner=colleague)
        db.session.add(addressee)
        db.session.flush()
        today = utcnow().date()
        update_dossier(
            dossier,
            actor=lawyer,
            reference=law,
            addressee_id=addressee.id,
            channel=None,
            sent_on=today - timedelta(days=30),
            answer_due=today - timedelta(days=1),
            follow_up_on=today,
            owner_id=None,
        )
        change_dossier_status(dossier, "sent", actor=colleague)
        jobs.dossier_overview()
        jobs.dossier_reminders()
        jobs.coach_reminders()
        # 'Merkbaar beter?' a week and six weeks after a solution; a 'no' that reopens a report.
        for weeks, anonymous in ((0, False), (6, True)):
            solved = make_report(reporter, rule="Formulier A20 kade", problem="Probleem W2", anonymous=anonymous)
            make_support(person("omar@example.test"), solved)
            decide_report(solved, actor=coach, outcome="resolved", explanation="Uitleg W3", what_changed="Wijziging W4")
            ask_checkback(solved, now=utcnow() + timedelta(weeks=weeks))
        take_on(get_by_reference(seeded["supported"]), coach)
        reopened = get_by_reference(seeded["supported"])
        decide_report(reopened, actor=coach, outcome="resolved", explanation="Uitleg W5", what_changed="Wijziging W6")
        reopen_after_checkback(reopened)
        # The handover of a coach's reports and of a lawyer's dossier.
        hand_over(other_coach, holdings(other_coach), reports_to=coach, dossiers_to=None, actor=admin)
        hand_over(colleague, holdings(colleague), reports_to=None, dossiers_to=lawyer, actor=admin)
        # The weekly session: its agenda, and its minutes (one item skipped, the rest not reached).
        jobs.weekly_agenda()
        session = start_session(coach)
        skip_item(session.items[0], coach)
        end_session(session, coach)
        # The daily overview of someone who chose it.
        choose_mail(reporter, "digest", "own_reports")
        post_update(get_by_reference(seeded["reference"]), actor=coach, text="Notitie E3")
        db.session.commit()
        jobs.daily_digest()
        messages = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
        ).all()
        mails = {}
        for number, message in enumerate(messages):
            # The daily overview shows the text of the mails it holds, with their links.
            mails[f"mail {number}: {message.subject}"] = re.sub(r"https?://[^\s<\"]+", "", message.body_html)
            mails[f"mail {number}, text"] = re.sub(r"https?://\S+", "", message.body_text)
            mails[f"mail {number}, subject"] = message.subject
    every = {f"mail/{name}.{kind}" for name in MAIL_TEMPLATES for kind in ("html", "txt")}
    assert every - rendered == set(), f"mails not produced: {sorted(every - rendered)}"
    return mails


def _staff_login(app, email: str):
    client = app.test_client()
    client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": _token(client, "/inloggen")})
    return client


def _field(response, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    assert found, f"no field {name} on the page"
    return found[1]


# Words only the Dutch text of the panel and the weekly session has (beyond DUTCH): left in
# their English output, they mean a text that was not wrapped.
STAFF_DUTCH = re.compile(
    r"\b(Behandelen|[Bb]esluit\w*|[Tt]oewijzen|[Ss]amenvoegen|[Hh]eropenen|[Ww]eekoverleg\w*|[Pp]unt|[Oo]verslaan|"
    r"[Oo]ngedaan|[Aa]anwezig\w*|Sneltoetsen|Interne|[Nn]otities|[Bb]ericht\w*|Zoeken|Gevonden|[Vv]erplicht|"
    r"[Ss]chatting|[Tt]oegewezen|[Bb]esproken|[Oo]vergeslagen|[Aa]fgesloten|[Gg]estart|[Tt]ijd|[Mm]inuten)\b"
)


def _no_staff_dutch_left(app, pages: dict) -> None:
    if app.config["LANGUAGE"] != "en":
        return
    for page, response in pages.items():
        text = visible_text(_text(response))
        assert not STAFF_DUTCH.findall(text), f"{page}: Dutch left in the English output: {STAFF_DUTCH.findall(text)}"


# The panel's pages are the report page (reports.detail, checked above) and its actions (POST).
CHECKED_PANEL = {"reports.detail"}


def _panel_pages(app, seeded) -> dict:
    """The coaches' and Juridische Zaken's panel on the report page: as a coach (every form,
    supporters, merge suggestions, search and nothing found, each form's errors, someone
    else was first, withheld, and the flash of each action) and as Juridische Zaken (notes
    and messages, and their errors)."""
    from app.models import User

    with app.app_context():
        coach = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        reporter = make_user("Ina Theta", email="ina@example.test")
        fresh = make_report(reporter, rule="Formulier P1 vergunning", problem="Probleem P2")
        make_support(make_user("Lot Iota", email="lot@example.test"), fresh, "Notitie P3")
        earlier = make_report(reporter, rule="Formulier P1 vergunning oud", problem="Probleem P4")
        decide_report(earlier, actor=coach, outcome="explained", explanation="Uitleg P7")
        make_user("Jo Kappa", email="jo@example.test", roles=("employee", "legal"))
        db.session.commit()
        fresh, earlier = fresh.reference, earlier.reference
    coach = _staff_login(app, "eva@example.test")
    page = f"/meldingen/{fresh}"
    pages = {"panel": coach.get(page)}
    pages["panel, merge search"] = coach.get(f"{page}?zoek=vergunning")
    pages["panel, merge search, nothing found"] = coach.get(f"{page}?zoek=Zzyzx")
    version = _field(pages["panel"], "besluit-version")
    send = lambda action, data: post_form(coach, f"{page}/{action}", data, form_path=page)  # noqa: E731
    pages["panel, decide errors"] = send(
        "besluit", {"besluit-outcome": "", "besluit-explanation": "", "besluit-version": version}
    )
    pages["panel, decide errors, escalated"] = send(
        "besluit", {"besluit-outcome": "escalated", "besluit-explanation": "", "besluit-version": version}
    )
    pages["panel, decide errors, resolved"] = send(
        "besluit",
        {
            "besluit-outcome": "resolved",
            "besluit-explanation": "Uitleg Q1",
            "besluit-cases_per_month": "x",
            "besluit-version": version,
        },
    )
    pages["panel, assign errors"] = send("toewijzen", {"toewijzen-assignee_id": "", "toewijzen-version": version})
    pages["panel, merge errors"] = send(
        "samenvoegen",
        {"samenvoegen-target": "", "samenvoegen-explanation": "", "samenvoegen-version": version},
    )
    pages["panel, merge errors, no such report"] = send(
        "samenvoegen",
        {"samenvoegen-target": "RK-1999-9999", "samenvoegen-explanation": "Uitleg Q2", "samenvoegen-version": version},
    )
    pages["panel, merge errors, itself"] = send(
        "samenvoegen",
        {"samenvoegen-target": fresh, "samenvoegen-explanation": "Uitleg Q2", "samenvoegen-version": version},
    )
    pages["panel, decide errors, an old form without its version"] = send(
        "besluit", {"besluit-outcome": "explained", "besluit-explanation": "Uitleg Q7"}
    )
    pages["panel, note errors"] = send("notitie", {"notitie-text": ""})
    pages["panel, message errors"] = send("bericht", {"bericht-text": ""})
    pages["panel, someone else was first"] = send("oppakken", {"oppakken-version": str(int(version) + 1)})

    def done(name, response):
        assert response.status_code == 303, f"{name}: {response.status_code}"
        pages[f"panel, {name}"] = coach.get(response.headers["Location"])
        assert "rk-flash--success" in pages[f"panel, {name}"].get_data(as_text=True), f"{name}: no flash"

    done("taken on", send("oppakken", {"oppakken-version": version}))
    done("note saved", send("notitie", {"notitie-text": "Notitie Q3"}))
    done("message sent", send("bericht", {"bericht-text": "Notitie Q4"}))
    version = _field(coach.get(page), "toewijzen-version")
    done("assigned", send("toewijzen", {"toewijzen-assignee_id": _bo(app), "toewijzen-version": version}))
    version = _field(coach.get(page), "besluit-version")
    done(
        "decided",
        send(
            "besluit", {"besluit-outcome": "explained", "besluit-explanation": "Uitleg Q5", "besluit-version": version}
        ),
    )
    version = _field(coach.get(page), "heropenen-version")
    pages["panel, reopen errors"] = send("heropenen", {"heropenen-reason": "", "heropenen-version": version})
    done("reopened", send("heropenen", {"heropenen-reason": "Reden Q6", "heropenen-version": version}))
    pages["panel, a closed report"] = coach.get(f"/meldingen/{earlier}")
    pages["panel, withheld"] = coach.get(f"/meldingen/{seeded['withheld']}")
    jurist = _staff_login(app, "jo@example.test")
    pages["panel as Juridische Zaken"] = jurist.get(page)
    pages["panel as Juridische Zaken, note errors"] = post_form(
        jurist, f"{page}/notitie", {"notitie-text": ""}, form_path=page
    )
    panel = pages["panel"].get_data(as_text=True)
    assert 'id="samenvoegen"' in panel and 'id="notities"' in panel and 'id="steun"' in panel, "a part is missing"
    assert "rk-board-candidate" in pages["panel, merge search"].get_data(as_text=True), "nothing found to merge"
    assert 'id="heropenen"' in pages["panel, a closed report"].get_data(as_text=True), "no reopen form"
    assert "rk-withheld" in pages["panel, withheld"].get_data(as_text=True), "the actions were not withheld"
    jurist_panel = pages["panel as Juridische Zaken"].get_data(as_text=True)
    assert 'id="notities"' in jurist_panel and 'id="besluit"' not in jurist_panel, "Juridische Zaken's panel is off"
    _no_staff_dutch_left(app, pages)
    return pages


def _bo(app) -> str:
    from app.models import User

    with app.app_context():
        return str(db.session.scalar(db.select(User.id).where(User.email == "bo@example.test")))


CHECKED_SESSION = {"triage.index", "triage.session", "triage.minutes"}


def _session_pages(app, seeded) -> dict:
    """The weekly session: the start page before (and its errors), during and after; the
    session page with an item, its merge search and preview, each action's errors, someone
    else was first, a decided, a skipped, an undone and a withheld item, one ended outside
    the session, the time up, everything discussed; the minutes during and after."""
    from app.models import Report, TriageItem, TriageSession, User
    from app.services.triage import skip_item
    from app.services.workflow import decide_report as decide

    with app.app_context():
        # The items acted on: reports of its own (the other checks use the seeded ones).
        reporter = make_user("Rob Sigma", email="rob@example.test")
        own = [
            make_report(reporter, rule=f"Formulier S{n} ligplaats", problem=f"Probleem S{n}").reference
            for n in (1, 2, 3)
        ]
        db.session.commit()
    coach = _staff_login(app, "eva@example.test")
    pages = {"weekly session, start": coach.get("/weekoverleg/")}
    pages["weekly session, start, errors"] = post_form(coach, "/weekoverleg/", {"start-attendees": ["999999"]})
    started = post_form(coach, "/weekoverleg/", {"start-attendees": []})
    assert started.status_code == 303, started.status_code
    base = started.headers["Location"]
    pages["weekly session, started"] = coach.get(base)
    pages["weekly session, start page while it runs"] = coach.get("/weekoverleg/")
    with app.app_context():
        session_id = db.session.scalar(db.select(TriageSession.id))
        items = {
            item.report.reference: item.id
            for item in db.session.scalars(db.select(TriageItem).order_by(TriageItem.position))
        }
    first, second, third = (items[reference] for reference in own)

    def act(item, path, data):
        return post_form(coach, f"{base}/punten/{item}/{path}", data, form_path=f"{base}?punt={item}")

    def version(item, action):
        return _field(coach.get(f"{base}?punt={item}"), f"{action}-version")

    taken = act(first, "oppakken", {"take_on-version": version(first, "take_on")})
    pages["weekly session, taken on"] = coach.get(taken.headers["Location"])
    pages["weekly session, a decided item"] = coach.get(f"{base}?punt={first}")
    skipped = act(second, "overslaan", {})
    pages["weekly session, skipped"] = coach.get(skipped.headers["Location"])
    pages["weekly session, a skipped item"] = coach.get(f"{base}?punt={second}")
    current = version(third, "decide")
    pages["weekly session, decide errors"] = act(
        third, "besluiten", {"decide-outcome": "", "decide-explanation": "", "decide-version": current}
    )
    pages["weekly session, decide errors, escalated"] = act(
        third, "besluiten", {"decide-outcome": "escalated", "decide-explanation": "", "decide-version": current}
    )
    pages["weekly session, assign errors"] = act(
        third, "toewijzen", {"assign-assignee_id": "", "assign-version": current}
    )
    pages["weekly session, merge errors"] = act(
        third, "samenvoegen", {"merge-target": "", "merge-explanation": "", "merge-version": current}
    )
    pages["weekly session, merge errors, no such report"] = act(
        third, "samenvoegen", {"merge-target": "RK-1999-9999", "merge-explanation": "", "merge-version": current}
    )
    pages["weekly session, merge preview"] = act(
        third, "samenvoegen", {"merge-target": seeded["supported"], "merge-explanation": "", "merge-version": current}
    )
    pages["weekly session, merge search"] = coach.get(f"{base}?punt={third}&zoek=Formulier")
    pages["weekly session, merge search, nothing found"] = coach.get(f"{base}?punt={third}&zoek=Zzyzx")
    with app.app_context():
        closed = db.session.scalar(db.select(Report).where(Report.status == "explained").limit(1)).reference
    pages["weekly session, merge preview, a closed report"] = coach.get(f"{base}?punt={third}&doel={closed}")
    pages["weekly session, someone else was first"] = act(third, "oppakken", {"take_on-version": str(int(current) + 1)})
    pages["weekly session, attendees errors"] = post_form(
        coach, f"{base}/aanwezigen", {"attendees-attendees": ["999999"]}, form_path=base
    )
    undo_version = _field(pages["weekly session, a decided item"], "undo-version")
    pages["weekly session, undo refused"] = act(first, "ongedaan-maken", {"undo-version": str(int(undo_version) - 1)})
    undone = act(first, "ongedaan-maken", {"undo-version": undo_version})
    pages["weekly session, undone"] = coach.get(undone.headers["Location"])
    pages["weekly session, withheld"] = coach.get(f"{base}?punt={items[seeded['withheld']]}")
    with app.app_context():
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        decide(db.session.get(TriageItem, third).report, actor=eva, outcome="explained", explanation="Uitleg R1")
        db.session.commit()
    pages["weekly session, ended outside the session"] = coach.get(f"{base}?punt={third}")
    pages["minutes while the session runs"] = coach.get(f"{base}/besluitenlijst")
    taken = act(first, "oppakken", {"take_on-version": version(first, "take_on")})
    assert taken.status_code == 303, "not taken on again after the undo"
    with app.app_context():
        session = db.session.get(TriageSession, session_id)
        session.started_at = session.started_at - timedelta(minutes=45)
        db.session.commit()
    pages["weekly session, time is up"] = coach.get(f"{base}?punt={second}")
    with app.app_context():
        eva, bo = (
            db.session.scalar(db.select(User).where(User.email == e)) for e in ("eva@example.test", "bo@example.test")
        )
        for item in db.session.scalars(db.select(TriageItem).where(TriageItem.state == "pending")).all():
            # The coach who follows the withheld report anonymously leaves it to a colleague.
            skip_item(item, bo if item.report.reference == seeded["withheld"] else eva)
        db.session.commit()
    pages["weekly session, everything discussed"] = coach.get(base)
    ended = post_form(coach, f"{base}/afsluiten", {}, form_path=base)
    assert ended.status_code == 303, ended.status_code
    pages["minutes, just ended"] = coach.get(ended.headers["Location"])
    closed_again = post_form(coach, f"{base}/afsluiten", {}, form_path=f"{base}/besluitenlijst")
    pages["minutes, already ended"] = coach.get(closed_again.headers["Location"])
    pages["weekly session, start page after"] = coach.get("/weekoverleg/")
    page = lambda name: pages[name].get_data(as_text=True)  # noqa: E731
    assert "rk-triage-running" in page("weekly session, start page while it runs"), "no session running"
    assert 'id="undo-form"' in page("weekly session, a decided item"), "no undo on a decided item"
    assert "rk-triage-merge-preview" in page("weekly session, merge preview"), "no merge preview"
    assert "rk-triage-warning" in page("weekly session, merge preview, a closed report"), "no warning"
    assert "rk-withheld" in page("weekly session, withheld"), "the item was not withheld"
    assert "rk-triage-timer" in page("weekly session, time is up")
    assert 'id="end-form-main"' in page("weekly session, everything discussed"), "items left to discuss"
    assert "rk-triage-past" in page("weekly session, start page after"), "no earlier session listed"
    assert "rk-flash--error" in page("minutes, already ended") or "rk-flash--info" in page("minutes, already ended")
    _no_staff_dutch_left(app, pages)
    return pages


# Juridische Zaken's dossiers, the shared register's part of them and the reporter's view of an
# escalated report: the endpoints their pages are rendered for in each catalog below.
CHECKED_DOSSIERS = {
    "dossiers.index",
    "dossiers.detail",
    "dossiers.export_csv",
    "dossiers.export_xlsx",
    "dossiers.register_publish",
}


def _dossier_pages(app, seeded) -> dict:
    """The dossiers: the list empty, full, filtered, sorted, with nothing found, and its
    downloads; a dossier in each status with its timeline (the texts Rode Knop wrote there,
    app.i18n.StoredText), its forms' errors, a colleague who was first, the flashes, read-only
    for a beheerder, withheld from a lawyer who follows a linked report anonymously; the
    shared register's part (others, the letter, published, withdrawn, waiting), the publish
    page with its preview, errors and problem; the reporter's escalated report. The names and
    texts users typed avoid every word the checks look for; the starting addressees (Dutch
    names of ministries: data, not text to translate) are renamed for the same reason."""
    from app.models import Addressee, Dossier, RegisterMirror, User
    from app.services.dossiers import LegalReference, add_dossier_note, change_dossier_status, update_dossier
    from app.services.register import join_letter, publish, withdraw

    with app.app_context():
        for addressee in db.session.scalars(db.select(Addressee)):
            addressee.name = f"Ministerie M{addressee.id}"
        lena = make_user("Lena Theta", email="jz-lena@example.test", roles=("employee", "legal"))
        rik = make_user("Rik Iota", email="jz-rik@example.test", roles=("employee", "legal"))
        make_user("Ada Lambda", email="jz-ada@example.test", roles=("employee", "admin"))
        coach = make_user("Cas Mu", email="jz-cas@example.test", roles=("employee", "coach"))
        pim = make_user("Pim Kappa", email="jz-pim@example.test")
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(Dossier.id))) == 0, "the empty list needs no dossier yet"
    lawyer = app.test_client()
    lawyer.post(
        "/inloggen",
        data={"email": "jz-lena@example.test", "password": PASSWORD, "csrf_token": _token(lawyer, "/inloggen")},
    )
    pages = {"dossiers, none yet": lawyer.get("/juridisch/")}
    with app.app_context():
        lena, rik, coach, pim = (
            db.session.scalar(db.select(User).where(User.email == f"jz-{name}@example.test"))
            for name in ("lena", "rik", "cas", "pim")
        )
        ids = {}
        laws = ("Participatiewet", "Omgevingswet", "Jeugdwet", "Wmo", "Woo", "Awb", "Aow")
        for number, law in enumerate(laws, start=1):
            report = make_report(pim, rule=f"Formulier Z{number}", problem=f"Probleem Z{number}")
            decide_report(
                report,
                actor=coach,
                outcome="escalated",
                explanation=f"Uitleg Z{number}",
                legal=LegalReference(law, None if number == 1 else f"BWBR001570{number}", f"art. {number}"),
            )
            ids[number], ids[f"report {number}"] = report.dossier.id, report.reference
        # Rik follows a report in the first dossier anonymously: it is withheld from him.
        hidden = make_report(rik, rule="Formulier Z9", problem="Probleem Z9", anonymous=True)
        decide_report(
            hidden,
            actor=coach,
            outcome="escalated",
            explanation="Uitleg Z9",
            legal=LegalReference("Participatiewet", None, "art. 1"),
        )
        dossiers = {number: db.session.get(Dossier, ids[number]) for number in range(1, 8)}
        addressee = db.session.scalar(db.select(Addressee.id).order_by(Addressee.id).limit(1))
        today = utcnow().date()
        for number in range(2, 7):
            dossier = dossiers[number]
            update_dossier(
                dossier,
                actor=lena,
                reference=LegalReference(dossier.law_title, dossier.bwb_id, dossier.article),
                addressee_id=addressee,
                channel="Brief B1",
                sent_on=today - timedelta(days=40),
                answer_due=today - timedelta(days=10),
                follow_up_on=today,
                owner_id=rik.id,
            )
            change_dossier_status(dossier, "sent", actor=lena, text="Toelichting S1")
        for number in range(3, 7):
            change_dossier_status(
                dossiers[number], "answered", actor=lena, answer="Antwoord A1", answer_summary="Samenvatting A2"
            )
        change_dossier_status(dossiers[4], "promised", actor=lena, text="Toelichting S2")
        change_dossier_status(dossiers[5], "rejected", actor=lena)
        change_dossier_status(dossiers[6], "law_changed", actor=lena)
        change_dossier_status(dossiers[7], "closed", actor=lena)
        add_dossier_note(dossiers[1], actor=lena, text="Notitie N1")
        db.session.commit()
        lena_id = lena.id
        settings = {key: app.config[key] for key in ("REGISTER_URL", "REGISTER_MEMBER", "REGISTER_KEY_FILE")}

    path = lambda number: f"/juridisch/dossiers/{ids[number]}"  # noqa: E731
    try:
        # A member of the shared register (never reached: nothing is delivered here).
        app.config.update(
            {"REGISTER_URL": "http://127.0.0.1:9", "REGISTER_MEMBER": "1", "REGISTER_KEY_FILE": "/nonexistent"}
        )
        with app.app_context():
            three, four = db.session.get(Dossier, ids[3]), db.session.get(Dossier, ids[4])
            entries = [
                {
                    "member_id": 2,
                    "municipality": "Gemeente Q1",
                    "status": "answered",
                    "status_label": "x",
                    "answer_summary": "Samenvatting R1",
                },
                {
                    "member_id": 3,
                    "municipality": "Gemeente Q2",
                    "status": "sent",
                    "status_label": "x",
                    "answer_summary": None,
                },
            ]
            data = {"entries": entries, "letter": [{"member_id": 2, "municipality": "Gemeente Q1"}]}
            db.session.add(
                RegisterMirror(bwb_id=three.bwb_id, article_key="3", data=json.dumps(data), fetched_at=utcnow())
            )
            publish(three, "Samenvatting P1", actor=db.session.get(User, lena_id))
            join_letter(three, actor=db.session.get(User, lena_id))
            publish(four, "Samenvatting P2", actor=db.session.get(User, lena_id))
            withdraw(four, actor=db.session.get(User, lena_id))
            db.session.commit()
        pages["dossier, in preparation"] = lawyer.get(path(1))
        pages["dossier, sent"] = lawyer.get(path(2))
        pages["dossier, answered, in the register"] = lawyer.get(path(3))
        pages["dossier, promised, withdrawn from the register"] = lawyer.get(path(4))
        pages["dossier, rejected"] = lawyer.get(path(5))
        pages["dossier, law changed"] = lawyer.get(path(6))
        pages["dossier, closed"] = lawyer.get(path(7))
        pages["register preview"] = lawyer.get(path(3) + "/register")
        pages["register preview, errors"] = post_form(
            lawyer, path(3) + "/register", {"summary": "", "action": "voorbeeld"}
        )
        pages["register preview, cannot publish"] = lawyer.get(path(1) + "/register")
        published = post_form(lawyer, path(5) + "/register", {"summary": "Samenvatting P3", "action": "publiceren"})
        pages["dossier, just published"] = lawyer.get(published.headers["Location"])
        withdrawn = post_form(lawyer, path(5) + "/register/intrekken", {}, form_path=path(5))
        pages["dossier, just withdrawn"] = lawyer.get(withdrawn.headers["Location"])
        refused = post_form(lawyer, path(5) + "/register/brief", {}, form_path=path(5))
        pages["dossier, joining refused"] = lawyer.get(refused.headers["Location"])
    finally:
        app.config.update(settings)

    version = lambda number, form: re.search(  # noqa: E731
        rf'name="{form}-version"[^>]*value="(\d+)"', lawyer.get(path(number)).get_data(as_text=True)
    )[1]
    details = {
        "gegevens-law_title": "",
        "gegevens-bwb_id": "X1",
        "gegevens-sent_on": "0202-01-01",
        "gegevens-answer_due": "31-02-2026",
        "gegevens-version": version(2, "gegevens"),
    }
    pages["dossier, errors in its details"] = post_form(lawyer, path(2) + "/gegevens", details, form_path=path(2))
    status = {"status-to_status": "", "status-version": version(2, "status")}
    pages["dossier, errors in its status"] = post_form(lawyer, path(2) + "/status", status, form_path=path(2))
    status = {"status-to_status": "answered", "status-text": "Tekst T1", "status-version": version(2, "status")}
    pages["dossier, errors answering"] = post_form(lawyer, path(2) + "/status", status, form_path=path(2))
    note = {"notitie-text": "", "notitie-version": version(1, "notitie")}
    pages["dossier, errors in its note"] = post_form(lawyer, path(1) + "/notitie", note, form_path=path(1))
    stale = version(6, "notitie")
    closed = post_form(
        lawyer,
        path(6) + "/status",
        {"status-to_status": "closed", "status-version": version(6, "status")},
        form_path=path(6),
    )
    pages["dossier, its status changed"] = lawyer.get(closed.headers["Location"])
    pages["dossier, someone else was first"] = post_form(
        lawyer, path(6) + "/notitie", {"notitie-text": "Notitie N2", "notitie-version": stale}, form_path=path(6)
    )
    taken = post_form(lawyer, path(2) + "/oppakken", {"eigenaar-version": version(2, "eigenaar")}, form_path=path(2))
    pages["dossier, taken on"] = lawyer.get(taken.headers["Location"])
    noted = post_form(
        lawyer,
        path(1) + "/notitie",
        {"notitie-text": "Notitie N3", "notitie-version": version(1, "notitie")},
        form_path=path(1),
    )
    pages["dossier, a note added"] = lawyer.get(noted.headers["Location"])

    pages["dossiers"] = lawyer.get("/juridisch/")
    pages["dossiers, filtered"] = lawyer.get("/juridisch/?status=sent")
    pages["dossiers, open and needing attention"] = lawyer.get("/juridisch/?status=open&aandacht=een-van-beide")
    pages["dossiers, sorted"] = lawyer.get("/juridisch/?sorteer=wet&richting=af")
    pages["dossiers, nothing found"] = lawyer.get("/juridisch/?status=rejected&eigenaar=geen")
    pages["dossiers, csv"] = lawyer.get("/juridisch/export.csv")
    pages["dossiers, xlsx"] = lawyer.get("/juridisch/export.xlsx?status=open")

    withheld = app.test_client()
    withheld.post(
        "/inloggen",
        data={"email": "jz-rik@example.test", "password": PASSWORD, "csrf_token": _token(withheld, "/inloggen")},
    )
    pages["dossier, withheld"] = withheld.get(path(1))
    looking = app.test_client()
    looking.post(
        "/inloggen",
        data={"email": "jz-ada@example.test", "password": PASSWORD, "csrf_token": _token(looking, "/inloggen")},
    )
    pages["dossier, read only"] = looking.get(path(3))
    reporter = app.test_client()
    reporter.post(
        "/inloggen",
        data={"email": "jz-pim@example.test", "password": PASSWORD, "csrf_token": _token(reporter, "/inloggen")},
    )
    pages["own report, escalated"] = reporter.get(f"/meldingen/{ids['report 4']}")
    pages["Mijn meldingen, escalated"] = reporter.get("/mijn-meldingen")

    text = {
        page: response.get_data(as_text=True) for page, response in pages.items() if response.mimetype == "text/html"
    }
    assert "rk-withheld" in text["dossier, withheld"], "the dossier was not withheld"
    assert "rk-legal-readonly" in text["dossier, read only"], "the beheerder could act"
    assert "rk-register-count" in text["dossier, answered, in the register"], "no other municipality in the register"
    assert "rk-register-preview" in text["register preview"], "no preview"
    assert "rk-legal-readonly" in text["register preview, cannot publish"], "no problem shown"
    assert "conflict-title" in text["dossier, someone else was first"], "no conflict"
    for page in ("dossier, just published", "dossier, just withdrawn", "dossier, taken on", "dossier, a note added"):
        assert "rk-flash--success" in text[page], f"{page}: no flash"
    assert "rk-flash--error" in text["dossier, joining refused"], "joining a withdrawn dossier's letter was not refused"
    assert "<table" not in text["dossiers, none yet"] and "<table" in text["dossiers"], "the list was not empty first"
    assert "rk-legal-row--attention" in text["dossiers"] and "rk-legal-sort__arrow" in text["dossiers, sorted"]
    return pages


def _register_mode_pages(app) -> dict:
    """The shared register (RODEKNOP_MODE=register): its list of law articles empty and full,
    an article with and without the shared letter, and the beheerder's members page with
    refused requests, its form's errors and the flashes of adding and (de)activating."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.register_signing import Claim, public_key_text
    from app.services.register_book import add_member, apply_join, apply_publish, record_refusal

    def key(seed: int) -> str:
        """A fixed key: a random one may hold a "U" or "je" between its slashes."""
        return public_key_text(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32))

    client = app.test_client()
    pages = {"register, empty": client.get("/register/")}
    with app.app_context():
        make_user("Ada Lambda", email="jz-ada@example.test", roles=("employee", "admin"))
        first = add_member("Gemeente Q1", key(1), actor=None)
        second = add_member("Gemeente Q2", key(2), actor=None)
        for member, dossier_id, (law, bwb_id, article) in (
            (first, 7, ("Participatiewet", "BWBR0015703", "art. 22a")),
            (second, 7, ("Participatiewet", "BWBR0015703", "art. 22a")),
            (second, 8, ("Jeugdwet", "BWBR0034925", None)),
        ):
            entry = {
                "dossier_id": dossier_id,
                "reference": "ESC-0007",
                "law_title": law,
                "bwb_id": bwb_id,
                "article": article,
                "article_key": "22a" if article else "",
                "status": "answered" if member is first else "sent",
                "addressee": "Ministerie M1",
                "summary": "Samenvatting R1",
                "answer_summary": "Samenvatting R2" if member is first else None,
                "created_on": "2026-11-02",
                "sent_on": "2026-11-03" if member is first else None,
                "answer_due": None,
            }
            apply_publish(member, dossier_id, {"sequence": dossier_id, "entry": entry})
        apply_join(first, {"sequence": 2, "bwb_id": "BWBR0015703", "article_key": "22a"})
        apply_join(second, {"sequence": 3, "bwb_id": "BWBR0015703", "article_key": "22a"})
        record_refusal(
            Claim(member="9", date="", digest="", signature=""),
            remote_addr="127.0.0.1",
            method="POST",
            path="/api/v1/register/dossiers/1",
            reason="Handtekening klopt niet.",
        )
        db.session.commit()
        first_id, new_key = first.id, key(3)
    pages["register"] = client.get("/register/")
    pages["register, an article with the shared letter"] = client.get("/register/BWBR0015703/22a")
    pages["register, an article without it"] = client.get("/register/BWBR0034925/-")
    client.post(
        "/inloggen",
        data={"email": "jz-ada@example.test", "password": PASSWORD, "csrf_token": _token(client, "/inloggen")},
    )
    pages["register members"] = client.get("/register/leden")
    pages["register members, errors"] = post_form(client, "/register/leden", {"name": "", "public_key": "x"})
    added = post_form(client, "/register/leden", {"name": "Gemeente Q3", "public_key": new_key})
    pages["register members, one added"] = client.get(added.headers["Location"])
    toggled = post_form(client, f"/register/leden/{first_id}/actief", {}, form_path="/register/leden")
    pages["register members, one made inactive"] = client.get(toggled.headers["Location"])
    text = {page: response.get_data(as_text=True) for page, response in pages.items()}
    assert "<table" not in text["register, empty"] and "<table" in text["register"]
    assert "utrecht-unordered-list" in text["register, an article with the shared letter"], "no shared letter"
    for page in ("register members, one added", "register members, one made inactive"):
        assert "rk-flash--success" in text[page], f"{page}: no flash"
    statuses = {page: response.status_code for page, response in pages.items()}
    assert statuses == {page: 400 if "errors" in page else 200 for page in pages}, statuses
    return {page: _text(response) for page, response in pages.items()}


# Beheer: every page of the administrator's area; and the flash messages of the account gate,
# of one's own account, of logging in and out and of a list too long to download.
CHECKED_ADMIN = {
    "admin.index",
    "admin.users",
    "admin.new_user",
    "admin.edit_user",
    "admin.audit",
    "admin.departments",
    "admin.edit_department",
    "admin.addressees",
    "admin.edit_addressee",
    "admin.webhooks",
    "admin.edit_webhook",
}


def _admin_pages(app, seeded) -> dict:
    """Beheer as a beheerder sees it: the lists, the forms with their errors (the form's and
    the services'), an account holding work (signing in at the municipality, with roles from
    its groups and a second factor), an invited one, a webhook with its delivery log and its
    new secret, the Logboek with entries, filtered and empty, and pages not found; what the
    account gate says to a user who must first choose a password or set up the second factor;
    the flash messages of changing one's password, logging out, a login that took too long
    and a list too long to download. The names typed avoid the words the checks look for."""
    from app import export
    from app.models import Addressee, Department, WebhookDelivery
    from app.services.audit import record_audit
    from app.services.users import unusable_password
    from tests.factories import make_dossier, webhook_params

    with app.app_context():
        for number, addressee in enumerate(db.session.scalars(db.select(Addressee).order_by(Addressee.id))):
            addressee.name = f"Instantie Q{number}"  # the starting list's names are Dutch
        admin = make_user("Ada Omega", email="ada@example.test", roles=("employee", "admin"))
        holder = make_user("Hugo Kappa", email="hugo@example.test", roles=("employee", "coach", "legal"))
        holder.oidc_issuer, holder.oidc_subject = "https://idp.example.test", "kappa"
        next(row for row in holder.role_rows if row.role == "legal").from_provider = True
        reporter = make_user("Rik Sigma", email="rik@example.test")
        for n in range(2):
            take_on(make_report(reporter, rule=f"Formulier R{n}", problem=f"Probleem R{n}"), holder)
        make_dossier(make_report(reporter, rule="Formulier S1", problem="Probleem S1")).owner = holder
        enable_second_factor(holder)
        invited = make_user("Iris Lambda", email="iris@example.test")
        invited.password_hash = unusable_password()
        gone = make_user("Tijn Tau", email="tijn@example.test", active=False)
        make_user("Tom Mu", email="tom@example.test").must_choose_password = True
        make_user("Eli Nu", email="eli@example.test", roles=("employee", "executive"))
        hooks = webhook_params(make_report(reporter, rule="Formulier W1", problem="Probleem W1"), admin)
        held = db.session.get(WebhookDelivery, hooks["delivery_id"])  # held with a weekly session's mail
        held.hold_group, held.next_attempt_at = "session-1", utcnow() + timedelta(hours=1)
        record_audit("login", result="failed")  # an unknown account
        record_audit("mfa_reset", object_type="user", object_id=holder.id)  # the command line
        db.session.commit()
        ids = {"holder": holder.id, "invited": invited.id, "gone": gone.id, "admin": admin.id, **hooks}
        department = db.session.scalar(db.select(Department.id).order_by(Department.id))
        addressee = db.session.scalar(db.select(Addressee.id).order_by(Addressee.id))
    client = app.test_client()
    client.post(
        "/inloggen", data={"email": "ada@example.test", "password": PASSWORD, "csrf_token": _token(client, "/inloggen")}
    )
    holder_page = f"/beheer/gebruikers/{ids['holder']}"
    pages = {"beheer": client.get("/beheer/", follow_redirects=True)}
    pages["beheer, users"] = client.get("/beheer/gebruikers")
    pages["beheer, new user"] = client.get("/beheer/gebruikers/nieuw")
    pages["beheer, new user, errors"] = post_form(client, "/beheer/gebruikers/nieuw", {"name": "", "email": ""})
    pages["beheer, new user, errors from the service"] = post_form(
        client, "/beheer/gebruikers/nieuw", {"name": "Ko Delta", "email": "ko@example.test", "roles": ["employee"]}
    )
    pages["beheer, user holding work"] = client.get(holder_page)
    pages["beheer, user holding work, errors"] = post_form(
        client, holder_page, {"name": "Hugo Kappa", "email": "hugo@example.test", "roles": ["employee"]}
    )
    pages["beheer, user, second factor, errors"] = post_form(
        client, f"{holder_page}/tweestapsverificatie", {}, form_path=holder_page
    )
    post_form(client, f"{holder_page}/tweestapsverificatie", {"confirm": "y"}, form_path=holder_page)
    pages["beheer, user, second factor cleared"] = client.get(holder_page)
    invited_page = f"/beheer/gebruikers/{ids['invited']}"
    pages["beheer, invited user"] = client.get(invited_page)
    post_form(client, f"{invited_page}/wachtwoordlink", {}, form_path=invited_page)
    pages["beheer, invited user, invitation sent again"] = client.get(invited_page)
    gone_page = f"/beheer/gebruikers/{ids['gone']}"
    pages["beheer, user, password link errors"] = post_form(
        client, f"{gone_page}/wachtwoordlink", {}, form_path=gone_page
    )
    own_page = f"/beheer/gebruikers/{ids['admin']}"
    pages["beheer, own account, errors"] = post_form(
        client, own_page, {"name": "Ada Omega", "email": "ada@example.test", "roles": ["employee"], "active": "y"}
    )
    pages["beheer, departments"] = client.get("/beheer/afdelingen")
    pages["beheer, departments, errors"] = post_form(client, "/beheer/afdelingen", {"name": ""})
    pages["beheer, departments, errors from the service"] = post_form(
        client, "/beheer/afdelingen", {"name": "Burgerzaken"}
    )
    pages["beheer, department"] = client.get(f"/beheer/afdelingen/{department}")
    pages["beheer, department, errors"] = post_form(client, f"/beheer/afdelingen/{department}", {"name": ""})
    pages["beheer, addressees"] = client.get("/beheer/geadresseerden")
    pages["beheer, addressees, errors"] = post_form(client, "/beheer/geadresseerden", {"name": "", "kind": ""})
    pages["beheer, addressees, errors from the service"] = post_form(
        client, "/beheer/geadresseerden", {"name": "Instantie Q0", "kind": "ministry"}
    )
    pages["beheer, addressee"] = client.get(f"/beheer/geadresseerden/{addressee}")
    pages["beheer, addressee, errors"] = post_form(
        client, f"/beheer/geadresseerden/{addressee}", {"name": "", "kind": "other"}
    )
    webhook_page = f"/beheer/webhooks/{ids['webhook_id']}"
    pages["beheer, webhooks"] = client.get("/beheer/webhooks")
    pages["beheer, webhooks, errors"] = post_form(client, "/beheer/webhooks", {"url": ""})
    pages["beheer, webhooks, errors from the service"] = post_form(
        client, "/beheer/webhooks", {"url": "ftp://hooks.example.test/q", "events": ["report.created"]}
    )
    pages["beheer, webhook registered, its secret"] = post_form(
        client, "/beheer/webhooks", {"url": "http://127.0.0.1:9/q", "events": ["report.created"], "active": "y"}
    )
    pages["beheer, webhook"] = client.get(webhook_page)
    pages["beheer, webhook, errors"] = post_form(client, webhook_page, {"url": "http://127.0.0.1:9/q#x"})
    post_form(client, f"{webhook_page}/berichten/{ids['delivery_id']}/opnieuw", {}, form_path=webhook_page)
    pages["beheer, webhook, a held message not sent again"] = client.get(webhook_page)
    pages["beheer, Logboek"] = client.get("/beheer/logboek")
    pages["beheer, Logboek, filtered"] = client.get("/beheer/logboek?actie=login")
    pages["beheer, Logboek, nothing of this kind"] = client.get("/beheer/logboek?actie=register_member_added")
    pages["beheer, Logboek, past the end"] = client.get("/beheer/logboek?pagina=9")
    for kind, path in (("user", "gebruikers"), ("department", "afdelingen"), ("addressee", "geadresseerden")):
        pages[f"beheer, {kind} not found"] = client.get(f"/beheer/{path}/99999")
    pages["beheer, webhook not found"] = client.get("/beheer/webhooks/99999")
    # A list too long to download: back to the list, with why.
    limit, export.EXPORT_MAX_ROWS = export.EXPORT_MAX_ROWS, 1
    try:
        client.get("/meldingen/export.csv")
    finally:
        export.EXPORT_MAX_ROWS = limit
    pages["flash, a list too long to download"] = client.get("/meldingen")
    # The account gate: a temporary password, and a role that requires the second factor.
    required, app.config["MFA_REQUIRED_ROLES"] = app.config["MFA_REQUIRED_ROLES"], ("executive",)
    try:
        gated = {}
        for email, page in (
            ("tom@example.test", "choose own password"),
            ("eli@example.test", "second factor required"),
        ):
            gated[email] = app.test_client()
            gated[email].post(
                "/inloggen",
                data={"email": email, "password": PASSWORD, "csrf_token": _token(gated[email], "/inloggen")},
            )
            pages[f"account gate, {page}"] = gated[email].get("/", follow_redirects=True)
    finally:
        app.config["MFA_REQUIRED_ROLES"] = required
    # One's own password (the service's rule, then changed), logging out, a login that took too long.
    tom = gated["tom@example.test"]
    pages["own password, errors from the service"] = post_form(
        tom, "/wachtwoord", {"current": PASSWORD, "password": "Kort7"}
    )
    post_form(tom, "/wachtwoord", {"current": PASSWORD, "password": "Zinnetje Z9 Y8 X7 W6"})
    pages["flash, own password changed"] = tom.get("/")
    post_form(tom, "/uitloggen", {}, form_path="/")
    pages["flash, logged out"] = tom.get("/inloggen")
    post_form(tom, "/inloggen/code", {"code": "123456"}, form_path="/inloggen")
    pages["flash, login took too long"] = tom.get("/inloggen")
    texts = {page: response.get_data(as_text=True) for page, response in pages.items()}
    assert 'id="overdragen-uitleg"' in texts["beheer, user holding work"], "the account holds no work"
    assert (
        'id="tweestaps-titel"' in texts["beheer, user holding work"]
        and 'id="gemeente-titel"' in texts["beheer, user holding work"]
    ), "the account lacks a state to check"
    assert "rk-flash--success" in texts["beheer, user, second factor cleared"], "the second factor was not cleared"
    assert "rk-flash--success" in texts["beheer, invited user, invitation sent again"], "no invitation sent"
    assert "<table" in texts["beheer, Logboek"] and "<table" not in texts["beheer, Logboek, past the end"]
    assert "rk-flash--error" in texts["beheer, webhook, a held message not sent again"], "the message was sent"
    assert 'class="rk-secret"' in texts["beheer, webhook registered, its secret"], "no secret shown"
    for page in ("choose own password", "second factor required"):
        assert "rk-flash--info" in texts[f"account gate, {page}"], f"the gate said nothing: {page}"
    assert "rk-flash--error" in texts["flash, a list too long to download"], "the list was downloaded"
    assert "rk-flash--success" in texts["flash, own password changed"], "the password was not changed"
    for page in ("logged out", "login took too long"):
        assert "rk-flash--info" in texts[f"flash, {page}"], f"nothing said: {page}"
    return pages


# --- open data and single sign-on (wrap-insight) ---------------------------------------------

CHECKED_OPENDATA = {
    "opendata.index",
    # The files: a public data contract, never translated (app/opendata/data.py); checked below
    # to carry the same field names whatever the catalog.
    "opendata.reports_csv",
    "opendata.reports_json",
    "opendata.dossiers_csv",
    "opendata.dossiers_json",
}


def _opendata_pages(app, seeded) -> dict:
    """The open data page as a coach sees it; its files keep their field names in every catalog."""
    from app.opendata.data import DATA_SETS

    coach = app.test_client()
    coach.post(
        "/inloggen", data={"email": "eva@example.test", "password": PASSWORD, "csrf_token": _token(coach, "/inloggen")}
    )
    pages = {"open data": coach.get("/open-data/")}
    for data_set in DATA_SETS.values():
        names = [field.name for field in data_set.fields]
        csv_file = coach.get(f"/open-data/{data_set.name}.csv")
        assert csv_file.status_code == 200 and csv_file.get_data(as_text=True).split("\r\n")[0] == ",".join(names)
        json_file = coach.get(f"/open-data/{data_set.name}.json")
        assert json_file.status_code == 200 and json_file.get_json()["dataset"] == data_set.name
    assert "<code>hours_saved_staff_per_year</code>" in pages["open data"].get_data(as_text=True)
    return pages


CHECKED_SSO = {"sso.start", "sso.callback"}
# The refusal pages' statuses (app/auth/sso.py).
SSO_STATUSES = {
    "single sign-on, the provider cannot be reached": 503,
    "single sign-on, refused at the provider": 400,
    "single sign-on, the provider gave an error": 502,
    "single sign-on, attempt expired": 400,
}


def _sso_pages(app, seeded) -> dict:
    """Single sign-on's refusal pages, with a provider that cannot be reached (the refusals of
    a real provider's answers are in tests/test_sso_refusals.py; their texts are in the
    catalogs, see test_english_is_complete_and_je_overrides_every_u)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings = {name: app.config[name] for name in ("TONE", "LANGUAGE")}
    sso = _app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        OIDC_ISSUER=f"http://127.0.0.1:{closed}",
        OIDC_CLIENT_ID="rodeknop",
        OIDC_CLIENT_SECRET="geheim",
        OIDC_TIMEOUT=2,
        **settings,
    )
    client = sso.test_client()
    pages = {"single sign-on, the provider cannot be reached": client.get("/inloggen/gemeente")}
    pages["single sign-on, refused at the provider"] = client.get("/inloggen/gemeente/terug?error=access_denied")
    pages["single sign-on, the provider gave an error"] = client.get("/inloggen/gemeente/terug?error=server_error")
    pages["single sign-on, attempt expired"] = client.get("/inloggen/gemeente/terug")
    pages["login, with single sign-on"] = client.get("/inloggen")
    with sso.app_context():
        db.engine.dispose()  # its own connections (the rendered pages' app empties the tables)
    return pages


# --- the API's pages and answers (wrap-insight) -----------------------------------------------

CHECKED_API = {
    "api_keys.mine",
    "api_keys.admin",
    "api_docs.page",
    "api.similar",
    "api.report",
    "api.my_reports",
    "api.board_columns",
    "api.board_column",
    "api.statistics",
}
API_STATUSES = {
    "API problem, no key": 401,
    "API problem, key not valid": 401,
    "API problem, permission missing": 403,
    "API problem, not found": 404,
    "API problem, method not allowed": 405,
    "API problem, not JSON": 415,
    "API problem, unreadable JSON": 400,
    "API problem, cursor not valid": 400,
    "API problem, fields not filled in correctly": 422,
    "API problem, stale version": 409,
    "API problem, statistics of a period not valid": 422,
}


def _api_pages(app, seeded) -> dict:
    """The API-key pages (Mijn instellingen: none, errors, made, listed, revoked; Beheer:
    every key, errors, an integration made), the documentation page, and the API's answers:
    its problem+json texts and the labels in its reports and board (in the token user's
    language, here the municipality's)."""
    from app.models import User
    from tests.api_helpers import bearer, token_for

    with app.app_context():
        make_user("Bram Omega", email="bram@example.test", roles=("employee", "admin"))
        db.session.commit()
        reporter = db.session.scalar(db.select(User).where(User.email == "sanne@example.test"))
        coach = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        mine, triage = bearer(token_for(reporter, name="Script R1")), bearer(token_for(coach, name="Script R2"))
    employee, admin = app.test_client(), app.test_client()
    for client, email in ((employee, "sanne@example.test"), (admin, "bram@example.test")):
        client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": _token(client, "/inloggen")})
    keys = "/instellingen/api-sleutels"
    pages = {"API keys": employee.get(keys)}
    pages["API keys, errors"] = post_form(employee, keys, {"name": "", "days": "90"})
    pages["API key made"] = post_form(employee, keys, {"name": "Script Q1", "scopes": ["read"], "days": "90"})
    pages["API keys, with keys"] = employee.get(keys)
    made = re.search(r"/instellingen/api-sleutels/(\d+)/intrekken", pages["API keys, with keys"].get_data(as_text=True))
    revoked = post_form(employee, f"{keys}/{made[1]}/intrekken", {"terug": "mijn"}, form_path=keys)
    pages["API keys, a key revoked"] = employee.get(revoked.headers["Location"])
    pages["API documentation"] = employee.get("/api/v1/docs")
    pages["API keys, Beheer"] = admin.get("/beheer/api-sleutels")
    pages["API keys, Beheer, errors"] = post_form(admin, "/beheer/api-sleutels", {"account": "", "name": ""})
    pages["API key made, an integration"] = post_form(
        admin,
        "/beheer/api-sleutels",
        {"account": "Systeem Z1", "roles": ["employee"], "name": "Script Q2", "scopes": ["read"], "days": "365"},
    )
    api = app.test_client()
    pages["API problem, no key"] = api.get("/api/v1/me/reports")
    pages["API problem, key not valid"] = api.get("/api/v1/me/reports", headers=bearer("rk_nonsense"))
    pages["API problem, permission missing"] = api.get("/api/v1/board", headers=mine)
    pages["API problem, not found"] = api.get("/api/v1/reports/RK-1999-9999", headers=mine)
    pages["API problem, method not allowed"] = api.delete("/api/v1/reports", headers=mine)
    pages["API problem, not JSON"] = api.post("/api/v1/reports", data={"rule": "x"}, headers=mine)
    pages["API problem, unreadable JSON"] = api.post(
        "/api/v1/reports", data="{", headers={**mine, "Content-Type": "application/json"}
    )
    pages["API problem, cursor not valid"] = api.get("/api/v1/me/reports?cursor=nonsense", headers=mine)
    pages["API problem, fields not filled in correctly"] = api.post(
        "/api/v1/reports", json={"rule": 5, "problem": "", "extra": True}, headers=mine
    )
    pages["API, my reports"] = api.get("/api/v1/me/reports", headers=mine)
    pages["API, a report with its timeline"] = api.get(f"/api/v1/reports/{seeded['reference']}", headers=mine)
    pages["API, similar reports"] = api.get("/api/v1/reports/similar?rule=Formulier+A12", headers=mine)
    pages["API, the board"] = api.get("/api/v1/board", headers=triage)
    pages["API, a column of the board"] = api.get("/api/v1/board/columns/nieuw", headers=triage)
    pages["API, statistics"] = api.get("/api/v1/statistics", headers=triage)
    pages["API problem, statistics of a period not valid"] = api.get(
        "/api/v1/statistics?van=2026-06-01&tot=2026-01-01", headers=triage
    )
    card = pages["API, a column of the board"].get_json()["items"][-1]
    pages["API problem, stale version"] = api.post(
        f"/api/v1/reports/{card['reference']}/take-on", json={"version": card["version"] + 5}, headers=triage
    )
    made = pages["API key made"].get_data(as_text=True)
    assert 'value="rk_' in made and 'value="rk_' in pages["API key made, an integration"].get_data(as_text=True)
    assert "rk-flash--success" in pages["API keys, a key revoked"].get_data(as_text=True), "no key was revoked"
    assert pages["API problem, fields not filled in correctly"].get_json()["errors"], "no field errors"
    assert pages["API, a report with its timeline"].get_json()["timeline"], "no timeline"
    return pages


# --- Inzicht (wrap-insight) ---------------------------------------------------------------------

CHECKED_INSIGHT = {"insight.index", "insight.download"}


def _insight_pages(app, seeded) -> dict:
    """Inzicht as a coach sees it: the last twelve months (figures with data and without),
    one department, a period without reports, the filters' errors, and figures as CSV."""
    from app.models import Department

    with app.app_context():
        department = db.session.scalar(db.select(Department.id).where(Department.name == "Burgerzaken"))
    coach = app.test_client()
    coach.post(
        "/inloggen", data={"email": "eva@example.test", "password": PASSWORD, "csrf_token": _token(coach, "/inloggen")}
    )
    pages = {"Inzicht": coach.get("/inzicht/")}
    pages["Inzicht, one department"] = coach.get(f"/inzicht/?afdeling={department}")
    pages["Inzicht, a period without reports"] = coach.get("/inzicht/?van=2020-01-01&tot=2020-12-31")
    pages["Inzicht, errors: the last day first"] = coach.get("/inzicht/?van=2026-06-01&tot=2026-01-01")
    pages["Inzicht, errors: a period too long"] = coach.get("/inzicht/?van=2015-01-01&tot=2026-01-01")
    for figure in ("instroom", "doorlooptijden", "uitkomsten-herkomst", "merkbaar-beter"):
        pages[f"Inzicht, {figure} as CSV"] = coach.get(f"/inzicht/download.csv?figuur={figure}")
    full, empty = (
        pages["Inzicht"].get_data(as_text=True),
        pages["Inzicht, a period without reports"].get_data(as_text=True),
    )
    assert "rk-chart" in full and "rk-insight-empty" in full, "Inzicht lacks a figure with data or one without"
    assert "rk-chart" not in empty and "rk-insight-empty" in empty, "the empty period has figures"
    assert 'aria-current="true"' in full, "no preset period is the current one"
    return pages


# --- the API's dossiers and the OpenAPI document (wrap-apidocs) --------------------------------

CHECKED_API_DOSSIERS = {"api.dossiers", "api.dossier", "api.dossier_timeline", "api-docs.openapi_json"}
# Where the OpenAPI document keeps what a reader reads (info's title and description, tags',
# operations', responses', schemas' and parameters' descriptions, the token's format).
DOCUMENT_TEXTS = ("title", "summary", "description", "bearerFormat")


def _document_texts(value, key=None):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _document_texts(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _document_texts(item, key)
    elif isinstance(value, str) and key in DOCUMENT_TEXTS:
        yield value


def _as_document_page(response):
    """The OpenAPI document as its reader reads it: its human-readable texts, each a
    paragraph (its paths, field names and codes are not text)."""
    from html import escape

    document = response.get_json()
    operations = [item for path in document["paths"].values() for key, item in path.items() if key != "parameters"]
    assert operations and all(operation.get("summary") for operation in operations), "an operation without a summary"
    texts = sorted(set(_document_texts(document)))
    page = "".join(f"<p>{escape(text)}</p>" for text in texts)
    return flask.Response(page, status=response.status_code, mimetype="text/html")


def _api_dossier_pages(app, seeded) -> dict:
    """The API's dossiers as Juridische Zaken reads them with a token: the list and its next
    page, every dossier (those _dossier_pages made and one more: every status) with its
    timeline (the texts Rode Knop wrote there, app.i18n.StoredText), and an escalated report
    with its dossier's steps, in the token user's language (here the municipality's); and the
    OpenAPI document as it is served and as the documentation page asks for it, reduced to
    its texts."""
    from html import unescape

    from app.i18n import shown_text
    from app.models import Dossier, User
    from app.models.dossier import DossierStatus
    from app.services.dossiers import CREATED, LegalReference, change_dossier_status, update_dossier
    from tests.api_helpers import bearer, token_for
    from tests.factories import first_addressee_id

    with app.app_context():
        lawyer, coach, colleague = (
            db.session.scalar(db.select(User).where(User.email == f"jz-{name}@example.test"))
            for name in ("lena", "cas", "pim")
        )
        # The one status _dossier_pages leaves no dossier in (its law_changed one is closed).
        report = make_report(colleague, rule="Formulier Z8", problem="Probleem Z8")
        reference = LegalReference("Kieswet", "BWBR0004627", "art. 8")
        decide_report(report, actor=coach, outcome="escalated", explanation="Uitleg Z8", legal=reference)
        today = utcnow().date()
        update_dossier(
            report.dossier,
            actor=lawyer,
            reference=reference,
            addressee_id=first_addressee_id(),
            channel="Brief B2",
            sent_on=today - timedelta(days=20),
            answer_due=today + timedelta(days=10),
            follow_up_on=today,
            owner_id=lawyer.id,
        )
        change_dossier_status(report.dossier, "sent", actor=lawyer)
        change_dossier_status(
            report.dossier, "answered", actor=lawyer, answer="Antwoord A3", answer_summary="Samenvatting A4"
        )
        change_dossier_status(report.dossier, "law_changed", actor=lawyer)
        db.session.commit()
        legal = bearer(token_for(lawyer, name="Script R3"))
        ids = list(db.session.scalars(db.select(Dossier.id).order_by(Dossier.id)))
    api = app.test_client()
    pages = {"API, the dossiers": api.get("/api/v1/dossiers", headers=legal)}
    first = api.get("/api/v1/dossiers?limit=2", headers=legal).get_json()
    pages["API, the dossiers, the next page"] = api.get(
        f"/api/v1/dossiers?limit=2&cursor={first['next_cursor']}", headers=legal
    )
    for number, dossier_id in enumerate(ids, start=1):
        pages[f"API, dossier {number}"] = api.get(f"/api/v1/dossiers/{dossier_id}", headers=legal)
        pages[f"API, dossier {number}, its timeline"] = api.get(
            f"/api/v1/dossiers/{dossier_id}/timeline", headers=legal
        )
    # Every status, labelled as the catalog says (Dutch labels have none of the words the
    # English check looks for).
    labels = {
        answer["status"]: answer["status_label"]
        for answer in (pages[f"API, dossier {number}"].get_json() for number in range(1, len(ids) + 1))
    }
    with app.test_request_context():
        assert labels == {status.value: status.label for status in DossierStatus}, labels
    answered = pages["API, dossier 3"].get_json()["reports"][0]["reference"]
    pages["API, an escalated report with its dossier's steps"] = api.get(f"/api/v1/reports/{answered}", headers=legal)
    # The texts Rode Knop wrote on a timeline are there, as the pages show them (shown_text).
    texts = [item["text"] for item in pages["API, dossier 1, its timeline"].get_json()["items"]]
    with app.test_request_context():
        stored = [event.text for event in db.session.get(Dossier, ids[0]).events]
        assert any(CREATED.pattern.match(text or "") for text in stored), "no text Rode Knop wrote on the timeline"
        assert texts == [shown_text(text) for text in stored], texts
    reader = app.test_client()
    reader.post(
        "/inloggen",
        data={"email": "jz-lena@example.test", "password": PASSWORD, "csrf_token": _token(reader, "/inloggen")},
    )
    spec_url = re.search(r'data-spec-url="([^"]+)"', reader.get("/api/v1/docs").get_data(as_text=True))[1]
    pages["OpenAPI document"] = _as_document_page(api.get("/api/v1/openapi.json"))
    pages["OpenAPI document, as the documentation page asks for it"] = _as_document_page(api.get(unescape(spec_url)))
    return pages


def test_the_apis_dossiers_and_document_follow_the_readers_language(database_url):
    """A Dutch municipality: a lawyer who chose English reads a dossier's status and the
    texts Rode Knop wrote on its timeline in English through the API, and the documentation
    page gives them the English document; a Dutch lawyer's token reads them in Dutch, as
    stored; the document without ?taal= (or with a language not on offer) is Dutch."""
    from html import unescape

    from app.models import User
    from tests.api_helpers import bearer, token_for
    from tests.factories import make_dossier

    app = _app(database_url)
    try:
        with app.app_context():
            english = make_user("Lin Gamma", email="lin@example.test", roles=("employee", "legal"))
            english.language = "en"
            make_user("Ko Delta", email="ko@example.test", roles=("employee", "legal"))
            dossier = make_dossier(make_report(english, rule="Formulier A12", problem="Probleem B7"))
            db.session.commit()
            dossier_id, reference = dossier.id, dossier.reports[0].reference
            tokens = {
                email: bearer(token_for(db.session.scalar(db.select(User).where(User.email == email))))
                for email in ("lin@example.test", "ko@example.test")
            }
        api = app.test_client()
        read = lambda email, path: api.get(path, headers=tokens[email]).get_json()  # noqa: E731
        assert read("lin@example.test", f"/api/v1/dossiers/{dossier_id}")["status_label"] == "Being prepared"
        assert read("ko@example.test", f"/api/v1/dossiers/{dossier_id}")["status_label"] == "In voorbereiding"
        created = f"Dossier aangemaakt bij het escaleren van {reference}."
        dutch = [item["text"] for item in read("ko@example.test", f"/api/v1/dossiers/{dossier_id}/timeline")["items"]]
        assert created in dutch
        texts = [item["text"] for item in read("lin@example.test", f"/api/v1/dossiers/{dossier_id}/timeline")["items"]]
        assert created not in texts and len(texts) == len(dutch), texts
        reader = app.test_client()
        reader.post(
            "/inloggen",
            data={"email": "lin@example.test", "password": PASSWORD, "csrf_token": _token(reader, "/inloggen")},
        )
        spec_url = re.search(r'data-spec-url="([^"]+)"', reader.get("/api/v1/docs").get_data(as_text=True))[1]
        summary = lambda path: api.get(path).get_json()["paths"]["/api/v1/reports"]["post"]["summary"]  # noqa: E731
        assert summary(unescape(spec_url)) == "Submit a report."
        assert summary("/api/v1/openapi.json") == summary("/api/v1/openapi.json?taal=xx") == "Een melding doen."
    finally:
        _empty_tables(app)


def _token(client, path):
    from tests.conftest import csrf_token

    return csrf_token(client, path)


@pytest.fixture(params=list(CATALOGS))
def rendered(request, database_url, looked_up):
    app = _app(database_url, **CATALOGS[request.param])
    try:
        seeded = _seed(app)
        pages = _pages(app.test_client(), seeded)
        pages.update(_mails(app, seeded))
    finally:
        _empty_tables(app)
    return request.param, pages, set(looked_up)


def test_pages_come_from_the_catalog(rendered):
    name, pages, looked_up = rendered
    _assert_from_the_catalog(name, pages, looked_up)
    if name == "en":  # the estimates, with their hours in plural forms, were there to check
        assert "360 hours a year (estimated)" in visible_text(pages["own report"])
        assert "an estimated 12 hours a year saved" in visible_text(pages["Wat we ontregelden"])


@pytest.mark.parametrize("catalog", list(CATALOGS))
def test_register_mode_pages_come_from_the_catalog(catalog, database_url, looked_up):
    """The shared register's own app (RODEKNOP_MODE=register) is not the installation the
    test above renders: its pages, in each catalog, with the same checks."""
    app = _app(database_url, MODE="register", **CATALOGS[catalog])
    try:
        pages = _register_mode_pages(app)
    finally:
        _empty_tables(app)
    _assert_from_the_catalog(catalog, pages, set(looked_up))


def _assert_from_the_catalog(name, pages, looked_up):
    """Every text looked up is in the catalogs (English: translated); no "u" in the je
    output, no "je" in the u output, no Dutch in the English output."""
    assert looked_up, "no text was looked up in a catalog"
    extracted = {_key(m) for m in _catalog(POT) if m.id}
    missing = sorted(looked_up - extracted)
    assert not missing, f"looked up but not in the catalogs (run make catalogs-update): {missing}"
    if name == "en":
        english = _translated(_catalog(EN_PO))
        untranslated = sorted(message for message in looked_up if message not in english)
        assert not untranslated, f"no English translation for: {untranslated}"
    for page, html in pages.items():
        text = visible_text(html)
        if name == "nl-je":
            assert not FORMAL.findall(text), f"{page}: 'u' in the je catalog's output: {text}"
        else:
            assert not INFORMAL.findall(text), f"{page}: 'je' in the u catalog's output: {text}"
        if name == "en":
            assert not DUTCH.findall(text), f"{page}: Dutch left in the English output: {text}"


def test_every_page_is_checked_or_listed_as_not_yet_wrapped():
    app = _app("sqlite://")
    checked = {
        "main.index",
        "main.accessibility",
        "main.embed",
        "reports.new",
        "reports.confirmation",
        "reports.mine",
        "reports.detail",
        "reports.support",
        "results.index",
        "auth.login",
        "auth.settings",
        "auth.change_password",
        "auth.choose_password",
        "auth.password_forgotten_page",
        "auth.second_factor",
        "auth.two_factor",
        "auth.logout",
        "board.index",
        "board.move",
        "reports.index",
        "reports.export_csv",
        "reports.export_xlsx",
        "checkback.answer",
        "checkback.thanks",
    } | CHECKED_ADMIN
    checked |= CHECKED_DOSSIERS | CHECKED_OPENDATA | CHECKED_SSO | CHECKED_API | CHECKED_INSIGHT
    checked |= CHECKED_PANEL | CHECKED_SESSION | CHECKED_API_DOSSIERS
    listed = tuple(prefix for prefixes in NOT_YET_WRAPPED.values() for prefix in prefixes)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    forgotten = sorted(
        endpoint
        for endpoint in endpoints - checked
        if endpoint not in NOT_PAGES and not endpoint.startswith(listed) and endpoint not in listed
    )
    assert not forgotten, f"pages neither checked in each catalog nor listed in NOT_YET_WRAPPED: {forgotten}"


def test_catalogs_are_up_to_date_with_the_sources(tmp_path):
    """What `make catalogs-extract` would write has the same messages as the committed
    template, and both catalogs have exactly those messages."""
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "-o",
            str(fresh),
            "app",
            "templates",
        ],
        cwd=ROOT,
        check=True,
    )
    ids = lambda path: {m.id for m in _catalog(path) if m.id}  # noqa: E731
    expected = ids(fresh)
    for path in (POT, EN_PO, JE_PO):
        assert ids(path) == expected, (
            f"{path.relative_to(ROOT)} is out of date: run make catalogs-update "
            f"(new: {sorted(map(str, expected - ids(path)))}; gone: {sorted(map(str, ids(path) - expected))})"
        )


def test_english_is_complete_and_je_overrides_every_u():
    english = _catalog(EN_PO)
    untranslated = sorted(_key(m) for m in english if m.id and _key(m) not in _translated(english))
    assert not untranslated, f"English catalog: untranslated {untranslated}"
    je = _catalog(JE_PO)
    informal = _translated(je)
    for message in je:
        if not message.id:
            continue
        texts = message.id if isinstance(message.id, tuple) else (message.id,)
        if any(FORMAL.search(text) for text in texts):
            assert _key(message) in informal, f"je catalog: no informal text for {_key(message)!r}"
        if _key(message) in informal:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert not any(FORMAL.search(text) for text in strings), f"je catalog: still 'u' in {strings}"
    for catalog in (english, je):
        problems = [(_key(message), errors) for message, errors in catalog.check() if errors]
        assert not problems, f"placeholders that differ from the msgid: {problems}"


def test_the_language_is_the_users_choice(database_url):
    """Mijn instellingen: English for this user only; <html lang> follows; back to the
    municipality's language."""
    app = _app(database_url)
    try:
        with app.app_context():
            make_user("Lin Gamma", email="lin@example.test")
            make_user("Ko Delta", email="ko@example.test")
            db.session.commit()
        lin, ko = app.test_client(), app.test_client()
        for client, email in ((lin, "lin@example.test"), (ko, "ko@example.test")):
            client.post(
                "/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": _token(client, "/inloggen")}
            )
        # The mail choices not sent stay as they were.
        saved = post_form(lin, "/instellingen", {"language": "en"})
        assert saved.status_code == 303
        page = lin.get("/mijn-meldingen").get_data(as_text=True)
        assert '<html lang="en"' in page and "My reports" in page and "Your choices for e-mail have been saved." in page
        other = ko.get("/mijn-meldingen").get_data(as_text=True)
        assert '<html lang="nl"' in other and "Mijn meldingen" in other
        post_form(lin, "/instellingen", {"language": ""})
        assert '<html lang="nl"' in lin.get("/").get_data(as_text=True)
        refused = post_form(lin, "/instellingen", {"language": "xx"})
        assert refused.status_code == 400
    finally:
        _empty_tables(app)


def test_a_mail_is_in_the_recipients_language(database_url):
    """A coach working in Dutch posts an update; the reporter who chose English gets the mail
    rendered in English (its <html lang>), a Dutch colleague who supports it in Dutch."""
    from app.models import OutboxMessage
    from app.services.workflow import post_update

    app = _app(database_url)
    try:
        with app.app_context():
            reporter = make_user("Lin Gamma", email="lin@example.test")
            reporter.language = "en"
            supporter = make_user("Ko Delta", email="ko@example.test")
            coach = make_user("Eva Epsilon", email="eva@example.test", roles=("employee", "coach"))
            report = make_report(reporter, rule="Formulier A12", problem="Probleem B7")
            make_support(supporter, report)
            db.session.commit()
            post_update(report, actor=coach, text="Notitie E1")
            db.session.commit()
            bodies = {
                message.to_address: message.body_html
                for message in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind != "account"))
            }
        assert '<html lang="en">' in bodies["lin@example.test"]
        assert '<html lang="nl">' in bodies["ko@example.test"]
    finally:
        _empty_tables(app)


def test_every_mail_is_in_its_recipients_language_whoever_sends_it(database_url):
    """Mails queued during the request of someone who reads English go out in Dutch to a
    Dutch reader, subject and names included, and the other way round."""
    from flask_login import login_user

    from app.models import OutboxMessage
    from app.services.users import send_password_reset
    from app.services.workflow import assign_report

    app = _app(database_url)
    try:
        with app.app_context():
            english = make_user("Lin Gamma", email="lin@example.test", roles=("employee", "coach", "admin"))
            english.language = "en"
            dutch = make_user("Ko Delta", email="ko@example.test", roles=("employee", "coach"))
            reader = make_user("Eva Epsilon", email="eva@example.test", roles=("employee", "coach"))
            reader.language = "en"
            report = make_report(reader, rule="Formulier A12", problem="Probleem B7")
            db.session.commit()
            reference = report.reference
            with app.test_request_context("/", method="POST"):
                login_user(english)
                assert flask_babel.gettext("Beste %(name)s,", name="x") == "Dear x,"  # the sender reads English
                assign_report(report, dutch, actor=english)
                send_password_reset(dutch, actor=english)
            with app.test_request_context("/", method="POST"):
                login_user(dutch)
                send_password_reset(reader, actor=dutch)
            db.session.commit()
            mails = {
                (message.to_address, message.subject): message
                for message in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))
            }
        to_dutch = mails["ko@example.test", f"{reference} is aan u toegewezen"]
        assert '<html lang="nl">' in to_dutch.body_html and "Lin Gamma heeft melding" in to_dutch.body_text
        reset = mails["ko@example.test", "Kies een nieuw wachtwoord voor Rode Knop"]
        assert "De beheerder van Rode Knop heeft een link voor u aangevraagd" in reset.body_text
        # The reporter reads English: the update about their report and their reset link.
        update = mails["eva@example.test", f"{reference}: a coach follows it up"]
        assert '<html lang="en">' in update.body_html and "Ko Delta" in update.body_text
        reset = mails["eva@example.test", "Choose a new password for Rode Knop"]
        assert "The administrator of Rode Knop has requested a link for you" in reset.body_text
    finally:
        _empty_tables(app)

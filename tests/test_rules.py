"""One home for every domain rule (STYLE.md): each rule is defined once, next to the object
it is about, and every page, mail, job and service asks that definition.

These tests fail when a rule is restated somewhere else, when the services reach into the
web layer, or when a page offers what the transition table does not allow (or the other
way round)."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import TriageSession, User
from app.models.base import utcnow
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_report, make_user

APP = Path(__file__).resolve().parent.parent / "app"
TEMPLATES = APP.parent / "templates"

# Blueprint packages and web helpers: the services must not import them.
WEB_MODULES = ("app.views", "app.web", "app.forms")
BLUEPRINTS = ("admin", "auth", "board", "dossiers", "main", "reports", "results", "triage")
REQUEST_NAMES = {"request", "flash", "session", "g", "redirect", "url_for", "render_template"}


def _sources(*suffixes: str):
    for folder in (APP, TEMPLATES):
        for path in folder.rglob("*"):
            if path.suffix in suffixes and "vendor" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def test_the_services_import_nothing_from_the_web_layer():
    problems = []
    for path in sorted((APP / "services").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                module, names = node.module, {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                module, names = node.names[0].name, set()
            else:
                continue
            if module in WEB_MODULES or any(
                module == f"app.{bp}" or module.startswith(f"app.{bp}.") for bp in BLUEPRINTS
            ):
                problems.append(f"{path.name}: imports {module}")
            if module == "flask" and names & REQUEST_NAMES:
                problems.append(f"{path.name}: imports {sorted(names & REQUEST_NAMES)} from flask")
            if module == "flask_login" and "current_user" in names:
                problems.append(f"{path.name}: imports current_user")
    assert not problems, "\n".join(problems)


# Each rule's condition, and the one file allowed to spell it out.
RULES = {
    "a report is open": (r"in_\(OPEN_STATUSES\)|status in OPEN_STATUSES|status_enum\.is_open", "models/report.py"),
    "a report is overdue": (r"timedelta\(days=[^)]*OVERDUE_DAYS|last_activity_at\s*<\s*cutoff", "models/report.py"),
    "a dossier is open": (
        r"status\s*!=\s*(DossierStatus\.)?CLOSED|status\s*==\s*(DossierStatus\.)?CLOSED",
        "models/dossier.py",
    ),
    "an answer is late": (r"answer_due\s*<\s*(today|on|day)\b", "models/dossier.py"),
    "a follow-up is due": (r"follow_up_on\s*<=", "models/dossier.py"),
    "the local time zone": (r"ZoneInfo\(", "clock.py"),
    "how a person is named": (r"\"U \(anoniem|'U \(anoniem|\"Anonieme collega|\"Een collega\"", "anonymity.py"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_defined_once(rule):
    pattern, home = RULES[rule]
    places = sorted(
        {
            str(path.relative_to(APP if path.is_relative_to(APP) else TEMPLATES.parent))
            for path, text in _sources(".py", ".html", ".txt")
            if re.search(pattern, text)
        }
    )
    assert places == [home], f"'{rule}' is spelled out in {places}; its one home is app/{home}"


def test_links_in_mails_are_built_from_routes_not_paths():
    offenders = [
        str(path.relative_to(APP.parent))
        for path, text in _sources(".py", ".html", ".txt")
        if re.search(r"APP_BASE_URL\"?\]\s*\+|f\"\{[^}]*APP_BASE_URL", text)
    ]
    assert offenders == []


# --- the actions a user may take come from the transition table, everywhere ------------


@pytest.fixture
def coach_and_report(app):
    with app.app_context():
        coach = make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach"))
        other = make_user("Olga Open", email="olga@example.test")
        earlier = make_report(other, rule="Een eerdere melding over de regel", problem="x")
        report = make_report(other, rule="Dezelfde regel nog eens", problem="y")
        db.session.commit()
        return coach.id, report.reference, earlier.reference


def _login(client, email):
    token = csrf_token(client, "/inloggen")
    assert client.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token}).status_code == 302


def test_a_transition_taken_out_of_the_table_disappears_from_every_page_and_service(app, coach_and_report, monkeypatch):
    """Take 'nieuw -> samengevoegd' out of the table: the report page, the board card and
    the weekly session stop offering it, and the service refuses it."""
    from app.services import DomainError, workflow
    from app.services.triage import start_session

    coach_id, reference, earlier = coach_and_report
    client = app.test_client()
    _login(client, "cor@example.test")
    with app.app_context():
        start_session(db.session.get(User, coach_id))
        db.session.commit()
        session_id = db.session.scalar(db.select(TriageSession.id))
        item_id = next(i.id for i in db.session.get(TriageSession, session_id).items if i.report.reference == reference)

    def offers_merge() -> dict[str, bool]:
        detail = client.get(f"/meldingen/{reference}").get_data(as_text=True)
        board = client.get("/bord/").get_data(as_text=True)
        card = board.split(f'id="kaart-{reference}"', 1)[1].split("</li>", 1)[0]
        actions = client.get(f"/bord/meldingen/{reference}/verplaatsen").get_data(as_text=True)
        session = client.get(f"/weekoverleg/{session_id}?punt={item_id}").get_data(as_text=True)
        return {
            "report page": 'id="samenvoegen"' in detail,
            "board card": "merged" in card.split('data-moves="', 1)[1].split('"', 1)[0] and 'value="merged"' in actions,
            "weekly session": 'id="merge-form"' in session,
        }

    assert offers_merge() == {"report page": True, "board card": True, "weekly session": True}
    table = dict(workflow.TRANSITIONS)
    del table[(workflow.NEW, workflow.MERGED)]
    monkeypatch.setattr(workflow, "TRANSITIONS", table)
    assert offers_merge() == {"report page": False, "board card": False, "weekly session": False}
    with app.app_context():
        from app.services.reports import get_by_reference

        coach = db.session.get(User, coach_id)
        with pytest.raises(DomainError):
            workflow.merge_report(get_by_reference(reference), get_by_reference(earlier), actor=coach, explanation="x")
        db.session.rollback()


def test_the_agenda_mail_lists_what_the_session_will_discuss(app, smtp):
    """The mailed agenda and the session are built by the same function: a report an earlier
    session skipped is 'not yet discussed' in both, never 'new' in the mail."""
    from app.jobs import weekly_agenda
    from app.notify import deliver_outbox
    from app.services.triage import build_agenda, skip_item, start_session

    with app.app_context():
        coach = make_user("Cor Coach", email="cor@example.test", roles=("employee", "coach"))
        reporter = make_user("Olga Open", email="olga@example.test")
        skipped = make_report(reporter, rule="Overgeslagen vorige week", problem="x", now=utcnow() - timedelta(days=9))
        stale = make_report(reporter, rule="Blijft al lang liggen", problem="y", now=utcnow() - timedelta(days=40))
        stale.status, stale.assignee = "in_progress", coach
        stale.last_activity_at = utcnow() - timedelta(days=30)
        db.session.commit()
        last_week = start_session(coach, now=utcnow() - timedelta(days=7))
        for item in last_week.items:
            if item.report_id == skipped.id:
                skip_item(item, coach)
        last_week.ended_at = utcnow() - timedelta(days=7) + timedelta(minutes=30)
        fresh = make_report(reporter, rule="Nieuw sinds vorige week", problem="z").reference
        db.session.commit()

        agenda = build_agenda()
        reasons = {report.rule: reason for report, reason in agenda}
        assert reasons == {
            "Nieuw sinds vorige week": "new",
            "Overgeslagen vorige week": "carried",
            "Blijft al lang liggen": "overdue",
        }
        assert weekly_agenda()["mails"] == 1
        deliver_outbox()
        started = start_session(coach)
        session_reasons = {item.report.rule: item.reason for item in started.items}
        db.session.rollback()
    assert session_reasons == reasons
    body = smtp.inbox.text(smtp.inbox.to("cor@example.test")[0])
    sections = {}
    current = None
    for line in body.splitlines():
        heading = re.match(r"^(.+) \((\d+)\):$", line)
        if heading:
            current = heading.group(1)
            sections[current] = []
        elif current and line.startswith("- RK-"):
            sections[current].append(line)
    labels = {
        "new": "Nieuw sinds het vorige weekoverleg",
        "carried": "Nog niet besproken in het vorige weekoverleg",
        "overdue": next(label for label in sections if label.startswith("Blijft liggen")),
    }
    for rule, reason in reasons.items():
        holding = [label for label, lines in sections.items() if any(rule in line for line in lines)]
        assert holding == [labels[reason]], f"{rule!r} is under {holding} in the mail, the session says {reason}"
    assert fresh in body

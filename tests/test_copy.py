"""What people read: counts in correct Dutch, one wording for the supporter count, a status
said once, jargon explained, a favicon, and a README tour that works for the account it
names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extensions import db
from app.formatting import count, status_line, supporters
from app.models import User
from app.notify import deliver_outbox
from app.services.workflow import HEADLINES, assign_report, decide_report
from tests.factories import make_report, make_user

ROOT = Path(__file__).resolve().parents[1]


def test_counts_agree_with_their_number():
    assert count(1, "melding", "meldingen") == "1 melding"
    assert count(0, "melding", "meldingen") == "0 meldingen"
    assert count(2, "melding", "meldingen") == "2 meldingen"
    assert supporters(1) == "1 collega loopt hier ook tegenaan"
    assert supporters(3) == "3 collega's lopen hier ook tegenaan"
    assert supporters(0).startswith("nog geen")


@pytest.mark.parametrize("status", ["resolved", "explained", "escalated", "in_progress", "merged"])
def test_a_status_line_never_says_the_status_twice_or_ends_on_two_stops(status):
    from app.formatting import status_label

    headline = HEADLINES.get(status, "samengevoegd met RK-2026-0003")
    line = status_line(status, headline)
    label = status_label(status)
    assert line.startswith(f"Status: {label}")
    assert line.lower().count(label.lower()) == 1, line
    assert not line.endswith(".."), line
    assert status_line(status, headline + ".") == line


def test_the_template_says_the_supporter_count_in_one_wording_only():
    """The wording lives in app.formatting.supporters; no template builds it again."""
    offenders = []
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file() and re.search(r"collega.{0,3}s? (loopt|lopen|liep)", path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"supporter counts worded by hand in {offenders}: use |supporters"


def test_the_decision_mail_says_the_status_once_and_what_it_means(app, smtp):
    with app.app_context():
        reporter = make_user("Sanne Melder", email="sanne@example.test")
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        report = make_report(reporter, rule="Dakkapel vraagt volledige procedure")
        assign_report(report, coach, actor=coach)
        decide_report(
            report,
            actor=coach,
            outcome="escalated",
            explanation="Dit staat in de Omgevingswet.",
            legal=_legal(),
        )
        other = make_report(reporter, rule="Uittreksel op papier")
        assign_report(other, coach, actor=coach)
        decide_report(other, actor=coach, outcome="resolved", explanation="Niet meer nodig.", what_changed="Weg.")
        db.session.commit()
        deliver_outbox()
    texts = [smtp.inbox.text(m) for m in smtp.inbox.to("sanne@example.test")]
    resolved = next(t for t in texts if "Niet meer nodig." in t)
    assert "Status: Opgelost." in resolved
    assert "Opgelost — opgelost" not in resolved
    escalated = next(t for t in texts if "Dit staat in de Omgevingswet." in t)
    assert "Geëscaleerd betekent" in escalated
    for text in texts:
        assert not re.search(r"[^.]\.\.(?!\.)", text), text


def _legal():
    from app.services.workflow import LegalReference

    return LegalReference("Omgevingswet", "BWBR0037885", "art. 5.1")


def test_the_report_page_explains_its_status(app, client, auth):
    with app.app_context():
        reporter = make_user("Sanne Melder", email="sanne@example.test")
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        report = make_report(reporter, rule="Dakkapel vraagt volledige procedure")
        assign_report(report, coach, actor=coach)
        decide_report(report, actor=coach, outcome="escalated", explanation="Landelijke wet.", legal=_legal())
        db.session.commit()
        reference = report.reference
    auth.login("sanne@example.test")
    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Geëscaleerd betekent: de regel komt uit een landelijke wet" in page


def test_one_item_on_the_agenda_is_said_in_the_singular(app, client, auth):
    with app.app_context():
        make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        reporter = make_user("Sanne Melder", email="sanne@example.test")
        make_report(reporter, rule="Eén regel")
        db.session.commit()
    auth.login("eva@example.test")
    page = client.get("/weekoverleg/").get_data(as_text=True)
    assert "Op de agenda komt nu 1 melding:" in page


def test_favicon_is_served(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    with client.get("/static/favicon.svg") as response:
        assert response.status_code == 200


def test_the_readme_tour_works_for_the_account_it_names(app, client, auth):
    """README: 'log in as X, press the red button, type Y — a colleague already reported
    that rule, so say Ik loop hier ook tegenaan'. That must be true in the demo data."""
    readme = (ROOT / "README.md").read_text()
    tour = re.search(r"Try it: log in as `([^`]+)`, press the red button, type\s+\"([^\"]+)\"", readme)
    assert tour, "the README's tour changed shape; update this test with it"
    email, typed = tour.groups()
    with app.app_context():
        from app.demo import seed_demo

        seed_demo()
        db.session.commit()
        assert db.session.scalar(db.select(User).where(User.email == email)) is not None
    auth.login(email, "rodeknop-demo")
    found = client.get("/melden/vergelijkbaar", query_string={"rule": typed, "problem": ""})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    support_paths = re.findall(r'action="(/meldingen/RK-\d{4}-\d{4}/ik-ook)"', html)
    assert support_paths, f"typing {typed!r} as {email} offers no report to support"
    # ...and saying "Ik loop hier ook tegenaan" on the first one works.
    from tests.conftest import csrf_token

    token = csrf_token(client, "/melden")
    answer = client.post(support_paths[0], data={"csrf_token": token, "note": ""})
    assert answer.status_code in (302, 303), answer.status_code
    assert "/meldingen/RK-" in answer.headers["Location"]

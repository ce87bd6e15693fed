"""'Merkbaar beter?': the question some weeks after a report was solved. The job asks each
follower exactly once (twice run, several processes at once), only for solved reports whose
term has passed; the link is signed, single use and expiring, and a GET records nothing;
anonymous followers get the question without being revealed; 'nee' puts the report back on
the board for the coach, with the comment; the dashboard's counts come from one query."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.anonymity import event_moment, pseudonym
from app.extensions import db
from app.jobs import JOBS, build_scheduler, checkback, retention
from app.models import CheckbackAnswer, CheckbackInvite, Event, JobRun, OutboxMessage, Report, User
from app.models.base import utcnow
from app.services.checkback import EXPIRED, INVALID, USED, check_link, checkback_answers
from app.services.reports import support_report
from app.services.users import RESET, password_link
from app.services.workflow import reopen_report
from tests.factories import (
    checkback_tokens,
    choose_mail,
    count_statements,
    make_department,
    make_report,
    make_support,
    make_user,
    run_job_in_processes,
    solve_report,
)

ROOT = Path(__file__).resolve().parent.parent


def _questions() -> list[OutboxMessage]:
    return db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.subject.like("Merkbaar beter?%")).order_by(OutboxMessage.id)
    ).all()


@pytest.fixture
def solved(app):
    """A report solved seven weeks ago: a named reporter and a named supporter."""
    with app.app_context():
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        reporter = make_user("Olga Melder", email="olga@example.test")
        supporter = make_user("Sam Steun", email="sam@example.test")
        report = make_report(reporter, rule="Uittreksel alleen aan de balie")
        make_support(supporter, report)
        solve_report(report, coach)
        db.session.commit()
        return {
            "report": report.id,
            "reference": report.reference,
            "coach": coach.id,
            "reporter": reporter.id,
            "supporter": supporter.id,
        }


def _answer_page(client, token: str, word: str = "nee"):
    return client.get(f"/merkbaar-beter/{token}?antwoord={word}")


def _post_answer(client, token: str, answer: str, comment: str = ""):
    page = _answer_page(client, token)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return client.post(
        f"/merkbaar-beter/{token}", data={"csrf_token": match.group(1), "answer": answer, "comment": comment}
    )


# --- the job -------------------------------------------------------------------------------


def test_the_reporter_and_each_supporter_get_one_question_also_when_the_job_runs_twice(app, solved):
    with app.app_context():
        assert checkback()["mails"] == 2
        assert checkback()["mails"] == 0
        mails = _questions()
        assert sorted(m.to_user_id for m in mails) == sorted([solved["reporter"], solved["supporter"]])
        reporter_mail = next(m for m in mails if m.to_user_id == solved["reporter"])
        assert "uw melding" in reporter_mail.body_text and solved["reference"] in reporter_mail.subject
        assert "Het formulier is weg." in reporter_mail.body_text
        assert reporter_mail.body_text.count("7 weken geleden") == 1  # as long ago as it really is
        # One link per answer, per recipient; different recipients have different links.
        links = {
            m.id: set(re.findall(r"/merkbaar-beter/([^?\s\"]+)\?antwoord=(ja|nee|weet-niet)", m.body_text))
            for m in mails
        }
        assert all(len(found) == 3 and len({token for token, _ in found}) == 1 for found in links.values())
        assert len({next(iter(found))[0] for found in links.values()}) == 2
        assert db.session.scalar(db.select(db.func.count(JobRun.id)).where(JobRun.job == "checkback")) == 2


def test_nobody_is_asked_before_the_term_for_other_statuses_or_with_the_check_switched_off(app):
    from app.services.dossiers import LegalReference
    from app.services.workflow import decide_report

    with app.app_context():
        coach = make_user(roles=("employee", "coach"))
        reporter = make_user()
        solve_report(make_report(reporter, rule="Te vroeg"), coach, weeks_ago=5)
        solve_report(make_report(reporter, rule="Te lang geleden"), coach, weeks_ago=12)  # past the catch-up
        reopened = solve_report(make_report(reporter, rule="Weer open"), coach)
        reopen_report(reopened, actor=coach, reason="Toch niet opgelost.")
        others = [reopened]
        for outcome in ("explained", "escalated"):
            other = make_report(reporter, rule=f"Besluit {outcome}")
            legal = LegalReference("Participatiewet", "BWBR0015703", "art. 22a") if outcome == "escalated" else None
            decide_report(other, actor=coach, outcome=outcome, explanation="Zo is het.", legal=legal)
            others.append(other)
        for other in others:  # only their status keeps them out
            other.resolved_at = utcnow() - timedelta(weeks=7)
        db.session.commit()
        assert checkback()["mails"] == 0
        # Six weeks (the default) after the early one was solved, it is asked.
        assert checkback(now=utcnow() + timedelta(weeks=1, hours=1))["mails"] == 1
        app.config["CHECKBACK_WEEKS"] = 0
        solve_report(make_report(reporter, rule="Uit"), coach)
        db.session.commit()
        assert checkback()["mails"] == 0


def test_a_report_solved_again_is_asked_again_about_the_new_solution(app, solved):
    with app.app_context():
        assert checkback()["mails"] == 2
        report = db.session.get(Report, solved["report"])
        coach = db.session.get(Report, solved["report"]).assignee
        reopen_report(report, actor=coach, reason="Toch niet.")
        solve_report(report, coach)
        db.session.commit()
        assert checkback()["mails"] == 2
        assert checkback()["mails"] == 0


def test_someone_who_chose_no_mail_about_their_reports_is_not_asked(app, solved):
    with app.app_context():
        reporter = db.session.get(Report, solved["report"]).reporter
        choose_mail(reporter, "none", "own_reports")
        db.session.commit()
        assert checkback()["mails"] == 1
        assert checkback()["mails"] == 0  # nor later
        [mail] = _questions()
        assert mail.to_user_id == solved["supporter"]
        invite = db.session.scalar(db.select(CheckbackInvite).where(CheckbackInvite.user_id == solved["reporter"]))
        assert invite is not None and not invite.mailed


def test_four_processes_running_the_job_at_once_ask_each_person_once(app, solved, database_url):
    run_job_in_processes(database_url, "checkback")
    with app.app_context():
        assert len(_questions()) == 2
        assert db.session.scalar(db.select(db.func.count(CheckbackInvite.id))) == 2


def test_the_job_is_scheduled_and_runs_from_the_command_line(app, solved, runner):
    assert JOBS["checkback"] is checkback
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    assert scheduler.get_job("checkback") is not None
    result = runner.invoke(args=["run-job", "checkback"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(_questions()) == 2


# --- the link ------------------------------------------------------------------------------


def test_opening_the_link_records_nothing_and_preselects_the_answer(app, solved, client):
    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
    for _ in range(3):  # a mail scanner, then the person
        page = _answer_page(client, token, "nee")
        assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'value="no"[^>]*checked|checked[^>]*value="no"', html)
    assert solved["reference"] in html and "Het formulier is weg." in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 0
        assert db.session.get(Report, solved["report"]).status == "resolved"


def test_the_link_works_once(app, solved, client):
    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
    response = _post_answer(client, token, "yes", "Scheelt mij elke week een uur.")
    assert response.status_code == 303 and response.headers["Location"].endswith("/merkbaar-beter/bedankt")
    thanks = client.get("/merkbaar-beter/bedankt")
    assert "Bedankt voor uw antwoord" in thanks.get_data(as_text=True)
    again = _answer_page(client, token, "nee")
    assert again.status_code == 400 and "al beantwoord" in again.get_data(as_text=True)
    replay = client.post(f"/merkbaar-beter/{token}", data={"answer": "no"})
    assert replay.status_code == 400
    with app.app_context():
        [answer] = db.session.scalars(db.select(CheckbackAnswer)).all()
        assert (answer.answer, answer.comment) == ("yes", "Scheelt mij elke week een uur.")
        assert db.session.get(Report, solved["report"]).status == "resolved"
        assert check_link(token).problem == USED


def test_an_expired_or_forged_link_gets_a_clear_page_never_an_error(app, solved, client):
    with app.app_context():
        checkback()
        report = db.session.get(Report, solved["report"])
        for invite in db.session.scalars(db.select(CheckbackInvite)):
            if invite.user_id == solved["reporter"]:
                invite.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        tokens = checkback_tokens(report)
        [expired] = [token for token in tokens if check_link(token).problem == EXPIRED]
        [fresh] = [token for token in tokens if check_link(token).invite is not None]
        reset_token = password_link(report.reporter, RESET).rsplit("/", 1)[-1]
        assert check_link(fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")).problem == INVALID
        assert check_link(reset_token).problem == INVALID
    page = _answer_page(client, expired)
    assert page.status_code == 400 and "termijn" in page.get_data(as_text=True)
    assert client.post(f"/merkbaar-beter/{expired}", data={"answer": "no"}).status_code == 400
    forged = [
        fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB"),  # signature changed
        "x",
        "a" * 5000,
        reset_token,  # signed by us, for another purpose
        "%00%01",
        "\u202eRTL\U0001f642",
        "=HYPERLINK(1)",
        str(2**63),
    ]
    for token in forged:
        for response in (
            client.get(f"/merkbaar-beter/{token}"),
            client.post(f"/merkbaar-beter/{token}", data={"answer": "no"}),
        ):
            assert response.status_code == 400, (token, response.status_code)
            assert "Deze link klopt niet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 0
    assert _answer_page(client, fresh).status_code == 200  # the real one still works


def test_a_post_without_a_csrf_token_records_nothing(app, solved, client):
    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
    response = client.post(f"/merkbaar-beter/{token}", data={"answer": "no", "comment": "Niets gemerkt."})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Niets gemerkt." in html  # what they typed comes back
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 0
        assert db.session.get(Report, solved["report"]).status == "resolved"


def test_an_answer_must_be_chosen_and_the_comment_is_kept(app, solved, client):
    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
    response = _post_answer(client, token, "", "Mijn toelichting")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Kies ja, nee of weet ik niet." in html and "Mijn toelichting" in html
    response = _post_answer(client, token, "perhaps")
    assert response.status_code == 400
    response = _post_answer(client, token, "unsure", "x" * 5001)
    assert response.status_code == 400 and "maximaal 5000" in response.get_data(as_text=True)
    assert _post_answer(client, token, "unsure").status_code == 303


def test_refused_links_are_rate_limited(app, client):
    app.config["CHECKBACK_LIMIT_PER_CLIENT"] = "3 per 10 minutes"
    statuses = [client.get(f"/merkbaar-beter/onzin{n}").status_code for n in range(5)]
    assert statuses[:3] == [400, 400, 400] and statuses[-1] == 429


# --- 'nee' ---------------------------------------------------------------------------------


def test_no_puts_the_report_back_on_the_board_and_the_coach_reads_why(app, solved, client, auth):
    with app.app_context():
        # Its texts were marked public when it was solved; open again, that is decided anew.
        db.session.get(Report, solved["report"]).text_public = True
        db.session.commit()
        checkback()
        token = next(
            re.search(r"/merkbaar-beter/([^?\s]+)\?", m.body_text).group(1)
            for m in _questions()
            if m.to_user_id == solved["supporter"]
        )
    response = _post_answer(client, token, "no", "Aan de balie vragen ze het nog steeds.")
    assert response.status_code == 303
    with app.app_context():
        report = db.session.get(Report, solved["report"])
        assert report.status == "in_progress" and report.assignee_id == solved["coach"] and report.resolved_at is None
        assert not report.text_public
        coach_mail = db.session.scalar(
            db.select(OutboxMessage).where(
                OutboxMessage.to_user_id == solved["coach"], OutboxMessage.subject.like("%heropend%")
            )
        )
        assert coach_mail is not None
        # The reporter hears it is open again.
        assert db.session.scalar(
            db.select(OutboxMessage).where(
                OutboxMessage.to_user_id == solved["reporter"], OutboxMessage.subject.like("%heropend%")
            )
        )
    auth.login("eva@example.test")
    page = client.get(f"/meldingen/{solved['reference']}").get_data(as_text=True)
    assert "Aan de balie vragen ze het nog steeds." in page and "Sam Steun" in page
    board = client.get("/bord/").get_data(as_text=True)
    assert solved["reference"] in board


def test_no_without_a_coach_puts_it_back_in_new(app, solved, client):
    with app.app_context():
        checkback()
        report = db.session.get(Report, solved["report"])
        report.assignee.active = False
        token = checkback_tokens(report)[0]
        db.session.commit()
    assert _post_answer(client, token, "no").status_code == 303
    with app.app_context():
        report = db.session.get(Report, solved["report"])
        assert report.status == "new" and report.assignee_id is None and report.resolved_at is None


def test_a_second_no_records_the_answer_without_reopening_twice(app, solved, client):
    with app.app_context():
        checkback()
        first, second = checkback_tokens(db.session.get(Report, solved["report"]))
    assert _post_answer(client, first, "no").status_code == 303
    assert _post_answer(client, second, "no", "Ook niet.").status_code == 303
    with app.app_context():
        report = db.session.get(Report, solved["report"])
        reopened = [e for e in report.events if e.kind == "reopened"]
        assert report.status == "in_progress" and len(reopened) == 1
        assert checkback_answers(utcnow() - timedelta(weeks=10), utcnow()).no == 2


# --- anonymity -----------------------------------------------------------------------------


def test_an_anonymous_reporter_is_asked_and_nothing_reveals_them(app, client, auth):
    with app.app_context():
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        hidden = make_user("Anna Anoniem", email="anna@example.test")
        report = make_report(hidden, rule="Regel die niemand mocht weten", anonymous=True)
        solve_report(report, coach)
        db.session.commit()
        assert checkback()["mails"] == 1
        [mail] = _questions()
        assert mail.to_user_id is None and mail.to_address is None and mail.to_pseudonym == pseudonym(hidden.id)
        assert "Anna" not in mail.body_text
        match = re.search(r"(/merkbaar-beter/([^?\s]+))\?antwoord=nee", mail.body_text)
        url, token = match.group(0), match.group(2)
        assert pseudonym(hidden.id) not in url and "anna" not in url.lower()
        # What the link carries is a random secret only: no user id, no pseudonym.
        from app.services.checkback import _serializer

        carried = _serializer().loads(token)
        assert isinstance(carried, str) and len(carried) == 32 and pseudonym(hidden.id) not in carried
        invite = db.session.scalar(db.select(CheckbackInvite))
        assert invite.user_id is None and pseudonym(hidden.id) not in (invite.recipient_key or "")
        reference, viewers = report.reference, (coach.id, hidden.id)
    page = client.get(url).get_data(as_text=True)
    for secret in ("Anna", "anna@example.test", "anoniem"):
        assert secret.lower() not in page.lower(), secret
    assert _post_answer(client, token, "no", "Nog steeds hetzelfde.").status_code == 303
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.kind == "checkback"))
        assert event.actor_id is None and not event.is_public
        assert db.session.get(Report, report.id).status == "in_progress"
        columns = set(CheckbackAnswer.__table__.columns.keys())
        assert columns == {"id", "report_id", "solved_at", "answer", "comment", "answered_at"}
    auth.login("eva@example.test")
    page = client.get(f"/meldingen/{reference}").get_data(as_text=True)
    assert "Nog steeds hetzelfde." in page and "Anna" not in page and "Anoniem" in page
    # The line shows the day, not the minute (which the mail system's record of opened
    # links could match), to everyone, the answerer included.
    with app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.kind == "checkback"))
        for viewer in viewers:
            assert not isinstance(event_moment(event, event.report, db.session.get(User, viewer)), datetime)


def test_the_mails_and_pages_look_the_same_whoever_is_anonymous(app, client):
    """A named and an anonymous follower get the same question (bar the greeting); their
    answer pages are the same."""
    with app.app_context():
        coach = make_user(roles=("employee", "coach"))
        named = make_user("Nina Naam")
        hidden = make_user("Anna Anoniem")
        first = solve_report(make_report(named, rule="Dezelfde regel"), coach)
        second = solve_report(make_report(hidden, rule="Dezelfde regel", anonymous=True), coach)
        db.session.commit()
        checkback()
        bodies = {}
        for report in (first, second):
            mail = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.subject.like(f"%{report.reference}")))
            bodies[report.id] = re.sub(r"/merkbaar-beter/[^?\s\"]+", "/L", mail.body_text).replace(
                report.reference, "R"
            )
        tokens = [checkback_tokens(first)[0], checkback_tokens(second)[0]]
    named_body, hidden_body = bodies.values()
    assert named_body.replace("Beste Nina Naam", "Beste collega").replace(" (met uw naam)", "") == hidden_body
    pages = [
        re.sub(r'value="[^"]{40,}"|RK-\d{4}-\d{4}', "", _answer_page(client, token).get_data(as_text=True))
        for token in tokens
    ]
    assert pages[0] == pages[1]


# --- the figures and retention ---------------------------------------------------------------


def test_the_dashboard_counts_answers_per_period_and_department_in_one_query(app, client):
    with app.app_context():
        coach = make_user(roles=("employee", "coach"))
        here, there = make_department("Hier"), make_department("Daar")
        people = [make_user() for _ in range(4)]
        report = make_report(people[0], department_id=here.id)
        for person in people[1:]:
            support_report(person, report, None)
        solve_report(report, coach)
        elsewhere = solve_report(make_report(people[0], department_id=there.id), coach)
        db.session.commit()
        checkback()
        tokens = checkback_tokens(report)
        other = checkback_tokens(elsewhere)
    for token, answer in zip(tokens, ("yes", "yes", "unsure"), strict=False):
        assert _post_answer(client, token, answer).status_code == 303
    assert _post_answer(client, other[0], "no").status_code == 303
    with app.app_context():
        start, end = utcnow() - timedelta(weeks=8), utcnow()
        with count_statements(app) as statements:
            counts = checkback_answers(start, end, here.id)
        assert len([s for s in statements if s.startswith("SELECT")]) == 1
        assert (counts.yes, counts.no, counts.unsure, counts.unanswered) == (2, 0, 1, 1)
        everywhere = checkback_answers(start, end)
        assert (everywhere.yes, everywhere.no, everywhere.unsure, everywhere.unanswered) == (2, 1, 1, 1)
        assert checkback_answers(end, end + timedelta(weeks=1)).asked == 0


def test_retention_forgets_who_was_asked_and_later_removes_the_answers(app, solved, client):
    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
    assert _post_answer(client, token, "yes", "Beter.").status_code == 303
    with app.app_context():
        report = db.session.get(Report, solved["report"])
        report.last_activity_at = utcnow() - timedelta(days=800)
        db.session.commit()
        dry = retention(dry_run=True)
        assert dry["checkback_answers_removed"] == 1 and dry["checkback_links_forgotten"] == 2
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 1
        app.config["RETENTION_REPORT_DAYS"] = 0
        retention()
        invites = db.session.scalars(db.select(CheckbackInvite)).all()
        assert all(i.recipient_key is None and i.user_id is None and i.token_hash is None for i in invites)
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 1
        app.config["RETENTION_REPORT_DAYS"] = 730
        result = retention()
        assert result["checkback_answers_removed"] == 1
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 0
        assert db.session.scalar(db.select(db.func.count(CheckbackInvite.id))) == 0


def test_the_demo_has_answered_and_unanswered_checks(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        counts = checkback_answers(utcnow() - timedelta(weeks=52), utcnow())
        # Every answer is there, for Inzicht's figure: the demo's year of reports adds more.
        assert min(counts.yes, counts.no, counts.unsure, counts.unanswered) >= 1, counts
        assert counts.yes > counts.no
        reopened = db.session.scalar(db.select(Report).where(Report.rule.like("Ontheffing parkeren%")))
        assert reopened.status == "in_progress"
        assert checkback()["mails"] == 0  # asked already: the job adds nothing


def test_a_link_past_its_signed_age_is_expired_even_if_the_row_says_otherwise(app, solved, monkeypatch):
    import time

    with app.app_context():
        checkback()
        token = checkback_tokens(db.session.get(Report, solved["report"]))[0]
        assert check_link(token).invite is not None
        later = time.time() + (app.config["CHECKBACK_ANSWER_DAYS"] + 1) * 86400
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
        assert check_link(token).problem == EXPIRED


def test_the_same_invitation_cannot_be_answered_twice_even_past_the_page(app, solved):
    """Two answers sent at once: the first clears the link, the second is refused and
    records nothing (the conditional update, not the page's check)."""
    from app.services import DomainError
    from app.services.checkback import answer_checkback

    with app.app_context():
        checkback()
        invite = db.session.scalar(db.select(CheckbackInvite).where(CheckbackInvite.user_id == solved["reporter"]))
        answer_checkback(invite, "no", "Eerste.")
        with pytest.raises(DomainError):
            answer_checkback(invite, "no", "Tweede.")
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(CheckbackAnswer.id))) == 0  # nothing committed
        invite = db.session.get(CheckbackInvite, invite.id)
        answer_checkback(invite, "no", "Eerste.")
        db.session.commit()
        with pytest.raises(DomainError):
            answer_checkback(db.session.get(CheckbackInvite, invite.id), "yes", None)
        db.session.rollback()
        assert [a.comment for a in db.session.scalars(db.select(CheckbackAnswer))] == ["Eerste."]

"""The impact of a rule: the reporter may and a coach can estimate how often a rule bites and
what each case costs; the coach who solves the report confirms it (report page and weekly
session); 'Wat we ontregelden' shows the hours saved per year, marked as an estimate, counting
only confirmed estimates of solved reports; an anonymous reporter's estimate names nobody."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Event, Report, TriageItem, User
from app.models.base import utcnow
from app.models.report import CASES_MAX, MINUTES_MAX, EventKind, hours_per_year
from app.services import DomainError, triage, workflow
from app.services.impact import Estimate, hours_saved, read_estimate
from tests.factories import make_department, make_report, make_support, make_user
from tests.test_board import login, page_of
from tests.test_triage_web import Coach, _hidden, _token

ESTIMATE = Estimate(40, 30, 15, "inhabitants")  # 40 × 12 × 45 / 60 = 360 hours a year


def _text(response) -> str:
    return html.unescape(page_of(response))


def _report(reference: str) -> Report:
    year, number = reference.removeprefix("RK-").split("-")
    return db.session.scalar(db.select(Report).where(Report.year == int(year), Report.number == int(number)))


@pytest.fixture
def world(app):
    with app.app_context():
        department = make_department("Burgerzaken")
        sanne = make_user("Sanne de Vries", email="sanne@example.test", department=department)
        zorro = make_user("Zorro Geheimzinnig", email="zorro@example.test")
        make_user("Pim Steun", email="pim@example.test")
        make_user("Eva Jansen", email="eva@example.test", roles=("employee", "coach"))
        named = make_report(sanne, rule="Handtekening op papier", problem="Dubbel werk.", department_id=department.id)
        anonymous = make_report(zorro, rule="Uittreksel voor de eigen gemeente", problem="Leges.", anonymous=True)
        make_support(db.session.scalar(db.select(User).where(User.email == "pim@example.test")), named)
        db.session.commit()
        return {"named": named.reference, "anonymous": anonymous.reference, "department": department.id}


# --- the formula and the totals ------------------------------------------------------------


def test_the_formula_is_cases_times_twelve_times_minutes_over_sixty():
    assert hours_per_year(40, 45) == 360
    assert hours_per_year(1, 5) == 1
    assert hours_per_year(0, 100) == 0
    assert ESTIMATE.hours_saved == 360


def test_python_and_sql_agree_also_at_the_bounds(app, world):
    """The SQL expression is the same formula, and the largest estimate does not overflow an
    integer on PostgreSQL."""
    with app.app_context():
        report = _report(world["named"])
        for estimate in (ESTIMATE, Estimate(CASES_MAX, MINUTES_MAX, MINUTES_MAX, "other"), Estimate(3, 7, 0, "staff")):
            report.impact_cases_per_month = estimate.cases_per_month
            report.impact_minutes_inhabitant = estimate.minutes_inhabitant
            report.impact_minutes_staff = estimate.minutes_staff
            db.session.flush()
            row = db.session.execute(
                db.select(Report.hours_saved, Report.hours_saved_inhabitant, Report.hours_saved_staff).where(
                    Report.id == report.id
                )
            ).one()
            assert row[0] == pytest.approx(report.hours_saved) == pytest.approx(estimate.hours_saved)
            assert row[1] == pytest.approx(hours_per_year(estimate.cases_per_month, estimate.minutes_inhabitant))
            assert row[2] == pytest.approx(hours_per_year(estimate.cases_per_month, estimate.minutes_staff))
        db.session.rollback()


def _solve(report, coach, estimate=workflow.KEEP, **kwargs):
    workflow.assign_report(report, coach, actor=coach)
    workflow.decide_report(
        report,
        actor=coach,
        outcome=kwargs.pop("outcome", "resolved"),
        explanation="Aangepast.",
        what_changed="Het formulier is weg.",
        estimate=estimate,
        **kwargs,
    )


def test_only_confirmed_estimates_of_solved_reports_count(app):
    with app.app_context():
        one, two = make_department("Een"), make_department("Twee")
        coach = make_user(roles=("employee", "coach"))
        reporter = make_user()
        now = utcnow()

        counted = make_report(reporter, department_id=one.id, estimate=Estimate(10, 30, 6, "inhabitants"))
        _solve(counted, coach, Estimate(10, 30, 6, "inhabitants"))  # 10 × 12 × 36 / 60 = 72
        other_department = make_report(reporter, department_id=two.id)
        _solve(other_department, coach, Estimate(5, 0, 60, "staff"))  # 60
        unconfirmed = make_report(reporter, department_id=one.id, estimate=Estimate(1000, 60, 60, "other"))
        _solve(unconfirmed, coach)  # solved without confirming (no estimate offered)
        explained = make_report(reporter, department_id=one.id, estimate=Estimate(1000, 60, 60, "other"))
        workflow.set_estimate(explained, actor=coach, estimate=Estimate(1000, 60, 60, "other"))
        _solve(explained, coach, Estimate(1000, 60, 60, "other"), outcome="explained")
        still_open = make_report(reporter, department_id=one.id, estimate=Estimate(1000, 60, 60, "other"))
        workflow.set_estimate(still_open, actor=coach, estimate=Estimate(999, 60, 60, "other"))
        reopened = make_report(reporter, department_id=one.id)
        _solve(reopened, coach, Estimate(1000, 60, 60, "other"))
        workflow.reopen_report(reopened, actor=coach, reason="Toch niet.")
        db.session.flush()

        total = hours_saved()
        assert (total.inhabitant, total.staff, total.rules) == (pytest.approx(60), pytest.approx(72), 2)
        assert total.total == pytest.approx(132)
        just_one = hours_saved(department_id=one.id)
        assert (just_one.inhabitant, just_one.staff, just_one.rules) == (pytest.approx(60), pytest.approx(12), 1)
        assert hours_saved(start=now + timedelta(days=1)).rules == 0
        assert hours_saved(end=now - timedelta(days=1)).rules == 0
        assert hours_saved(now - timedelta(days=1), now + timedelta(days=1), two.id).staff == pytest.approx(60)
        assert counted.counts_hours_saved and not unconfirmed.counts_hours_saved
        assert not explained.counts_hours_saved and not still_open.counts_hours_saved
        assert not reopened.counts_hours_saved
        ids = set(db.session.scalars(db.select(Report.id).where(Report.counts_hours_saved)))
        assert ids == {counted.id, other_department.id}


def test_hours_saved_is_one_statement(app):
    from tests.factories import count_statements

    with app.app_context():
        hours_saved()  # warm up
        with count_statements(app) as statements:
            hours_saved(utcnow() - timedelta(days=30), utcnow(), 1)
        assert len(statements) == 1


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (("40", "", "", ""), "minutes_inhabitant", "minuten"),
        (("", "", "", "inhabitants"), "cases_per_month", "hoe vaak"),
        (("40", "10", "10", ""), "affected", "Kies wie"),
        (("-1", "10", "10", "staff"), "cases_per_month", "heel getal"),
        (("1,5", "10", "10", "staff"), "cases_per_month", "heel getal"),
        (("1000001", "10", "10", "staff"), "cases_per_month", "1.000.000"),
        (("40", "10001", "10", "staff"), "minutes_inhabitant", "10.000"),
        (("40", "10", str(2**63), "staff"), "minutes_staff", "heel getal"),
        (("٣", "10", "10", "staff"), "cases_per_month", "heel getal"),
        (("40", "10", "10", "iedereen"), "affected", "Kies een van"),
        (("4\x000", "10", "10", "staff"), "cases_per_month", "heel getal"),
    ],
)
def test_bad_estimates_are_refused_at_their_field(values, field, message):
    with pytest.raises(DomainError) as refused:
        read_estimate(*values)
    assert refused.value.field == field
    assert message.lower() in refused.value.message.lower()


def test_empty_is_no_estimate_and_dutch_numbers_are_read():
    assert read_estimate("", " ", None, "") is None
    assert read_estimate("1.200", "0", "15", "entrepreneurs") == Estimate(1200, 0, 15, "entrepreneurs")
    assert read_estimate(" 1 000 000 ", "10.000", "0", "other") == Estimate(1_000_000, 10_000, 0, "other")


# --- the reporter ------------------------------------------------------------------------------


def _new_report_form(client) -> dict:
    page = page_of(client.get("/melden"))
    return {
        "csrf_token": _token(page),
        "submission_key": _hidden(page, "submission_key"),
        "similar_seen": "1",
        "rule": "Parkeervergunning elk jaar opnieuw aanvragen",
        "problem": "Inwoners moeten elk jaar hetzelfde formulier invullen.",
        "origin": "own",
    }


def test_the_report_form_stays_two_fields_with_the_estimate_folded_away(app, world):
    client = login(app, "sanne@example.test")
    page = page_of(client.get("/melden"))
    assert page.count("(verplicht)") == 2
    details = re.search(r'<details class="rk-details rk-estimate-details"([^>]*)>', page)
    assert details and "open" not in details.group(1)
    assert 'name="cases_per_month"' in page and 'name="affected"' in page
    # Without an estimate the report goes in as always.
    response = client.post("/melden", data=_new_report_form(client))
    assert response.status_code == 302
    with app.app_context():
        report = db.session.scalar(db.select(Report).order_by(Report.id.desc()))
        assert not report.has_estimate


def test_the_reporter_gives_an_estimate_on_the_form(app, world):
    client = login(app, "sanne@example.test")
    data = _new_report_form(client) | {
        "cases_per_month": "120",
        "minutes_inhabitant": "20",
        "minutes_staff": "10",
        "affected": "inhabitants",
    }
    assert client.post("/melden", data=data).status_code == 302
    with app.app_context():
        report = db.session.scalar(db.select(Report).order_by(Report.id.desc()))
        assert (report.impact_cases_per_month, report.impact_minutes_inhabitant, report.impact_minutes_staff) == (
            120,
            20,
            10,
        )
        assert report.impact_affected == "inhabitants" and report.impact_confirmed_at is None
        reference = report.reference
    page = _text(client.get(f"/meldingen/{reference}"))
    assert "ongeveer 120 keer per maand" in page and "720 uur per jaar (geschat)" in page
    assert "nog niet: de ontregelcoach bevestigt" in page


def test_half_an_estimate_on_the_form_comes_back_with_what_was_typed_and_saves_nothing(app, world):
    client = login(app, "sanne@example.test")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(Report.id)))
    data = _new_report_form(client) | {"cases_per_month": "120", "minutes_staff": "tien"}
    response = client.post("/melden", data=data)
    assert response.status_code == 400
    page = _text(response)
    assert re.search(r'<details class="rk-details rk-estimate-details"[^>]* open>', page)
    assert "Vul een heel getal in van 0 tot en met 10.000." in page
    assert 'value="120"' in page and 'value="tien"' in page
    assert 'value="Parkeervergunning elk jaar opnieuw aanvragen"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == before


def _estimate_form(client, reference: str) -> dict:
    page = page_of(client.get(f"/meldingen/{reference}"))
    return {"csrf_token": _token(page), "schatting-version": _hidden(page, "schatting-version")}


def _values(estimate: Estimate) -> dict:
    return {
        "schatting-cases_per_month": str(estimate.cases_per_month),
        "schatting-minutes_inhabitant": str(estimate.minutes_inhabitant),
        "schatting-minutes_staff": str(estimate.minutes_staff),
        "schatting-affected": estimate.affected,
    }


def test_the_reporter_gives_and_changes_the_estimate_on_their_open_report(app, world):
    client = login(app, "sanne@example.test")
    reference = world["named"]
    response = client.post(
        f"/meldingen/{reference}/schatting", data=_estimate_form(client, reference) | _values(ESTIMATE)
    )
    assert response.status_code == 303
    response = client.post(
        f"/meldingen/{reference}/schatting",
        data=_estimate_form(client, reference) | _values(Estimate(50, 30, 15, "entrepreneurs")),
    )
    assert response.status_code == 303
    with app.app_context():
        report = _report(reference)
        assert report.impact_cases_per_month == 50 and report.impact_affected == "entrepreneurs"
        events = [e for e in report.events if e.kind == EventKind.ESTIMATED.value]
        assert len(events) == 2 and all(e.actor_id == report.reporter_id for e in events)
    # Emptying every field takes it off again.
    empty = dict.fromkeys(_values(ESTIMATE), "")
    assert (
        client.post(f"/meldingen/{reference}/schatting", data=_estimate_form(client, reference) | empty).status_code
        == 303
    )
    with app.app_context():
        assert not _report(reference).has_estimate


def _estimate_refused(app, client, reference: str) -> None:
    """The page offers this user no estimate form, and posting one anyway is refused."""
    page = page_of(client.get(f"/meldingen/{reference}"))
    assert 'name="schatting-version"' not in page
    with app.app_context():
        version = str(_report(reference).version)
    response = client.post(
        f"/meldingen/{reference}/schatting",
        data={"csrf_token": _token(page), "schatting-version": version} | _values(ESTIMATE),
    )
    assert response.status_code == 400
    assert "U kunt de schatting van deze melding niet wijzigen." in _text(response)


def test_a_supporter_and_the_reporter_of_an_ended_report_may_not(app, world):
    coach = login(app, "eva@example.test")
    reference = world["named"]
    _estimate_refused(app, login(app, "pim@example.test"), reference)
    with app.app_context():
        report = _report(reference)
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        workflow.decide_report(report, actor=eva, outcome="explained", explanation="Blijft.")
        db.session.commit()
    _estimate_refused(app, login(app, "sanne@example.test"), reference)
    with app.app_context():
        assert not _report(reference).has_estimate
    assert coach  # the coach still may: see the next tests


def test_an_estimate_on_a_page_loaded_earlier_is_not_saved_over_a_newer_one(app, world):
    reference = world["named"]
    sanne = login(app, "sanne@example.test")
    eva = login(app, "eva@example.test")
    stale = _estimate_form(sanne, reference)
    assert (
        eva.post(
            f"/meldingen/{reference}/schatting", data=_estimate_form(eva, reference) | _values(ESTIMATE)
        ).status_code
        == 303
    )
    response = sanne.post(f"/meldingen/{reference}/schatting", data=stale | _values(Estimate(1, 1, 1, "other")))
    assert response.status_code == 409
    page = _text(response)
    assert "Iemand anders was u voor" in page and 'value="1"' in page
    with app.app_context():
        assert _report(reference).impact_cases_per_month == 40


# --- the coach: on the report page, when solving, in the weekly session ------------------------


def _decide_form(client, reference: str) -> dict:
    page = page_of(client.get(f"/meldingen/{reference}"))
    return {"csrf_token": _token(page), "besluit-version": _hidden(page, "besluit-version")}, page


def test_solving_on_the_report_page_confirms_the_prefilled_estimate(app, world):
    reference = world["named"]
    with app.app_context():
        workflow.set_estimate(
            _report(reference),
            actor=db.session.scalar(db.select(User).where(User.email == "sanne@example.test")),
            estimate=ESTIMATE,
        )
        db.session.commit()
    eva = login(app, "eva@example.test")
    form, page = _decide_form(eva, reference)
    assert 'name="besluit-cases_per_month"' in page and 'value="40"' in page  # prefilled
    assert (
        re.search(r'name="besluit-affected"[^>]*value="inhabitants"[^>]*checked|checked[^>]*value="inhabitants"', page)
        or 'value="inhabitants" checked' in page
    )
    response = eva.post(
        f"/meldingen/{reference}/besluit",
        data=form
        | {
            "besluit-outcome": "resolved",
            "besluit-explanation": "De werkinstructie is aangepast.",
            "besluit-what_changed": "Digitaal ondertekenen is genoeg.",
            "besluit-cases_per_month": "40",
            "besluit-minutes_inhabitant": "20",  # the coach corrects one part
            "besluit-minutes_staff": "15",
            "besluit-affected": "inhabitants",
            "besluit-text_public": "y",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        report = _report(reference)
        assert report.status == "resolved" and report.text_public
        assert report.impact_minutes_inhabitant == 20
        assert report.impact_confirmed_by.email == "eva@example.test" and report.impact_confirmed_at is not None
        assert report.counts_hours_saved and report.hours_saved == pytest.approx(280)
        assert "Schatting bevestigd" in report.events[-1].text or any(
            "Schatting bevestigd" in (e.text or "") for e in report.events
        )
    page = _text(eva.get(f"/meldingen/{reference}"))
    assert "door U op" in page or "door Eva Jansen op" in page


def test_a_bad_estimate_when_solving_changes_nothing(app, world):
    reference = world["named"]
    eva = login(app, "eva@example.test")
    form, _page = _decide_form(eva, reference)
    response = eva.post(
        f"/meldingen/{reference}/besluit",
        data=form
        | {
            "besluit-outcome": "resolved",
            "besluit-explanation": "Aangepast.",
            "besluit-what_changed": "Weg.",
            "besluit-cases_per_month": "40",
            "besluit-minutes_inhabitant": "99999999",
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Vul een heel getal in van 0 tot en met 10.000." in page and 'value="99999999"' in page
    with app.app_context():
        report = _report(reference)
        assert report.status == "new" and not report.has_estimate


def test_the_estimate_fields_do_not_matter_for_another_decision(app, world):
    reference = world["named"]
    eva = login(app, "eva@example.test")
    form, _page = _decide_form(eva, reference)
    response = eva.post(
        f"/meldingen/{reference}/besluit",
        data=form | {"besluit-outcome": "explained", "besluit-explanation": "Blijft.", "besluit-cases_per_month": "x"},
    )
    assert response.status_code == 303
    with app.app_context():
        report = _report(reference)
        assert report.status == "explained" and not report.has_estimate and not report.text_public


def test_a_coach_changing_the_estimate_of_a_solved_report_confirms_it(app, world):
    reference = world["named"]
    with app.app_context():
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        _solve(_report(reference), eva)  # solved, nothing offered to confirm
        db.session.commit()
        eva_id = eva.id
    client = login(app, "eva@example.test")
    assert (
        client.post(
            f"/meldingen/{reference}/schatting", data=_estimate_form(client, reference) | _values(ESTIMATE)
        ).status_code
        == 303
    )
    with app.app_context():
        report = _report(reference)
        assert report.counts_hours_saved and report.impact_confirmed_by_id == eva_id


def test_the_weekly_session_confirms_when_solving_and_its_undo_takes_it_back(app, world):
    reference = world["named"]
    with app.app_context():
        sanne = db.session.scalar(db.select(User).where(User.email == "sanne@example.test"))
        workflow.set_estimate(_report(reference), actor=sanne, estimate=ESTIMATE)
        db.session.commit()
    coach = Coach(app, "eva@example.test")
    assert coach.start().status_code == 303
    with app.app_context():
        session_id = db.session.scalar(db.select(TriageItem.session_id))
        report_id = _report(reference).id
        item_id = db.session.scalar(db.select(TriageItem.id).where(TriageItem.report_id == report_id))
    page = coach.open(session_id, item_id)
    assert 'name="decide-cases_per_month"' in page and 'value="40"' in page
    response = coach.act(
        session_id,
        item_id,
        "besluiten",
        "decide",
        {
            "outcome": "resolved",
            "explanation": "Aangepast.",
            "what_changed": "Het formulier is weg.",
            "cases_per_month": "40",
            "minutes_inhabitant": "30",
            "minutes_staff": "30",
            "affected": "inhabitants",
            "text_public": "y",
        },
    )
    assert response.status_code == 303, _text(response)[:3000]
    with app.app_context():
        report = _report(reference)
        assert report.counts_hours_saved and report.impact_minutes_staff == 30 and report.text_public
        assert hours_saved().total == pytest.approx(480)
    coach.open(session_id, item_id)
    assert coach.act(session_id, item_id, "ongedaan-maken", "undo").status_code == 303
    with app.app_context():
        report = _report(reference)
        assert report.status == "new" and not report.text_public
        assert report.impact_minutes_staff == 15 and report.impact_confirmed_at is None
        assert hours_saved().rules == 0


def test_a_bad_estimate_in_the_weekly_session_comes_back_and_changes_nothing(app, world):
    reference = world["named"]
    coach = Coach(app, "eva@example.test")
    assert coach.start().status_code == 303
    with app.app_context():
        session_id = db.session.scalar(db.select(TriageItem.session_id))
        item_id = db.session.scalar(db.select(TriageItem.id).where(TriageItem.report_id == _report(reference).id))
    coach.open(session_id, item_id)
    response = coach.act(
        session_id,
        item_id,
        "besluiten",
        "decide",
        {"outcome": "resolved", "explanation": "A.", "what_changed": "B.", "cases_per_month": "40"},
    )
    assert response.status_code == 400
    assert "Vul in hoeveel minuten het de inwoner of ondernemer per keer kost" in _text(response)
    with app.app_context():
        assert _report(reference).status == "new"
        assert db.session.get(TriageItem, item_id).state != triage.HANDLED


# --- anonymity -------------------------------------------------------------------------------


def test_an_anonymous_reporters_estimate_names_nobody(app, world):
    reference = world["anonymous"]
    zorro = login(app, "zorro@example.test")
    response = zorro.post(
        f"/meldingen/{reference}/schatting", data=_estimate_form(zorro, reference) | _values(ESTIMATE)
    )
    assert response.status_code == 303
    with app.app_context():
        report = _report(reference)
        zorro_id = db.session.scalar(db.select(User.id).where(User.email == "zorro@example.test"))
        event = db.session.scalar(db.select(Event).where(Event.report_id == report.id, Event.kind == "estimated"))
        assert event.actor_id is None
        assert report.impact_confirmed_by_id is None and report.reporter_id is None
        assert zorro_id not in {e.actor_id for e in report.events}
        moment = event.created_at
    eva = login(app, "eva@example.test")
    page = _text(eva.get(f"/meldingen/{reference}"))
    assert "Zorro" not in page and "zorro@" not in page
    timeline = page[page.index("Wat er gebeurde") :]
    line = re.search(r"<time[^>]*>([^<]*)</time> · ([^<]*)</p>\s*<p[^>]*>\s*Schatting van de impact", timeline)
    assert line and line.group(2) == "Anoniem"
    assert ":" not in line.group(1)  # the day only, never the minute
    assert f"{moment:%H:%M}" not in line.group(1)
    # The reporter sees it as their own.
    own = _text(zorro.get(f"/meldingen/{reference}"))
    assert "U (anoniem)" in own


def test_a_coach_who_reported_anonymously_gives_the_estimate_as_the_anonymous_reporter(app, world):
    with app.app_context():
        secret = make_user("Geheime Coach", email="geheim@example.test", roles=("employee", "coach"))
        report = make_report(secret, rule="Regel van een coach", anonymous=True)
        db.session.commit()
        reference = report.reference
    client = login(app, "geheim@example.test")
    assert (
        client.post(
            f"/meldingen/{reference}/schatting", data=_estimate_form(client, reference) | _values(ESTIMATE)
        ).status_code
        == 303
    )
    with app.app_context():
        report = _report(reference)
        event = report.events[-1]
        assert event.kind == "estimated" and event.actor_id is None and report.impact_confirmed_at is None


# --- Wat we ontregelden ----------------------------------------------------------------------


def test_wat_we_ontregelden_shows_the_hours_per_rule_and_in_total_as_an_estimate(app, world):
    with app.app_context():
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.test"))
        _solve(_report(world["named"]), eva, ESTIMATE)
        _solve(_report(world["anonymous"]), eva)  # solved, no confirmed estimate
        db.session.commit()
    client = login(app, "pim@example.test")
    page = _text(client.get("/ontregeld/"))
    assert "Geschatte tijdwinst per jaar" in page
    assert re.search(r"Voor inwoners en ondernemers</th><td[^>]*>240 uur", page)
    assert re.search(r"Voor medewerkers</th><td[^>]*>120 uur", page)
    assert re.search(r"Samen \(geschat\)</th><td[^>]*><strong>360 uur", page)
    assert "geschat 360 uur per jaar bespaard" in page
    assert page.count("uur per jaar bespaard") == 1
    assert "Alleen opgeloste meldingen waarvan de ontregelcoach de schatting bevestigde" in page


def test_wat_we_ontregelden_costs_the_same_statements_with_hours(app, world):
    from tests.factories import count_statements

    client = login(app, "pim@example.test")
    client.get("/ontregeld/")
    with count_statements(app) as statements:
        assert client.get("/ontregeld/").status_code == 200
    # user, count, page of reports, support counts, hours saved
    assert len(statements) <= 6


def test_the_demo_data_shows_estimates_confirmed_and_not_and_public_texts(app):
    from app.demo import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
        with_estimate = list(db.session.scalars(db.select(Report).where(Report.impact_cases_per_month.is_not(None))))
        assert len(with_estimate) >= 4
        assert any(r.counts_hours_saved for r in with_estimate)
        assert any(r.impact_confirmed_at is None for r in with_estimate)
        assert db.session.scalar(db.select(db.func.count(Report.id)).where(Report.text_public)) >= 1
        assert hours_saved().total > 0

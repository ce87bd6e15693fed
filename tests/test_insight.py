"""Inzicht's figures against numbers worked out by hand on a small world (both databases),
and the number of statements the dashboard needs, which does not grow with the data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app import jobs
from app.clock import today
from app.extensions import db
from app.models import Addressee, Department, Dossier, DossierEvent, Event, InsightSnapshot, Report, Support
from app.models.base import utcnow
from app.services import insight
from app.services.insight import InsightFilters
from tests.conftest import Auth
from tests.factories import count_statements, make_user

MARCH = InsightFilters(start=date(2026, 3, 2), end=date(2026, 3, 29))


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


class World:
    """Seven reports of March 2026 (and one older) whose figures are worked out by hand in
    the tests below. Times are UTC noon unless said otherwise."""

    def __init__(self):
        self.a = Department(name="Vergunningen")
        self.b = Department(name="Zorg")
        self.x = Addressee(name="Ministerie van Testzaken", kind="ministry")
        db.session.add_all([self.a, self.b, self.x])
        db.session.flush()
        self.number = 0

    def report(self, department, origin, created, steps=(), status="new"):
        """`steps`: (moment, from, to) status changes."""
        self.number += 1
        report = Report(
            year=2026,
            number=self.number,
            rule=f"Regel {self.number}",
            problem="Het gaat mis.",
            origin=origin,
            department_id=department.id,
            status=status,
            created_at=created,
            last_activity_at=steps[-1][0] if steps else created,
            version=1,
        )
        db.session.add(report)
        db.session.flush()
        db.session.add(Event(report_id=report.id, kind="submitted", created_at=created))
        for moment_, from_status, to_status in steps:
            report.note_first_steps(from_status, to_status, moment_)
            db.session.add(
                Event(
                    report_id=report.id,
                    kind="status_changed",
                    from_status=from_status,
                    to_status=to_status,
                    created_at=moment_,
                )
            )
        return report

    def dossier(self, reports, *, sent_on, answer_due=None, answered=None, status="sent"):
        dossier = Dossier(
            law_title="Participatiewet",
            article="art. 31",
            addressee_id=self.x.id,
            sent_on=sent_on,
            answer_due=answer_due,
            status=status,
            version=1,
        )
        db.session.add(dossier)
        db.session.flush()
        for report in reports:
            report.dossier_id = dossier.id
        db.session.add(DossierEvent(dossier_id=dossier.id, kind="created", to_status="preparing", created_at=at(3, 1)))
        if answered:
            db.session.add(
                DossierEvent(dossier_id=dossier.id, kind="status_changed", to_status="answered", created_at=answered)
            )
        return dossier


def build(app):
    with app.app_context():
        w = World()
        r1 = w.report(
            w.a, "own", at(3, 2), [(at(3, 4), "new", "in_progress"), (at(3, 12), "in_progress", "resolved")], "resolved"
        )
        r2 = w.report(
            w.a,
            "national",
            at(3, 3),
            [(at(3, 13), "new", "in_progress"), (at(3, 23), "in_progress", "escalated")],
            "escalated",
        )
        w.report(w.b, "own", at(3, 10), [(at(3, 30), "new", "in_progress")], "in_progress")
        r4 = w.report(w.b, "unknown", at(3, 17))
        w.report(w.a, "own", at(3, 18), [(at(3, 19), "new", "merged")], "merged")
        w.report(w.b, "own", at(2, 20))  # before the period: only the backlog counts it
        r7 = w.report(
            w.a,
            "national",
            at(3, 5),
            [(at(3, 5, 18), "new", "in_progress"), (at(3, 6), "in_progress", "escalated")],
            "escalated",
        )
        w.dossier([r2], sent_on=date(2026, 3, 24), answered=at(3, 30), status="answered")
        w.dossier([r7], sent_on=date(2026, 3, 7), answer_due=date(2026, 3, 21))
        named = make_user("Steun Genoemd", email="steun@example.test")
        db.session.add(Support(report_id=r1.id, user_id=named.id))
        db.session.add(Support(report_id=r1.id, follower_pseudonym="p" * 64, anonymous=True))
        db.session.add(Support(report_id=r4.id, user_id=named.id))
        db.session.commit()
        return w.a.id, w.b.id


def figure(app, function, filters=MARCH):
    with app.test_request_context():
        return function(filters)


def test_inflow_per_week(app):
    _, b = build(app)
    result = figure(app, insight.inflow)
    assert [row[0] for row in result.rows] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    assert result.series[0].values == [3, 1, 2, 0]
    only_b = figure(app, insight.inflow, InsightFilters(MARCH.start, MARCH.end, b))
    assert only_b.series[0].values == [0, 1, 1, 0]


def test_backlog_at_the_end_of_each_week(app):
    _, b = build(app)
    assert figure(app, insight.backlog).series[0].values == [3, 3, 4, 3]
    assert figure(app, insight.backlog, InsightFilters(MARCH.start, MARCH.end, b)).series[0].values == [1, 2, 3, 3]


def test_lead_times_median_80th_percentile_and_longer_than_the_term(app):
    build(app)
    app.config["OVERDUE_DAYS"] = 14
    rows = figure(app, insight.lead_times).rows
    # Taken on after 0.25, 1, 2, 10, 20 days (and one still waiting since 17 March):
    # median = 3rd of 5, 80th percentile = 4th; longer than 14 days: 20 days, and the waiting one.
    assert rows[0] == ["Van melding tot opgepakt", 5, "2,0", "10,0", 2, 6]
    # Decided after 1, 1, 10, 20 days: median = 2nd of 4, 80th percentile = 4th; longer
    # than 14 days: the 20, and two still open since 10 and 17 March.
    assert rows[1] == ["Van melding tot besluit", 4, "1,0", "20,0", 3, 6]


def test_outcomes_per_department_and_origin(app):
    build(app)
    by_department = figure(app, insight.outcomes_by_department)
    # Opgelost, Uitgelegd, Geëscaleerd, Samengevoegd, Nog open
    assert by_department.rows == [["Vergunningen", 1, 0, 2, 1, 0], ["Zorg", 0, 0, 0, 0, 2]]
    by_origin = figure(app, insight.outcomes_by_origin)
    assert by_origin.rows == [
        ["Eigen regel of werkwijze van de gemeente", 1, 0, 0, 1, 1],
        ["Landelijke wet of regeling", 0, 0, 2, 0, 0],
        ["Weet ik niet", 0, 0, 0, 0, 1],
    ]


def test_escalations_per_addressee(app):
    build(app)
    rows = figure(app, insight.escalations).rows
    # Two dossiers; one answered 6.5 days after it was sent (24 March, 30 March noon UTC);
    # both open; the other's answer was due on 21 March.
    assert rows == [["Ministerie van Testzaken", 2, 1, "6,5", 2, 1]]


def test_laws_that_come_back(app):
    build(app)
    assert figure(app, insight.laws).rows == [["Participatiewet", "art. 31", 2]]


def test_most_supported_counts_anonymous_support_like_any_other(app):
    build(app)
    rows = figure(app, insight.most_supported).rows
    assert [(row[0], row[-1]) for row in rows] == [("RK-2026-0001", 2), ("RK-2026-0004", 1)]
    assert "Steun Genoemd" not in repr(rows)


def test_an_empty_period_has_no_rows(app):
    build(app)
    empty = InsightFilters(date(2025, 1, 6), date(2025, 1, 12))
    with app.test_request_context():
        for function in insight.FIGURES:
            result = function(empty)
            assert result.key in insight.FIGURE_KEYS
            if result.key != "werkvoorraad":
                assert not result.has_data, result.key


def _more_reports(app, count: int):
    with app.app_context():
        department = db.session.scalar(db.select(Department).limit(1))
        start = db.session.scalar(db.select(db.func.max(Report.number)))
        for n in range(count):
            report = Report(
                year=2026,
                number=start + n + 1,
                rule="Nog een regel",
                problem="x",
                origin="own",
                department_id=department.id,
                status="in_progress",
                created_at=at(3, 2 + n % 20),
                last_activity_at=at(3, 25),
                version=1,
            )
            db.session.add(report)
            db.session.flush()
            db.session.add(
                Event(
                    report_id=report.id,
                    kind="status_changed",
                    from_status="new",
                    to_status="in_progress",
                    created_at=at(3, 25),
                )
            )
        db.session.commit()


@pytest.mark.parametrize("role", ["coach"])
def test_the_number_of_statements_does_not_grow_with_the_data(app, role):
    app.config["INSIGHT_REFRESH_SECONDS"] = 0  # every request computes every figure
    build(app)
    with app.app_context():
        make_user("Coach Telt", email="telt@example.test", roles=("employee", "coach"))
        db.session.commit()
    client = app.test_client()
    Auth(client).login("telt@example.test")
    url = "/inzicht/?van=2026-03-02&tot=2026-03-29"
    client.get(url)
    with count_statements(app) as small:
        assert client.get(url).status_code == 200
    _more_reports(app, 60)
    with count_statements(app) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large), (len(small), len(large))
    assert len(small) <= 15, small


def test_weeks_of_a_period_and_its_local_bounds(app):
    filters = InsightFilters(date(2026, 3, 4), date(2026, 3, 10))
    assert filters.first_monday == date(2026, 3, 2)
    assert filters.weeks == [date(2026, 3, 2), date(2026, 3, 9)]
    with app.app_context():
        # Local midnight in Amsterdam (winter time): 23:00 UTC the day before.
        assert filters.since == datetime(2026, 3, 3, 23, tzinfo=UTC)
        assert filters.until - filters.since == timedelta(days=7)


def _snapshots() -> list[InsightSnapshot]:
    return list(db.session.scalars(db.select(InsightSnapshot).order_by(InsightSnapshot.id)))


URL = "/inzicht/?van=2026-03-02&tot=2026-03-29"


def test_figures_are_kept_for_every_worker_until_something_changes(app):
    build(app)
    client = _client_as(app, "bestuur@example.test", roles=("employee", "executive"))
    with count_statements(app) as first:
        page = client.get(URL).get_data(as_text=True)
    assert "6 meldingen in deze periode" in page and "Berekend op" in page
    with app.app_context():
        (kept,) = _snapshots()
        assert (kept.start_day, kept.end_day, kept.department_id) == (MARCH.start, MARCH.end, None)
        assert "6 meldingen in deze periode" in kept.figures
    # Another worker (another client, the same database) reads them: no figure is computed.
    other = _client_as(app, "bestuur2@example.test", roles=("employee", "executive"))
    other.get(URL)
    with count_statements(app) as again:
        page = other.get(URL).get_data(as_text=True)
    assert "6 meldingen in deze periode" in page
    assert len(again) < len(first) - 8, (len(first), len(again))
    assert not any("FROM report" in statement and "GROUP BY" in statement for statement in again)
    # Something changed, and the figures are quick to compute: the page computes them anew.
    _more_reports(app, 2)
    page = client.get(URL).get_data(as_text=True)
    assert "8 meldingen in deze periode" in page and "sindsdien is er iets veranderd" not in page
    with app.app_context():
        assert len(_snapshots()) == 1


def _viewed_then_slow_and_changed(app, computed_ago: timedelta):
    """A coach viewed March; its figures took long to compute (as at 100,000 reports) and
    were computed `computed_ago`; then two reports came. Returns the coach's client."""
    app.config["INSIGHT_REFRESH_SECONDS"] = 60
    build(app)
    client = _client_as(app, "coach@example.test")
    client.get(URL)
    with app.app_context():
        for kept in _snapshots():
            kept.seconds = app.config["INSIGHT_SLOW_SECONDS"] + 1
            kept.computed_at = utcnow() - computed_ago
        db.session.commit()
    _more_reports(app, 2)
    return client


def test_slow_figures_are_shown_a_little_old_and_say_so_then_the_job_refreshes_them(app):
    client = _viewed_then_slow_and_changed(app, timedelta(seconds=30))
    page = client.get(URL).get_data(as_text=True)
    # Younger than twice the refresh time: shown as they were, saying so; the CSV agrees.
    assert "6 meldingen in deze periode" in page and "sindsdien is er iets veranderd" in page
    csv = client.get("/inzicht/download.csv?figuur=instroom&van=2026-03-02&tot=2026-03-29").get_data(as_text=True)
    assert sum(int(line.rsplit(";", 1)[-1]) for line in csv.strip().splitlines()[1:]) == 6
    # The scheduler's job computes them again; the page then reads them without computing.
    with app.app_context():
        assert jobs.insight() == {"refreshed": 1, "forgotten": 0}
        assert jobs.insight() == {"refreshed": 0, "forgotten": 0}, "nothing changed since"
    with count_statements(app) as statements:
        page = client.get(URL).get_data(as_text=True)
    assert "8 meldingen in deze periode" in page and "sindsdien is er iets veranderd" not in page
    assert not any("GROUP BY" in statement for statement in statements)


def test_slow_figures_older_than_twice_the_refresh_time_are_computed_anew(app):
    client = _viewed_then_slow_and_changed(app, timedelta(seconds=121))
    assert "8 meldingen in deze periode" in client.get(URL).get_data(as_text=True)


def test_the_job_refreshes_views_asked_for_lately_and_forgets_old_ones(app):
    build(app)
    client = _client_as(app, "coach@example.test")
    client.get(URL)
    client.get("/inzicht/?van=2026-03-09&tot=2026-03-15")
    with app.app_context():
        first, second = _snapshots()
        second.viewed_at = utcnow() - timedelta(days=8)
        first.day = first.day - timedelta(days=1)  # computed yesterday: what waits too long moved on
        db.session.commit()
        assert jobs.insight() == {"refreshed": 1, "forgotten": 1}
        (kept,) = _snapshots()
        assert kept.day == today() and kept.start_day == MARCH.start


def test_figures_are_kept_per_language_and_refreshed_in_it(app):
    """The figures' texts are in the reader's language: a reader who chose English does not
    get the Dutch figures kept for a Dutch reader of the same view, and the job computes
    each kept view again in its own language."""
    from app.models import User

    app.config["INSIGHT_REFRESH_SECONDS"] = 60
    build(app)
    dutch = _client_as(app, "coach@example.test")
    english = _client_as(app, "coach-en@example.test")
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "coach-en@example.test")).language = "en"
        db.session.commit()
    assert "6 meldingen in deze periode" in dutch.get(URL).get_data(as_text=True)
    page = english.get(URL).get_data(as_text=True)
    assert "6 reports in this period" in page and "Inflow per week" in page and "in deze periode" not in page
    csv = english.get("/inzicht/download.csv?figuur=instroom&van=2026-03-02&tot=2026-03-29").get_data(as_text=True)
    assert csv.lstrip("\ufeff").splitlines()[0] == "Week (Monday);Week number;New reports"
    with app.app_context():
        assert sorted(kept.view_key.rsplit("|", 1)[-1] for kept in _snapshots()) == ["en", "nl"]
    _more_reports(app, 2)
    with app.app_context():
        assert jobs.insight() == {"refreshed": 2, "forgotten": 0}
        figures = {kept.view_key.rsplit("|", 1)[-1]: kept.figures for kept in _snapshots()}
    assert "8 reports in this period" in figures["en"] and "8 meldingen in deze periode" in figures["nl"]


def test_retention_drops_the_kept_figures(app):
    build(app)
    client = _client_as(app, "coach@example.test")
    client.get(URL)
    with app.app_context():
        jobs.retention(dry_run=True)
        assert len(_snapshots()) == 1, "a dry run changes nothing"
        jobs.retention()
        assert _snapshots() == []


def test_nothing_is_kept_when_the_refresh_time_is_zero(app):
    app.config["INSIGHT_REFRESH_SECONDS"] = 0
    build(app)
    client = _client_as(app, "coach@example.test")
    assert "6 meldingen in deze periode" in client.get(URL).get_data(as_text=True)
    with app.app_context():
        assert _snapshots() == []
        assert jobs.insight() == {"refreshed": 0, "forgotten": 0}


def _client_as(app, email: str, roles=("employee", "coach")):
    with app.app_context():
        make_user("Kijker", email=email, roles=roles)
        db.session.commit()
    client = app.test_client()
    Auth(client).login(email)
    return client


def test_a_figure_as_csv_is_formula_safe_and_leaves_an_audit_line(app):
    build(app)
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.number == 1))
        report.rule = '=HYPERLINK("http://x")'
        db.session.commit()
    client = _client_as(app, "csv@example.test")
    response = client.get("/inzicht/download.csv?figuur=ik-ook&van=2026-03-02&tot=2026-03-29")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="inzicht-ik-ook-2026-03-02')
    text = response.get_data(as_text=True)
    assert 'RK-2026-0001;"\'=HYPERLINK(""http://x"")";Opgelost;2' in text
    assert "Steun Genoemd" not in text
    from app.models import AuditEntry

    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "list_exported"))
        assert entry is not None and "Inzicht" in entry.detail
    # An unknown figure does not exist; wrong filters go back to the page and its messages.
    assert client.get("/inzicht/download.csv?figuur=geheim").status_code == 404
    wrong = client.get("/inzicht/download.csv?figuur=instroom&van=gisteren")
    assert wrong.status_code == 303 and wrong.headers["Location"].startswith("/inzicht/?van=gisteren")


def test_charts_tell_series_apart_without_colour(app):
    build(app)
    client = _client_as(app, "kijk@example.test")
    page = client.get("/inzicht/?van=2026-03-02&tot=2026-03-29").get_data(as_text=True)
    # Each series its own pattern, named in a legend, and values written next to the bars.
    assert 'id="doorlooptijden-serie-0"' in page and 'id="doorlooptijden-serie-1"' in page
    assert ">80e percentiel</text>" in page and ">Mediaan</text>" in page
    assert ">20 80e percentiel</text>" in page
    assert 'role="img" aria-labelledby="instroom-titel"' in page
    assert "<figcaption" in page and "style=" not in page


@pytest.mark.parametrize(
    "query",
    [
        "van=0001-01-01&tot=9999-12-31",
        "van=2026-02-30",
        "van=1989-12-31",
        "tot=2101-01-01",
        "van=2020-01-01&tot=2026-01-01",
        "van=2026-05-01&tot=2026-04-01",
        "afdeling=99999999999999999999",
        "afdeling=-1",
        "van=%00",
        "van=" + "9" * 5000,
    ],
)
def test_wrong_filters_get_a_dutch_message_and_keep_what_was_typed(app, query):
    client = _client_as(app, "fout@example.test")
    response = client.get("/inzicht/?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "data-error-summary" in page and 'aria-invalid="true"' in page


def test_a_bestuurder_sees_inzicht_and_nothing_of_the_board(app):
    client = _client_as(app, "bestuur@example.test", roles=("employee", "executive"))
    home = client.get("/").get_data(as_text=True)
    assert 'href="/inzicht/"' in home and 'href="/bord/"' not in home
    assert client.get("/inzicht/").status_code == 200
    for path in ("/bord/", "/meldingen", "/weekoverleg/", "/juridisch/", "/beheer/gebruikers"):
        assert client.get(path).status_code == 403, path


def test_hours_saved_and_merkbaar_beter_count_what_was_solved_in_the_period(app):
    """Hours saved (confirmed estimates of reports solved in the period, per rule and in
    total) and the answers to 'Merkbaar beter?' about those solutions, per department."""
    from app.models import CheckbackAnswer, CheckbackInvite

    with app.app_context():
        w = World()

        def solved(department, when, estimate=None, *, confirmed=True):
            report = w.report(department, "own", when - timedelta(days=5), [(when, "new", "resolved")], "resolved")
            report.resolved_at = when
            if estimate:
                cases, inhabitant, staff = estimate
                report.impact_cases_per_month, report.impact_affected = cases, "inhabitants"
                report.impact_minutes_inhabitant, report.impact_minutes_staff = inhabitant, staff
                report.impact_confirmed_at = when if confirmed else None
            return report

        big = solved(w.a, at(3, 10), (200, 30, 15))  # 1,200 + 600 hours a year
        small = solved(w.b, at(3, 20), (2, 60, 0))  # 24 + 0
        solved(w.a, at(3, 11), (50, 60, 60), confirmed=False)  # the reporter's guess only
        solved(w.a, at(2, 10), (50, 60, 60))  # solved before the period
        escalated = w.report(w.a, "national", at(3, 3), [(at(3, 4), "new", "escalated")], "escalated")
        escalated.impact_cases_per_month, escalated.impact_affected = 99, "inhabitants"
        escalated.impact_minutes_inhabitant, escalated.impact_minutes_staff = 60, 60
        for report, answer in ((big, "yes"), (big, "no"), (small, "unsure")):
            db.session.add(CheckbackAnswer(report_id=report.id, solved_at=report.resolved_at, answer=answer))
        for n, (report, answered) in enumerate(((big, True), (big, True), (small, True), (small, False))):
            db.session.add(
                CheckbackInvite(
                    report_id=report.id,
                    solved_at=report.resolved_at,
                    recipient_key=f"key-{n}",
                    mailed=True,
                    answered=answered,
                    expires_at=at(5, 1),
                )
            )
        db.session.commit()
        references = {big.id: big.reference, small.id: small.reference}
        department_a = w.a.id

        figure = insight.hours_saved(MARCH)
        assert [row[0] for row in figure.rows] == [references[big.id], references[small.id]]
        assert [row[2:] for row in figure.rows] == [[1200.0, 600.0], [24.0, 0.0]]
        assert figure.notes == [
            "Samen geschat 1.824 uur per jaar: 1.224 uur voor inwoners en ondernemers, 600 uur voor medewerkers, "
            "over 2 opgeloste regels met een bevestigde schatting."
        ]
        assert [s.values for s in figure.series] == [[1200.0, 24.0], [600.0, 0.0]]
        only_a = insight.hours_saved(InsightFilters(MARCH.start, MARCH.end, department_a))
        assert [row[0] for row in only_a.rows] == [references[big.id]]

        answers = insight.better_afterwards(MARCH)
        assert answers.rows == [["Ja", 1], ["Nee", 1], ["Weet ik niet", 1], ["Nog geen antwoord", 1]]
        assert answers.notes and answers.notes[0].startswith("4 vragen gesteld; 1 keer ‘ja’, 1 keer ‘nee’")
        in_a = insight.better_afterwards(InsightFilters(MARCH.start, MARCH.end, department_a))
        assert in_a.rows == [["Ja", 1], ["Nee", 1], ["Weet ik niet", 0], ["Nog geen antwoord", 0]]
        april = InsightFilters(date(2026, 4, 1), date(2026, 4, 30))
        assert not insight.hours_saved(april).rows and not insight.better_afterwards(april).rows
    # The page writes the numbers as Dutch readers do, in the table and at the bars.
    page = _client_as(app, "uren@example.test").get(URL).get_data(as_text=True)
    assert ">1.200</td>" in page and ">600</td>" in page and ">1.800</text>" in page
    assert "1200.0" not in page

"""The board's number of SQL statements, and its size, do not grow with the number of
reports: counts come from one GROUP BY, each column shows one page of cards."""

from __future__ import annotations

import re
from datetime import timedelta

from app.board.routes import PAGE_SIZE
from app.extensions import db
from app.models import Department, Report, User
from app.models.base import utcnow
from app.services import workflow
from app.services.dossiers import LegalReference
from tests.bulk import fill_reports
from tests.factories import count_statements, make_department, make_report, make_support, make_user
from tests.test_board import board_columns, login, page_of


def _people(app) -> None:
    with app.app_context():
        departments = [make_department(f"Afdeling {i}") for i in range(4)]
        for i in range(3):
            make_user(f"Coach {i}", email=f"coach{i}@example.test", roles=("employee", "coach"))
        for i in range(6):
            make_user(f"Collega {i}", email=f"collega{i}@example.test", department=departments[i % 4])
        db.session.commit()


def _add_reports(app, first: int, count: int) -> None:
    """Reports spread over departments, coaches, supporters, anonymity and every column."""
    now = utcnow()
    with app.app_context():
        departments = db.session.scalars(db.select(Department).order_by(Department.id)).all()
        coaches = [db.session.scalar(db.select(User).where(User.email == f"coach{i}@example.test")) for i in range(3)]
        colleagues = [
            db.session.scalar(db.select(User).where(User.email == f"collega{i}@example.test")) for i in range(6)
        ]
        for i in range(first, first + count):
            reporter = colleagues[i % len(colleagues)]
            report = make_report(
                reporter,
                rule=f"Regel nummer {i} die in de weg zit",
                problem="Het gaat mis.",
                department_id=departments[i % 4].id if i % 5 else None,
                anonymous=i % 7 == 0,
            )
            for supporter in colleagues[: i % 4 + 1]:
                if supporter.id != reporter.id:
                    make_support(supporter, report)
            coach = coaches[i % 3]
            kind = i % 5
            if kind >= 1:
                workflow.take_on(report, coach)
            if kind == 2:
                workflow.decide_report(
                    report,
                    actor=coach,
                    outcome="escalated",
                    explanation="Landelijk.",
                    legal=LegalReference("Participatiewet"),
                )
            if kind == 3:
                workflow.decide_report(
                    report, actor=coach, outcome="resolved", explanation="Klaar.", what_changed="Anders."
                )
            if kind == 4 and i % 2:
                report.last_activity_at = now - timedelta(days=30)  # overdue
        db.session.commit()


def _bulk(app, count: int) -> None:
    with app.app_context():
        ids = lambda model, *where: list(db.session.scalars(db.select(model.id).where(*where).order_by(model.id)))  # noqa: E731
        fill_reports(
            count,
            departments=ids(Department),
            coaches=ids(User, User.email.like("coach%")),
            reporters=ids(User, User.email.like("collega%")),
            supporters=ids(User, User.email.like("collega%"))[:3],
        )


def _board(client, app, query: str = "") -> tuple[int, dict[str, list[str]], dict[str, int], str, list[str]]:
    with count_statements(app) as statements:
        response = client.get("/bord/" + query)
    assert response.status_code == 200
    page = page_of(response)
    counts = dict(re.findall(r'id="kolom-([a-z-]+)" tabindex="-1">[^<]*<span class="rk-board__count">(\d+)<', page))
    return len(statements), board_columns(page), {key: int(n) for key, n in counts.items()}, page, list(statements)


def _on_board(app) -> dict[str, int]:
    """What each column should count, straight from the table."""
    now = utcnow()
    recent = now - timedelta(days=app.config["RECENT_DONE_DAYS"])
    columns = {"new": "nieuw", "in_progress": "in-behandeling", "escalated": "geescaleerd"}
    counts = dict.fromkeys(["nieuw", "in-behandeling", "geescaleerd", "afgerond"], 0)
    with app.app_context():
        for status, activity in db.session.execute(db.select(Report.status, Report.last_activity_at)):
            if status in columns:
                counts[columns[status]] += 1
            elif activity >= recent:
                counts["afgerond"] += 1
    return counts


def _fresh_and_kept(client, app):
    """The board right after a change (the counts are counted), and again (they are kept)."""
    fresh = _board(client, app)
    kept = _board(client, app)
    assert kept[2] == fresh[2] and kept[1] == fresh[1]
    assert kept[0] == fresh[0] - 1, "the second view should reuse the counts:\n" + "\n".join(kept[4])
    return fresh


def test_board_queries_and_size_do_not_grow_with_the_number_of_reports(app):
    _people(app)
    client = login(app, "coach0@example.test")
    client.get("/bord/")  # warm up: anything done once per process is not counted
    _add_reports(app, 0, 5)
    few, few_columns, few_counts, _, few_sql = _fresh_and_kept(client, app)
    assert sum(len(refs) for refs in few_columns.values()) == 5 and few_counts == _on_board(app)

    _add_reports(app, 5, 55)
    sixty, columns, counts, _, _ = _fresh_and_kept(client, app)
    assert sum(len(refs) for refs in columns.values()) == 60
    assert counts == _on_board(app) and {key: len(refs) for key, refs in columns.items()} == counts

    _bulk(app, 140)
    two_hundred, columns, counts, page_200, _ = _fresh_and_kept(client, app)
    assert counts == _on_board(app) and sum(counts.values()) > 4 * PAGE_SIZE
    assert all(len(refs) == PAGE_SIZE for refs in columns.values())
    assert "Toon meer (" in page_200

    _bulk(app, 400)
    six_hundred, columns, counts, page_600, many_sql = _fresh_and_kept(client, app)
    assert counts == _on_board(app) and all(len(refs) == PAGE_SIZE for refs in columns.values())
    assert few == sixty == two_hundred == six_hundred, (
        "statements for 5 reports:\n" + "\n".join(few_sql) + "\n\nfor 600:\n" + "\n".join(many_sql)
    )
    # The user and roles, departments, coaches and roles, whether reports changed, the
    # counts, the ids of every column's page (one UNION), those reports, supporters and
    # what the user follows anonymously (and on SQLite the transaction's BEGIN).
    assert six_hundred <= 12, "\n".join(many_sql)
    # Full pages: three times the reports, the same page (give or take other titles).
    assert len(page_600.encode()) < len(page_200.encode()) * 1.03
    # And a page of cards stays small: about 1 kB a card.
    assert len(page_600.encode()) < 100 * 1024


def test_counts_are_kept_only_while_nothing_changes(app, monkeypatch):
    from app.board import routes

    _people(app)
    _add_reports(app, 0, 10)
    client = login(app, "coach0@example.test")
    before = _board(client, app)[2]
    assert before == _on_board(app)
    # Acted on: counted again at once.
    with app.app_context():
        report = db.session.scalar(db.select(Report).where(Report.status == "new").order_by(Report.id))
        workflow.take_on(report, db.session.scalar(db.select(User).where(User.email == "coach1@example.test")))
        db.session.commit()
    after = _board(client, app)[2]
    assert after == _on_board(app) != before
    assert (after["nieuw"], after["in-behandeling"]) == (before["nieuw"] - 1, before["in-behandeling"] + 1)
    # A new report too.
    _add_reports(app, 10, 1)
    assert _board(client, app)[2] == _on_board(app)
    # A change behind the application's back shows once the counts are old enough.
    with app.app_context():
        db.session.execute(db.update(Report).where(Report.status == "new").values(status="escalated"))
        db.session.commit()
    assert _board(client, app)[2] != _on_board(app)
    monkeypatch.setattr(routes, "COUNTS_MAX_AGE", timedelta(0))
    assert _board(client, app)[2] == _on_board(app)


def test_filters_count_what_they_show(app):
    """The counts follow the filters; a column's next pages go through all its cards once."""
    _people(app)
    _add_reports(app, 0, 40)
    _bulk(app, 300)
    client = login(app, "coach0@example.test")
    with app.app_context():
        department = db.session.scalar(db.select(Department.id).order_by(Department.id))
        coach = db.session.scalar(db.select(User.id).where(User.email == "coach1@example.test"))
    for query in (f"?afdeling={department}", f"?coach={coach}", "?coach=geen", "?stil=1", "?mijn=1", "?zoek=papier"):
        _, columns, counts, _, _ = _board(client, app, query)
        for key, refs in columns.items():
            assert len(refs) == min(counts[key], PAGE_SIZE), query
            seen = list(refs)
            page = 2
            while len(seen) < counts[key]:
                _, more, again, _, _ = _board(client, app, f"{query}&{key}-pagina={page}")
                assert again == counts and more[key], (query, key, page)
                seen += more[key]
                page += 1
            assert len(seen) == len(set(seen)) == counts[key], (query, key)


def test_the_card_just_moved_is_shown_even_on_another_page_of_its_column(app):
    _people(app)
    _bulk(app, 200)  # more than a page of every column, all older than what follows
    _add_reports(app, 200, 1)  # i % 5 == 0: a new report, the newest
    client = login(app, "coach0@example.test")
    with app.app_context():
        report = db.session.scalar(db.select(Report).order_by(Report.id.desc()))
        reference = report.reference
    page = page_of(client.get("/bord/"))
    assert reference not in page  # the newest new report waits on the column's last page
    fields_page = page_of(client.get(f"/bord/meldingen/{reference}/verplaatsen?coach=geen"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', fields_page).group(1)
    version = re.search(r'name="oppakken-version" value="(\d+)"', fields_page).group(1)
    response = client.post(
        f"/bord/meldingen/{reference}/oppakken?coach=geen",
        data={"csrf_token": token, "oppakken-version": version},
    )
    assert response.headers["Location"] == f"/bord/?coach=geen&kaart={reference}#kaart-{reference}"
    # Under 'nog niemand' it has left the board: not shown, the message says what happened.
    left = page_of(client.get(response.headers["Location"]))
    assert "U gaat achter" in left and f'id="kaart-{reference}"' not in left
    # Without the filter it is the first card of In behandeling, marked, and only there.
    _, columns, counts, board, _ = _board(client, app, f"?kaart={reference}")
    assert columns["in-behandeling"][0] == reference and len(columns["in-behandeling"]) == PAGE_SIZE + 1
    assert board.count(f'id="kaart-{reference}"') == 1 and "Zojuist verplaatst" in board
    assert counts == _on_board(app)
    # A card already on the page stays in its place, unmarked; a bad value is ignored.
    first = columns["nieuw"][0]
    _, again, _, board, _ = _board(client, app, f"?kaart={first}")
    assert again["nieuw"][0] == first and "Zojuist verplaatst" not in board
    for value in ("RK-2026-99999999999999", "<script>", "RK-0-0", "x" * 5000):
        _, columns, _, _, _ = _board(client, app, f"?kaart={value}")
        assert all(len(refs) == PAGE_SIZE for refs in columns.values())

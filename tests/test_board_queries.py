"""The board's number of SQL statements does not grow with the number of cards."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from app.extensions import db
from app.models import Department, User
from app.models.base import utcnow
from app.services import workflow
from app.services.dossiers import LegalReference
from tests.factories import make_department, make_report, make_support, make_user
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


@contextmanager
def count_statements(app):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _board_statements(client, app) -> tuple[int, int, list[str]]:
    with count_statements(app) as statements:
        response = client.get("/bord/")
    assert response.status_code == 200
    cards = sum(len(refs) for refs in board_columns(page_of(response)).values())
    return len(statements), cards, list(statements)


def test_board_queries_do_not_grow_with_the_number_of_cards(app):
    _people(app)
    _add_reports(app, 0, 5)
    client = login(app, "coach0@example.test")
    client.get("/bord/")  # warm up: anything done once per process is not counted
    few, few_cards, few_sql = _board_statements(client, app)
    _add_reports(app, 5, 55)
    many, many_cards, many_sql = _board_statements(client, app)
    assert few_cards == 5 and many_cards == 60
    assert few == many, "statements for 5 cards:\n" + "\n".join(few_sql) + "\n\nfor 60 cards:\n" + "\n".join(many_sql)
    assert many <= 12, "\n".join(many_sql)

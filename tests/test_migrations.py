"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and on
PostgreSQL (QUALITY.md, reliability 12): a migration that forgets a column, an index or a
type shows up here, not in production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, make_url, text

from app.extensions import db
from app.models import Event, Report

# Tables kept by hand-written SQL (search index, rate limits), as in migrations/env.py.
HAND_MADE = ("report_fts", "report_search", "search_word", "search_word_grams", "rate_limit")


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and (name in HAND_MADE or name.startswith(("report_fts_", "search_word_grams_"))))


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours, "compare_type": True})
        differences = compare_metadata(context, db.metadata)
        connection.rollback()
    assert differences == [], "\n".join(str(d) for d in differences)


def test_every_table_is_emptied_between_tests():
    """A table missing from tests.conftest.TABLES leaks one test's rows into the next."""
    from tests.conftest import TABLES

    assert set(db.metadata.tables) - set(TABLES) == {"addressee"}, "addressee keeps its starting list"


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the suite's kind, for migrating step by step."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    scratch = url.set(database=f"{url.database}_scratch")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    drop()
    admin.dispose()


def test_0017_fills_the_first_steps_of_existing_reports_from_their_timelines(scratch_url):
    from flask_migrate import upgrade

    from tests.conftest import ROOT, _app_for

    app = _app_for(scratch_url)
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="0016")
        with db.engine.begin() as conn:
            for number, steps in (
                (
                    1,
                    [
                        ("new", "in_progress", 1),
                        ("in_progress", "resolved", 3),
                        ("resolved", "in_progress", 5),
                        ("in_progress", "explained", 8),
                    ],
                ),
                (2, [("new", "merged", 2)]),
                (3, []),
            ):
                conn.execute(
                    Report.__table__.insert().values(
                        id=number,
                        year=2026,
                        number=number,
                        rule="Regel",
                        problem="Probleem",
                        origin="own",
                        is_anonymous=False,
                        status=steps[-1][1] if steps else "new",
                        version=1,
                        text_public=False,
                        last_activity_at=start,
                        created_at=start,
                        updated_at=start,
                    )
                )
                conn.execute(
                    Event.__table__.insert().values(
                        report_id=number, kind="submitted", to_status="new", is_public=True, created_at=start
                    )
                )
                for from_status, to_status, days in steps:
                    conn.execute(
                        Event.__table__.insert().values(
                            report_id=number,
                            kind="status_changed",
                            from_status=from_status,
                            to_status=to_status,
                            is_public=True,
                            created_at=start + timedelta(days=days),
                        )
                    )
        upgrade(directory=str(ROOT / "migrations"))
        found = {
            report.number: (report.taken_on_at, report.decided_at)
            for report in db.session.scalars(db.select(Report).order_by(Report.number))
        }
        db.session.remove()
        db.engine.dispose()
    day = lambda n: start + timedelta(days=n)  # noqa: E731
    assert found == {1: (day(1), day(3)), 2: (day(2), day(2)), 3: (None, None)}


def test_0024_attachments_downgrades_and_upgrades_again(scratch_url):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from tests.conftest import ROOT, _app_for

    app = _app_for(scratch_url)
    directory = str(ROOT / "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="0024")
        assert "attachment" in inspect(db.engine).get_table_names()
        downgrade(directory=directory, revision="0023")
        assert "attachment" not in inspect(db.engine).get_table_names()
        upgrade(directory=directory)
        columns = {c["name"] for c in inspect(db.engine).get_columns("attachment")}
        db.session.remove()
        db.engine.dispose()
    # No original file name, ever: the name a person sees is generated.
    assert not {"filename", "file_name", "original_name", "name"} & columns
    assert {"storage_key", "preview_key", "uploader_pseudonym", "media_type"} <= columns

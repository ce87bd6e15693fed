"""`flask db upgrade` builds exactly the schema the models describe, on SQLite and on
PostgreSQL (QUALITY.md, reliability 12): a migration that forgets a column, an index or a
type shows up here, not in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db

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

"""Search index of terms: stemmed words per report, and a vocabulary for typos.

The index of 0001 held normalized text (SQLite: FTS5 trigrams; PostgreSQL: a Dutch
tsvector plus the whole text under pg_trgm) and every search re-ranked up to 200 reports
in Python. From here the index holds each report's *terms* (app/search.py: Snowball stems
of the significant words of rule and problem), and a vocabulary of all terms with a
trigram index, so a typo is looked up in the vocabulary instead of in every report:

* SQLite: report_fts is FTS5 over the terms (unicode61); search_word is the vocabulary
  with search_word_grams, an FTS5 trigram index kept in sync by triggers.
* PostgreSQL: report_search holds rule_terms, problem_terms and a GIN-indexed tsvector of
  the terms ('simple': the stemming is done in Python, the same on both databases);
  search_word is the vocabulary with a pg_trgm GIN index (used by `<%`).

The index is rebuilt here from the reports (app.search.rebuild_index: the stemming lives
in Python, so SQL alone cannot fill it). Downgrading restores the 0001 tables, empty:
run `flask rebuild-search-index` on the older version afterwards.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:40:00

"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_report_search_document")
        op.execute("DROP INDEX IF EXISTS ix_report_search_plain")
        op.execute("DELETE FROM report_search")
        op.execute("ALTER TABLE report_search DROP COLUMN document, DROP COLUMN plain")
        op.execute(
            "ALTER TABLE report_search ADD COLUMN rule_terms TEXT NOT NULL DEFAULT '', "
            "ADD COLUMN problem_terms TEXT NOT NULL DEFAULT '', ADD COLUMN terms TSVECTOR NOT NULL"
        )
        op.execute("CREATE INDEX ix_report_search_terms ON report_search USING GIN (terms)")
        op.execute("CREATE TABLE search_word (word TEXT PRIMARY KEY)")
        op.execute("CREATE INDEX ix_search_word_trgm ON search_word USING GIN (word gin_trgm_ops)")
    else:
        op.execute("DROP TABLE IF EXISTS report_fts")
        op.execute("CREATE VIRTUAL TABLE report_fts USING fts5(rule, problem)")
        op.execute("CREATE TABLE search_word (id INTEGER PRIMARY KEY, word TEXT NOT NULL UNIQUE)")
        op.execute(
            "CREATE VIRTUAL TABLE search_word_grams USING fts5("
            "word, content='search_word', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER search_word_added AFTER INSERT ON search_word BEGIN "
            "INSERT INTO search_word_grams (rowid, word) VALUES (new.id, new.word); END"
        )
        op.execute(
            "CREATE TRIGGER search_word_removed AFTER DELETE ON search_word BEGIN "
            "INSERT INTO search_word_grams (search_word_grams, rowid, word) VALUES ('delete', old.id, old.word); END"
        )
    from app.search import rebuild_index

    rebuild_index(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE search_word")
        op.execute("DROP INDEX IF EXISTS ix_report_search_terms")
        op.execute("DELETE FROM report_search")
        op.execute("ALTER TABLE report_search DROP COLUMN rule_terms, DROP COLUMN problem_terms, DROP COLUMN terms")
        op.execute("ALTER TABLE report_search ADD COLUMN document TSVECTOR NOT NULL, ADD COLUMN plain TEXT NOT NULL")
        op.execute("CREATE INDEX ix_report_search_document ON report_search USING GIN (document)")
        op.execute("CREATE INDEX ix_report_search_plain ON report_search USING GIN (plain gin_trgm_ops)")
    else:
        op.execute("DROP TRIGGER IF EXISTS search_word_added")
        op.execute("DROP TRIGGER IF EXISTS search_word_removed")
        op.execute("DROP TABLE IF EXISTS search_word_grams")
        op.execute("DROP TABLE IF EXISTS search_word")
        op.execute("DROP TABLE IF EXISTS report_fts")
        op.execute("CREATE VIRTUAL TABLE report_fts USING fts5(rule, problem, tokenize='trigram')")

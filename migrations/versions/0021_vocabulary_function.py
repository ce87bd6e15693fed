"""The vocabulary look-up of similar reports as one PostgreSQL function.

A query word's typo and compound forms are looked up in `search_word` through its pg_trgm
GIN index, but below some ten thousand words the planner prices a trigram comparison like
an equality and reads the whole vocabulary instead. The look-up used to switch sequential
scans off around its statement (SET LOCAL, two more round trips, and only inside a
transaction: read-only requests run in autocommit, app/transactions.py). A function can
carry the setting itself (`SET enable_seqscan = off` applies while it runs), so the look-up
is one statement; PL/pgSQL keeps its plan per connection. SQLite has no such need (its
trigram table is FTS5): nothing happens there.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 05:00:00

"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # terms: the query's words; parts: beginnings and ends of compounds, looked up exactly;
    # per term its `lim` nearest vocabulary words (`<%`: the term within a word, `%`: alike).
    op.execute(
        """
        CREATE FUNCTION rodeknop_vocabulary(terms text[], parts text[], lim integer)
        RETURNS TABLE (query_word integer, found text)
        LANGUAGE plpgsql STABLE
        SET enable_seqscan = off
        AS $$
        BEGIN
            RETURN QUERY
                SELECT -1, w.word FROM search_word w WHERE w.word = ANY(parts)
                UNION ALL
                SELECT (q.i - 1)::integer, v.word
                FROM unnest(terms) WITH ORDINALITY AS q(term, i)
                CROSS JOIN LATERAL (
                    SELECT s.word FROM search_word s
                    WHERE q.term <% s.word OR q.term % s.word
                    ORDER BY q.term <<-> s.word
                    LIMIT lim
                ) AS v;
        END
        $$
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION rodeknop_vocabulary(text[], text[], integer)")

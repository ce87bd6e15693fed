"""Bounded strings: every text column has a maximum length.

TEXT becomes VARCHAR(n), with n the limit the models, forms and services use (app/models:
TEXT_MAX, NOTE_MAX, EVENT_TEXT_MAX, ...).

The numbers are written out here, not imported: a migration describes the schema as it was
at this revision. Existing rows were written through the same limits, so nothing is cut
off; should a value be longer after all, PostgreSQL stops the upgrade instead of losing
text.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table -> [(column, new length, nullable)]
COLUMNS = {
    "report": [
        ("problem", 5000, False),
        ("effect", 5000, True),
        ("suggestion", 5000, True),
        ("outcome", 5000, True),
        ("explanation", 5000, True),
    ],
    "support": [("note", 1000, True)],
    "event": [("text", 11000, True)],
    "dossier": [("answer", 5000, True), ("answer_summary", 5000, True)],
    "dossier_event": [("text", 5000, True)],
    "triage_item": [("decision", 1000, True)],
    "job_run": [("result", 2000, True)],
    "outbox_message": [("body_text", 1000000, False), ("body_html", 1000000, True)],
}


def upgrade():
    # Batch mode: SQLite copies each table once (foreign keys are off during migrations,
    # see migrations/env.py); PostgreSQL gets plain ALTER COLUMN ... TYPE statements.
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column, length, nullable in columns:
                batch.alter_column(
                    column, type_=sa.String(length=length), existing_type=sa.Text(), existing_nullable=nullable
                )


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column, length, nullable in columns:
                batch.alter_column(
                    column, type_=sa.Text(), existing_type=sa.String(length=length), existing_nullable=nullable
                )

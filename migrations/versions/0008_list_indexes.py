"""List indexes: Mijn meldingen walks a user's reports newest activity first.

A report is someone's through reporter_id (named) or reporter_pseudonym (anonymous); each
gets an index on (who, last_activity_at, id), so a page of a user with thousands of
reports is an index walk instead of a sort of all of them. They replace the indexes on
the single columns (whose lookups they serve as well).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:00:00

"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_report_reporter_activity", "report", ["reporter_id", "last_activity_at", "id"])
    op.create_index("ix_report_pseudonym_activity", "report", ["reporter_pseudonym", "last_activity_at", "id"])
    op.drop_index("ix_report_reporter_id", table_name="report")
    op.drop_index("ix_report_reporter_pseudonym", table_name="report")


def downgrade():
    op.create_index("ix_report_reporter_pseudonym", "report", ["reporter_pseudonym"])
    op.create_index("ix_report_reporter_id", "report", ["reporter_id"])
    op.drop_index("ix_report_pseudonym_activity", table_name="report")
    op.drop_index("ix_report_reporter_activity", table_name="report")

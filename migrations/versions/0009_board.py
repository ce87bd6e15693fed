"""The board at real size: two indexes that let each column read its first page and the
column counts from an index instead of scanning and sorting every report.

* (status, created_at, id): a column's cards, the longest waiting first.
* (status, last_activity_at): the count per status of what is on the board (open, or
  ended recently), the 'Afgerond' column (latest first) and the 'te lang stil' filter.
* duplicate_of_id: without it, deleting a report (retention, or emptying a table) checks
  the self-referencing foreign key by scanning every report, for every row deleted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:30:00

"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_report_status_created_at", "report", ["status", "created_at", "id"])
    op.create_index("ix_report_status_last_activity_at", "report", ["status", "last_activity_at"])
    op.create_index("ix_report_duplicate_of_id", "report", ["duplicate_of_id"])


def downgrade():
    op.drop_index("ix_report_duplicate_of_id", table_name="report")
    op.drop_index("ix_report_status_last_activity_at", table_name="report")
    op.drop_index("ix_report_status_created_at", table_name="report")

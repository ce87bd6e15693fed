"""A report's first steps, for the lead times on Inzicht: when it first left Nieuw
(`taken_on_at`) and when it first ended (`decided_at`), kept on the report so the
dashboard reads them from the report rows instead of every report's timeline. Filled for
existing reports from their timelines (the first status change out of Nieuw, and the
first to an ending).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 01:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ENDINGS = ("resolved", "explained", "escalated", "merged")


def upgrade():
    with op.batch_alter_table("report") as batch_op:
        batch_op.add_column(sa.Column("taken_on_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
    endings = ", ".join(f"'{status}'" for status in ENDINGS)
    op.execute(
        "UPDATE report SET "
        "taken_on_at = (SELECT MIN(event.created_at) FROM event WHERE event.report_id = report.id "
        "AND event.kind = 'status_changed' AND event.from_status = 'new' AND event.to_status <> 'new'), "
        "decided_at = (SELECT MIN(event.created_at) FROM event WHERE event.report_id = report.id "
        f"AND event.kind = 'status_changed' AND event.to_status IN ({endings}))"
    )


def downgrade():
    with op.batch_alter_table("report") as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("taken_on_at")

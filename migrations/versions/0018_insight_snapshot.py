"""Inzicht's kept figures: per view of the dashboard the figures as last computed, shared
by the web workers and refreshed by the scheduler.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "insight_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("view_key", sa.String(length=40), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("marker", sa.String(length=300), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("figures", sa.String(length=1000000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_snapshot")),
        sa.UniqueConstraint("view_key", name=op.f("uq_insight_snapshot_view_key")),
    )
    op.create_index(op.f("ix_insight_snapshot_viewed_at"), "insight_snapshot", ["viewed_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_insight_snapshot_viewed_at"), table_name="insight_snapshot")
    op.drop_table("insight_snapshot")

"""The impact of a rule (an estimate per report: cases per month, minutes per case for the
inhabitant and for staff, who is affected, and the solving coach's confirmation), and the
mark that a report's texts may appear in the open data.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 22:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("impact_cases_per_month", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("impact_minutes_inhabitant", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("impact_minutes_staff", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("impact_affected", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("impact_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("impact_confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("text_public", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_impact_confirmed_by_id_user"), "user", ["impact_confirmed_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_impact_confirmed_by_id_user"), type_="foreignkey")
        batch_op.drop_column("text_public")
        batch_op.drop_column("impact_confirmed_by_id")
        batch_op.drop_column("impact_confirmed_at")
        batch_op.drop_column("impact_affected")
        batch_op.drop_column("impact_minutes_staff")
        batch_op.drop_column("impact_minutes_inhabitant")
        batch_op.drop_column("impact_cases_per_month")

"""'Merkbaar beter?': invitations (one per recipient and solution of a report) and the
answers, kept apart so an answer never says who gave it.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01 22:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "checkback_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient_key", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("mailed", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_checkback_invite_report_id_report"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_checkback_invite_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkback_invite")),
        sa.UniqueConstraint("recipient_key", name=op.f("uq_checkback_invite_recipient_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_checkback_invite_token_hash")),
    )
    with op.batch_alter_table("checkback_invite", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkback_invite_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkback_invite_solved_at"), ["solved_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkback_invite_user_id"), ["user_id"], unique=False)

    op.create_table(
        "checkback_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.String(length=5000), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_checkback_answer_report_id_report"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkback_answer")),
    )
    with op.batch_alter_table("checkback_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkback_answer_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkback_answer_solved_at"), ["solved_at"], unique=False)


def downgrade():
    with op.batch_alter_table("checkback_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkback_answer_solved_at"))
        batch_op.drop_index(batch_op.f("ix_checkback_answer_report_id"))
    op.drop_table("checkback_answer")
    with op.batch_alter_table("checkback_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkback_invite_user_id"))
        batch_op.drop_index(batch_op.f("ix_checkback_invite_solved_at"))
        batch_op.drop_index(batch_op.f("ix_checkback_invite_report_id"))
    op.drop_table("checkback_invite")

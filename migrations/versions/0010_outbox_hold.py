"""Held mail and undo in the weekly session: an outbox row can be held back and grouped
(one mail per recipient and report for a session's steps), and an agenda item keeps what
its decision changed so the session can undo it while the mails are held.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-15 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("group_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("hold_parts", sa.String(length=1_000_000), nullable=True))
        batch.create_index(batch.f("ix_outbox_message_group_key"), ["group_key"], unique=False)
    with op.batch_alter_table("triage_item") as batch:
        batch.add_column(sa.Column("undo_state", sa.String(length=20_000), nullable=True))


def downgrade():
    with op.batch_alter_table("triage_item") as batch:
        batch.drop_column("undo_state")
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_index(batch.f("ix_outbox_message_group_key"))
        batch.drop_column("hold_parts")
        batch.drop_column("group_key")

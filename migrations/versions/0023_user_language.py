"""A user's own language for pages and mails (app/i18n.py); empty: the municipality's.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 04:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("language")

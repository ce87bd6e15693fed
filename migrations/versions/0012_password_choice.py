"""A password someone else chose (the command line's create-user) must be replaced by the
account's owner at their first login: user.must_choose_password.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("must_choose_password", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("must_choose_password")

"""Single sign-on (OpenID Connect): a user's identity at the provider (issuer and subject,
unique together), and which of a user's roles the provider's groups granted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 20:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("uq_user_oidc_issuer", ["oidc_issuer", "oidc_subject"])
    with op.batch_alter_table("user_role") as batch:
        batch.add_column(sa.Column("from_provider", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("user_role") as batch:
        batch.drop_column("from_provider")
    with op.batch_alter_table("user") as batch:
        batch.drop_constraint("uq_user_oidc_issuer", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")

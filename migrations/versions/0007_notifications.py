"""Notifications: a mail choice per kind of mail, the daily overview, and a default owner
per addressee.

* `mail_preference`: one row per user and kind of mail they chose something else than
  'direct' for. The old all-or-nothing `user.mail_preference` goes; who chose 'none' keeps
  getting no mail of any switchable kind (the kinds are written out: a migration describes
  the schema as it was at this revision).
* `outbox_message.kind` (whose choice applies) and `outbox_message.digest` (waiting for the
  daily overview).
* `addressee.default_owner_id`: who at Juridische Zaken takes dossiers to this addressee.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KINDS = ("own_reports", "followed_reports", "assigned", "reminders", "escalations", "overviews")


def upgrade():
    op.create_table(
        "mail_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_mail_preference_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_mail_preference_user_id")),
    )
    with op.batch_alter_table("mail_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_preference_user_id"), ["user_id"], unique=False)

    quiet = sa.table("user", sa.column("id", sa.Integer), sa.column("mail_preference", sa.String))
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(quiet.c.id).where(quiet.c.mail_preference == "none"))]
    if ids:
        preference = sa.table(
            "mail_preference", sa.column("user_id", sa.Integer), sa.column("kind", sa.String), sa.column("choice", sa.String)
        )
        op.bulk_insert(preference, [{"user_id": i, "kind": kind, "choice": "none"} for i in ids for kind in KINDS])
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("mail_preference")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("addressee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_owner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_addressee_default_owner_id_user"), "user", ["default_owner_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("addressee", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_addressee_default_owner_id_user"), type_="foreignkey")
        batch_op.drop_column("default_owner_id")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("digest")
        batch_op.drop_column("kind")

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_preference", sa.String(length=10), nullable=False, server_default="each"))
    connection = op.get_bind()
    connection.execute(
        sa.text(
            'UPDATE "user" SET mail_preference = \'none\' WHERE id IN '
            "(SELECT user_id FROM mail_preference WHERE choice = 'none' GROUP BY user_id HAVING COUNT(*) >= :n)"
        ),
        {"n": len(KINDS)},
    )
    with op.batch_alter_table("mail_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_preference_user_id"))
    op.drop_table("mail_preference")

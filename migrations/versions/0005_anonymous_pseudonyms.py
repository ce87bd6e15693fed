"""Anonymous reporters and followers are stored as a keyed pseudonym, never as a user id;
outbox rows can address a pseudonym and carry a stable Message-ID.

Existing anonymous reports and anonymous supports get their pseudonym (computed with the
configured ANONYMITY_KEY) and lose the user id. Sent mails without a dedupe key are only a
log, and some of them join an anonymous reporter's address to a report reference: they go.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("reporter_pseudonym", sa.String(length=64), nullable=True))
        batch.alter_column("reporter_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index(batch.f("ix_report_reporter_pseudonym"), ["reporter_pseudonym"], unique=False)
    with op.batch_alter_table("support") as batch:
        batch.add_column(sa.Column("follower_pseudonym", sa.String(length=64), nullable=True))
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index(batch.f("ix_support_follower_pseudonym"), ["follower_pseudonym"], unique=False)
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("to_pseudonym", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch.alter_column("to_address", existing_type=sa.String(length=254), nullable=True)

    # The pseudonym is the application's own (app.anonymity), under this installation's key.
    from app.anonymity import pseudonym

    connection = op.get_bind()
    for report_id, user_id in connection.execute(
        sa.text("SELECT id, reporter_id FROM report WHERE is_anonymous AND reporter_id IS NOT NULL")
    ).all():
        connection.execute(
            sa.text("UPDATE report SET reporter_pseudonym = :p, reporter_id = NULL WHERE id = :id"),
            {"p": pseudonym(user_id), "id": report_id},
        )
    for support_id, user_id in connection.execute(
        sa.text("SELECT id, user_id FROM support WHERE anonymous AND user_id IS NOT NULL")
    ).all():
        connection.execute(
            sa.text("UPDATE support SET follower_pseudonym = :p, user_id = NULL WHERE id = :id"),
            {"p": pseudonym(user_id), "id": support_id},
        )
    connection.execute(sa.text("DELETE FROM outbox_message WHERE sent_at IS NOT NULL AND dedupe_key IS NULL"))


def downgrade():
    # The pseudonyms cannot be turned back into ids without trying every user: do that.
    from app.anonymity import pseudonym

    connection = op.get_bind()
    ids = {pseudonym(user_id): user_id for (user_id,) in connection.execute(sa.text('SELECT id FROM "user"')).all()}
    for report_id, value in connection.execute(
        sa.text("SELECT id, reporter_pseudonym FROM report WHERE reporter_pseudonym IS NOT NULL")
    ).all():
        connection.execute(
            sa.text("UPDATE report SET reporter_id = :u WHERE id = :id"), {"u": ids.get(value), "id": report_id}
        )
    for support_id, value in connection.execute(
        sa.text("SELECT id, follower_pseudonym FROM support WHERE follower_pseudonym IS NOT NULL")
    ).all():
        connection.execute(
            sa.text("UPDATE support SET user_id = :u WHERE id = :id"), {"u": ids.get(value), "id": support_id}
        )
    # Rows whose person could not be found (forgotten links) cannot satisfy NOT NULL again.
    connection.execute(sa.text("DELETE FROM support WHERE user_id IS NULL"))
    connection.execute(sa.text("DELETE FROM outbox_message WHERE to_address IS NULL"))
    with op.batch_alter_table("outbox_message") as batch:
        batch.alter_column("to_address", existing_type=sa.String(length=254), nullable=False)
        batch.drop_column("message_id")
        batch.drop_column("to_pseudonym")
    with op.batch_alter_table("support") as batch:
        batch.drop_index(batch.f("ix_support_follower_pseudonym"))
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("follower_pseudonym")
    with op.batch_alter_table("report") as batch:
        batch.drop_index(batch.f("ix_report_reporter_pseudonym"))
        batch.drop_column("reporter_pseudonym")

"""The shared register of national rules: the register's members, entries, letter joins and
refused requests; an installation's publications, deliveries and copy of the register.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 04:32:40

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "register_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_member")),
        sa.UniqueConstraint("name", name=op.f("uq_register_member_name")),
    )
    op.create_table(
        "register_mirror",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bwb_id", sa.String(length=20), nullable=False),
        sa.Column("article_key", sa.String(length=100), nullable=False),
        sa.Column("data", sa.String(length=200000), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_mirror")),
        sa.UniqueConstraint("bwb_id", "article_key", name=op.f("uq_register_mirror_bwb_id")),
    )
    op.create_table(
        "register_refusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_member", sa.String(length=40), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_refusal")),
    )
    with op.batch_alter_table("register_refusal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_refusal_at"), ["at"], unique=False)

    op.create_table(
        "register_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("law_title", sa.String(length=300), nullable=False),
        sa.Column("bwb_id", sa.String(length=20), nullable=False),
        sa.Column("article", sa.String(length=100), nullable=True),
        sa.Column("article_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("addressee", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.String(length=5000), nullable=False),
        sa.Column("answer_summary", sa.String(length=5000), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("answer_due", sa.Date(), nullable=True),
        sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["register_member.id"],
            name=op.f("fk_register_entry_member_id_register_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entry")),
        sa.UniqueConstraint("member_id", "dossier_id", name=op.f("uq_register_entry_member_id")),
    )
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_entry_bwb_id"), ["bwb_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_entry_member_id"), ["member_id"], unique=False)

    op.create_table(
        "register_letter_join",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("bwb_id", sa.String(length=20), nullable=False),
        sa.Column("article_key", sa.String(length=100), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["register_member.id"],
            name=op.f("fk_register_letter_join_member_id_register_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_letter_join")),
        sa.UniqueConstraint("member_id", "bwb_id", "article_key", name=op.f("uq_register_letter_join_member_id")),
    )
    with op.batch_alter_table("register_letter_join", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_letter_join_member_id"), ["member_id"], unique=False)

    op.create_table(
        "register_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.String(length=20000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_register_delivery_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_delivery")),
    )
    with op.batch_alter_table("register_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_delivery_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_delivery_next_attempt_at"), ["next_attempt_at"], unique=False)

    op.create_table(
        "register_publication",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=5000), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letter_joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_register_publication_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_register_publication")),
    )


def downgrade():
    op.drop_table("register_publication")
    with op.batch_alter_table("register_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_delivery_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_register_delivery_dossier_id"))

    op.drop_table("register_delivery")
    with op.batch_alter_table("register_letter_join", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_letter_join_member_id"))

    op.drop_table("register_letter_join")
    with op.batch_alter_table("register_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entry_member_id"))
        batch_op.drop_index(batch_op.f("ix_register_entry_bwb_id"))

    op.drop_table("register_entry")
    with op.batch_alter_table("register_refusal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_refusal_at"))

    op.drop_table("register_refusal")
    op.drop_table("register_mirror")
    op.drop_table("register_member")

"""Attachments: files that come with a report (issue 13); the files live in app.storage.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("support_id", sa.Integer(), nullable=True),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("uploader_pseudonym", sa.String(length=64), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("preview_key", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("preview_media_type", sa.String(length=40), nullable=True),
        sa.Column("extension", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["support_id"], ["support.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["uploader_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "number"),
        sa.UniqueConstraint("storage_key"),
        sa.UniqueConstraint("preview_key"),
    )
    op.create_index("ix_attachment_report_id", "attachment", ["report_id"])
    op.create_index("ix_attachment_support_id", "attachment", ["support_id"])
    op.create_index("ix_attachment_uploader_id", "attachment", ["uploader_id"])


def downgrade():
    op.drop_table("attachment")

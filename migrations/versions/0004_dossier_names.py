"""One name per concept: the escalation dossier is a `dossier` in the schema too.

escalation -> dossier, escalation_event -> dossier_event, escalation_id -> dossier_id (in
report and dossier_event), with their indexes, constraints and (PostgreSQL) sequences.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:30:00

"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = {"escalation": "dossier", "escalation_event": "dossier_event"}
COLUMN = ("escalation_id", "dossier_id")  # in report and in the event table
# (table after the rename, old index name, new index name, column after the rename)
INDEXES = [
    ("dossier", "ix_escalation_answer_due", "ix_dossier_answer_due", "answer_due"),
    ("dossier", "ix_escalation_bwb_id", "ix_dossier_bwb_id", "bwb_id"),
    ("dossier", "ix_escalation_follow_up_on", "ix_dossier_follow_up_on", "follow_up_on"),
    ("dossier", "ix_escalation_owner_id", "ix_dossier_owner_id", "owner_id"),
    ("dossier", "ix_escalation_status", "ix_dossier_status", "status"),
    ("dossier_event", "ix_escalation_event_escalation_id", "ix_dossier_event_dossier_id", "dossier_id"),
    ("report", "ix_report_escalation_id", "ix_report_dossier_id", "dossier_id"),
]
# (table after the rename, old name, new name, referred table after the rename, column after the rename)
FOREIGN_KEYS = [
    (
        "dossier",
        "fk_escalation_addressee_id_addressee",
        "fk_dossier_addressee_id_addressee",
        "addressee",
        "addressee_id",
    ),
    ("dossier", "fk_escalation_owner_id_user", "fk_dossier_owner_id_user", "user", "owner_id"),
    ("dossier_event", "fk_escalation_event_actor_id_user", "fk_dossier_event_actor_id_user", "user", "actor_id"),
    (
        "dossier_event",
        "fk_escalation_event_escalation_id_escalation",
        "fk_dossier_event_dossier_id_dossier",
        "dossier",
        "dossier_id",
    ),
    ("report", "fk_report_escalation_id_escalation", "fk_report_dossier_id_dossier", "dossier", "dossier_id"),
]
PRIMARY_KEYS = [
    ("dossier", "pk_escalation", "pk_dossier"),
    ("dossier_event", "pk_escalation_event", "pk_dossier_event"),
]
SEQUENCES = [("escalation_id_seq", "dossier_id_seq"), ("escalation_event_id_seq", "dossier_event_id_seq")]


def upgrade():
    for old, new in TABLES.items():
        op.execute(f"ALTER TABLE {old} RENAME TO {new}")
    for table in ("dossier_event", "report"):
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {COLUMN[0]} TO {COLUMN[1]}")
    if op.get_bind().dialect.name == "postgresql":
        for _table, old, new, _column in INDEXES:
            op.execute(f"ALTER INDEX {old} RENAME TO {new}")
        for table, old, new, *_ in FOREIGN_KEYS + PRIMARY_KEYS:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT {old} TO {new}')
        for old, new in SEQUENCES:
            op.execute(f"ALTER SEQUENCE {old} RENAME TO {new}")
        return
    # SQLite has no index or constraint renames: recreate them.
    for table, old, new, column in INDEXES:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, [column])
    for table in ("dossier", "dossier_event", "report"):
        with op.batch_alter_table(table, recreate="always") as batch:
            for fk_table, old, new, referred, column in FOREIGN_KEYS:
                if fk_table == table:
                    batch.drop_constraint(old, type_="foreignkey")
                    batch.create_foreign_key(new, referred, [column], ["id"])


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for _table, old, new, _column in INDEXES:
            op.execute(f"ALTER INDEX {new} RENAME TO {old}")
        for table, old, new, *_ in FOREIGN_KEYS + PRIMARY_KEYS:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT {new} TO {old}')
        for old, new in SEQUENCES:
            op.execute(f"ALTER SEQUENCE {new} RENAME TO {old}")
    else:
        for table, old, new, column in INDEXES:
            op.drop_index(new, table_name=table)
            op.create_index(old, table, [column])
        for table in ("dossier", "dossier_event", "report"):
            with op.batch_alter_table(table, recreate="always") as batch:
                for fk_table, old, new, referred, column in FOREIGN_KEYS:
                    if fk_table == table:
                        batch.drop_constraint(new, type_="foreignkey")
                        batch.create_foreign_key(old, referred, [column], ["id"])
    for table in ("dossier_event", "report"):
        op.execute(f"ALTER TABLE {table} RENAME COLUMN {COLUMN[1]} TO {COLUMN[0]}")
    for old, new in TABLES.items():
        op.execute(f"ALTER TABLE {new} RENAME TO {old}")

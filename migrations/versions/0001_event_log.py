"""Event log: the append-only kernel_event table.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "kernel_event",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("aggregate_type", sa.String(60), nullable=False),
        sa.Column("aggregate_id", sa.String(80), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_kernel_event")),
        sa.UniqueConstraint("id", name=op.f("uq_kernel_event_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_kernel_event_type"), "kernel_event", ["type"])
    op.create_index(op.f("ix_kernel_event_aggregate_id"), "kernel_event", ["aggregate_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The log is append-only: the database itself refuses to rewrite history.
        op.execute(
            """
            CREATE FUNCTION kernel_event_immutable() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION 'kernel_event is append-only';
            END $$ LANGUAGE plpgsql;
            """
        )
        op.execute(
            "CREATE TRIGGER kernel_event_no_update BEFORE UPDATE OR DELETE ON kernel_event "
            "FOR EACH ROW EXECUTE FUNCTION kernel_event_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER kernel_event_no_update BEFORE UPDATE ON kernel_event "
            "BEGIN SELECT RAISE(ABORT, 'kernel_event is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER kernel_event_no_delete BEFORE DELETE ON kernel_event "
            "BEGIN SELECT RAISE(ABORT, 'kernel_event is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS kernel_event_no_update ON kernel_event")
        op.execute("DROP FUNCTION IF EXISTS kernel_event_immutable()")
    op.drop_index(op.f("ix_kernel_event_aggregate_id"), table_name="kernel_event")
    op.drop_index(op.f("ix_kernel_event_type"), table_name="kernel_event")
    op.drop_table("kernel_event")

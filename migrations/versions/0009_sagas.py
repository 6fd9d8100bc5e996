"""Sagas: the saga table and its step log.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "kernel_saga",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(120), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_step", sa.String(120), nullable=True),
        sa.Column("data", JSON, nullable=False),
        sa.Column("failure", JSON, nullable=True),
        sa.Column("waiting_for", sa.String(120), nullable=True),
        sa.Column("correlation", sa.String(200), nullable=True),
        sa.Column("deadline_at", UTCDateTime(), nullable=True),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_saga")),
        sa.UniqueConstraint("key", name=op.f("uq_kernel_saga_key")),
    )
    op.create_index(op.f("ix_kernel_saga_status"), "kernel_saga", ["status"])
    op.create_index(op.f("ix_kernel_saga_correlation"), "kernel_saga", ["correlation"])
    op.create_table(
        "kernel_saga_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("saga_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(120), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["saga_id"],
            ["kernel_saga.id"],
            name=op.f("fk_kernel_saga_step_saga_id_kernel_saga"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_saga_step")),
        sa.UniqueConstraint(
            "saga_id", "step", "phase", name=op.f("uq_kernel_saga_step_saga_id_step_phase")
        ),
    )


def downgrade() -> None:
    op.drop_table("kernel_saga_step")
    op.drop_index(op.f("ix_kernel_saga_correlation"), table_name="kernel_saga")
    op.drop_index(op.f("ix_kernel_saga_status"), table_name="kernel_saga")
    op.drop_table("kernel_saga")

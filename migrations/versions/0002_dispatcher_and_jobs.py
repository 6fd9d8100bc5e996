"""Dispatcher and jobs: subscriber checkpoints, dead letters, durable jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "kernel_subscription",
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failing_position", sa.BigInteger(), nullable=True),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kernel_subscription")),
    )
    op.create_table(
        "kernel_dead_letter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscriber", sa.String(120), nullable=False),
        sa.Column("event_position", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_dead_letter")),
        sa.UniqueConstraint(
            "subscriber",
            "event_position",
            name=op.f("uq_kernel_dead_letter_subscriber_event_position"),
        ),
    )
    op.create_index(op.f("ix_kernel_dead_letter_subscriber"), "kernel_dead_letter", ["subscriber"])
    op.create_index(op.f("ix_kernel_dead_letter_status"), "kernel_dead_letter", ["status"])
    op.create_table(
        "kernel_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(120), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("recurrence", sa.String(40), nullable=True),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_job")),
        sa.UniqueConstraint("key", name=op.f("uq_kernel_job_key")),
    )
    op.create_index(op.f("ix_kernel_job_status_due_at"), "kernel_job", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kernel_job_status_due_at"), table_name="kernel_job")
    op.drop_table("kernel_job")
    op.drop_index(op.f("ix_kernel_dead_letter_status"), table_name="kernel_dead_letter")
    op.drop_index(op.f("ix_kernel_dead_letter_subscriber"), table_name="kernel_dead_letter")
    op.drop_table("kernel_dead_letter")
    op.drop_table("kernel_subscription")

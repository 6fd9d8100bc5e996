"""Event log: index (type, position) for "the next event of these types after my checkpoint".

Revision ID: 0012
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_kernel_event_type_position", "kernel_event", ["type", "position"])
    op.drop_index("ix_kernel_event_type", table_name="kernel_event")


def downgrade() -> None:
    op.create_index("ix_kernel_event_type", "kernel_event", ["type"])
    op.drop_index("ix_kernel_event_type_position", table_name="kernel_event")

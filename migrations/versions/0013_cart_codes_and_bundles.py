"""Discount codes on carts, and cart lines that belong to a chosen bundle.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cart_discount_code",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["cart_cart.id"],
            name=op.f("fk_cart_discount_code_cart_id_cart_cart"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cart_id", "code", name=op.f("pk_cart_discount_code")),
    )
    op.add_column("cart_line", sa.Column("bundle_id", sa.Uuid(), nullable=True))
    op.add_column("cart_line", sa.Column("bundle_group_id", sa.Uuid(), nullable=True))
    op.add_column("cart_line", sa.Column("bundle_amount", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_cart_line_bundle_group_id"), "cart_line", ["bundle_group_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cart_line_bundle_group_id"), table_name="cart_line")
    with op.batch_alter_table("cart_line") as batch:
        batch.drop_column("bundle_amount")
        batch.drop_column("bundle_group_id")
        batch.drop_column("bundle_id")
    op.drop_table("cart_discount_code")

"""Checkout: one row per buyer's checkout, unique by its Idempotency-Key.

Revision ID: 0014
Revises: 0011
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "checkout_checkout",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("saga_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("shipping_address", JSON, nullable=False),
        sa.Column("shipping_method_id", sa.Uuid(), nullable=False),
        sa.Column("payment_method", sa.String(20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("payment_reference", sa.String(120), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("failure", JSON, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkout_checkout")),
        sa.UniqueConstraint(
            "buyer_id",
            "idempotency_key",
            name=op.f("uq_checkout_checkout_buyer_id_idempotency_key"),
        ),
    )
    op.create_index(op.f("ix_checkout_checkout_cart_id"), "checkout_checkout", ["cart_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_checkout_checkout_cart_id"), table_name="checkout_checkout")
    op.drop_table("checkout_checkout")

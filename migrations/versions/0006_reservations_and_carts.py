"""Inventory reservations, carts and cart lines.

Revision ID: 0006
Revises: 0010
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventory_reservation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("owner_type", sa.String(length=30), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_inventory_reservation_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["inventory_item.variant_id"],
            name=op.f("fk_inventory_reservation_variant_id_inventory_item"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_reservation")),
    )
    op.create_index(
        "ix_inventory_reservation_variant_status_expires",
        "inventory_reservation",
        ["variant_id", "status", "expires_at"],
    )
    op.create_index(
        "ix_inventory_reservation_owner", "inventory_reservation", ["owner_type", "owner_id"]
    )

    op.create_table(
        "cart_cart",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_cart")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cart_cart_token_hash")),
    )
    op.create_index(op.f("ix_cart_cart_user_id"), "cart_cart", ["user_id"])

    op.create_table(
        "cart_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["cart_id"],
            ["cart_cart.id"],
            name=op.f("fk_cart_line_cart_id_cart_cart"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_line")),
    )
    op.create_index(op.f("ix_cart_line_cart_id"), "cart_line", ["cart_id"])
    op.create_index(op.f("ix_cart_line_product_id"), "cart_line", ["product_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cart_line_product_id"), table_name="cart_line")
    op.drop_index(op.f("ix_cart_line_cart_id"), table_name="cart_line")
    op.drop_table("cart_line")
    op.drop_index(op.f("ix_cart_cart_user_id"), table_name="cart_cart")
    op.drop_table("cart_cart")
    op.drop_index("ix_inventory_reservation_owner", table_name="inventory_reservation")
    op.drop_index(
        "ix_inventory_reservation_variant_status_expires", table_name="inventory_reservation"
    )
    op.drop_table("inventory_reservation")

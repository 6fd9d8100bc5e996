"""Orders: orders, their lines, vendor fulfillments, refunds, and the order number sequence.

Revision ID: 0011
Revises: 0013
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import JSONType, UTCDateTime

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL numbers orders from a sequence (see orders/numbers.py); SQLite needs none.
NUMBER_SEQUENCE = "orders_order_number_seq"


def upgrade() -> None:
    op.create_table(
        "orders_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("checkout_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("shipping", sa.BigInteger(), nullable=False),
        sa.Column("vat", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("shipping_address", JSONType, nullable=False),
        sa.Column("shipping_method_id", sa.Uuid(), nullable=False),
        sa.Column("payment_method", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("discount_rule_ids", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "refunded >= 0 AND refunded <= total", name=op.f("ck_orders_order_refunded")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_order")),
        sa.UniqueConstraint("checkout_id", name=op.f("uq_orders_order_checkout_id")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_order_number")),
        sa.UniqueConstraint("seq", name=op.f("uq_orders_order_seq")),
    )
    op.create_index(op.f("ix_orders_order_buyer_id"), "orders_order", ["buyer_id"])
    op.create_index(op.f("ix_orders_order_status"), "orders_order", ["status"])

    op.create_table(
        "orders_fulfillment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.BigInteger(), nullable=False),
        sa.Column("shipping", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("shipped_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("delivery_confirmed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders_order.id"],
            name=op.f("fk_orders_fulfillment_order_id_orders_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_fulfillment")),
        sa.UniqueConstraint(
            "order_id", "vendor_id", name=op.f("uq_orders_fulfillment_order_id_vendor_id")
        ),
    )
    op.create_index(op.f("ix_orders_fulfillment_order_id"), "orders_fulfillment", ["order_id"])
    op.create_index(op.f("ix_orders_fulfillment_status"), "orders_fulfillment", ["status"])
    op.create_index(op.f("ix_orders_fulfillment_vendor_id"), "orders_fulfillment", ["vendor_id"])

    op.create_table(
        "orders_refund",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_orders_refund_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders_order.id"], name=op.f("fk_orders_refund_order_id_orders_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_refund")),
        sa.UniqueConstraint("key", name=op.f("uq_orders_refund_key")),
    )
    op.create_index(op.f("ix_orders_refund_order_id"), "orders_refund", ["order_id"])

    op.create_table(
        "orders_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("fulfillment_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=420), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("vat", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("pricing", JSONType, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["fulfillment_id"],
            ["orders_fulfillment.id"],
            name=op.f("fk_orders_line_fulfillment_id_orders_fulfillment"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders_order.id"], name=op.f("fk_orders_line_order_id_orders_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders_line")),
    )
    op.create_index(op.f("ix_orders_line_fulfillment_id"), "orders_line", ["fulfillment_id"])
    op.create_index(op.f("ix_orders_line_order_id"), "orders_line", ["order_id"])
    op.create_index(op.f("ix_orders_line_product_id"), "orders_line", ["product_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(sa.Sequence(NUMBER_SEQUENCE)))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence(NUMBER_SEQUENCE)))
    op.drop_index(op.f("ix_orders_line_product_id"), table_name="orders_line")
    op.drop_index(op.f("ix_orders_line_order_id"), table_name="orders_line")
    op.drop_index(op.f("ix_orders_line_fulfillment_id"), table_name="orders_line")
    op.drop_table("orders_line")
    op.drop_index(op.f("ix_orders_refund_order_id"), table_name="orders_refund")
    op.drop_table("orders_refund")
    op.drop_index(op.f("ix_orders_fulfillment_vendor_id"), table_name="orders_fulfillment")
    op.drop_index(op.f("ix_orders_fulfillment_status"), table_name="orders_fulfillment")
    op.drop_index(op.f("ix_orders_fulfillment_order_id"), table_name="orders_fulfillment")
    op.drop_table("orders_fulfillment")
    op.drop_index(op.f("ix_orders_order_status"), table_name="orders_order")
    op.drop_index(op.f("ix_orders_order_buyer_id"), table_name="orders_order")
    op.drop_table("orders_order")

"""Pricing: customer groups, price lists, discount rules and redemptions, bundles.

Revision ID: 0007
Revises: 0009
Create Date: 2026-11-22 01:00:43.856864
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import JSONType, UTCDateTime

revision: str = "0007"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pricing_bundle",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("pricing", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_bundle")),
    )
    op.create_table(
        "pricing_customer_group",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_customer_group")),
        sa.UniqueConstraint("name", name=op.f("uq_pricing_customer_group_name")),
    )
    op.create_table(
        "pricing_discount_rule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("buy_quantity", sa.Integer(), nullable=True),
        sa.Column("get_quantity", sa.Integer(), nullable=True),
        sa.Column("tier_basis", sa.String(length=20), nullable=True),
        sa.Column("tiers", JSONType, nullable=False),
        sa.Column("conditions", JSONType, nullable=False),
        sa.Column("min_subtotal", sa.BigInteger(), nullable=True),
        sa.Column("vendor_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("usage_limit_per_customer", sa.Integer(), nullable=True),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_pricing_discount_rule_used_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_discount_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_pricing_discount_rule_code")),
    )
    with op.batch_alter_table("pricing_discount_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_discount_rule_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "pricing_bundle_set",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bundle_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "max_quantity >= 1", name=op.f("ck_pricing_bundle_set_max_quantity_positive")
        ),
        sa.CheckConstraint(
            "max_quantity >= min_quantity", name=op.f("ck_pricing_bundle_set_max_covers_min")
        ),
        sa.CheckConstraint(
            "min_quantity >= 0", name=op.f("ck_pricing_bundle_set_min_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["pricing_bundle.id"],
            name=op.f("fk_pricing_bundle_set_bundle_id_pricing_bundle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_bundle_set")),
    )
    with op.batch_alter_table("pricing_bundle_set", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_bundle_set_bundle_id"), ["bundle_id"], unique=False
        )

    op.create_table(
        "pricing_discount_redemption",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("slot", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["pricing_discount_rule.id"],
            name=op.f("fk_pricing_discount_redemption_rule_id_pricing_discount_rule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_discount_redemption")),
        sa.UniqueConstraint(
            "rule_id",
            "customer_id",
            "slot",
            name=op.f("uq_pricing_discount_redemption_rule_id_customer_id_slot"),
        ),
        sa.UniqueConstraint(
            "rule_id", "order_id", name=op.f("uq_pricing_discount_redemption_rule_id_order_id")
        ),
    )
    with op.batch_alter_table("pricing_discount_redemption", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_discount_redemption_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pricing_discount_redemption_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "pricing_group_member",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["pricing_customer_group.id"],
            name=op.f("fk_pricing_group_member_group_id_pricing_customer_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_pricing_group_member")),
    )
    with op.batch_alter_table("pricing_group_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_group_member_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "pricing_price_list",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customer_group_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_group_id"],
            ["pricing_customer_group.id"],
            name=op.f("fk_pricing_price_list_customer_group_id_pricing_customer_group"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_price_list")),
    )
    with op.batch_alter_table("pricing_price_list", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_price_list_customer_group_id"),
            ["customer_group_id"],
            unique=False,
        )

    op.create_table(
        "pricing_bundle_item",
        sa.Column("set_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["pricing_bundle_set.id"],
            name=op.f("fk_pricing_bundle_item_set_id_pricing_bundle_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "variant_id", name=op.f("pk_pricing_bundle_item")),
    )
    with op.batch_alter_table("pricing_bundle_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_bundle_item_variant_id"), ["variant_id"], unique=False
        )

    op.create_table(
        "pricing_price_list_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("price_list_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("min_quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_pricing_price_list_entry_amount_not_negative")
        ),
        sa.CheckConstraint(
            "min_quantity >= 1", name=op.f("ck_pricing_price_list_entry_min_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["pricing_price_list.id"],
            name=op.f("fk_pricing_price_list_entry_price_list_id_pricing_price_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pricing_price_list_entry")),
        sa.UniqueConstraint(
            "price_list_id", "variant_id", "min_quantity", name="uq_pricing_price_list_entry_break"
        ),
    )
    with op.batch_alter_table("pricing_price_list_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pricing_price_list_entry_variant_id"), ["variant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pricing_price_list_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_price_list_entry_variant_id"))

    op.drop_table("pricing_price_list_entry")
    with op.batch_alter_table("pricing_bundle_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_bundle_item_variant_id"))

    op.drop_table("pricing_bundle_item")
    with op.batch_alter_table("pricing_price_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_price_list_customer_group_id"))

    op.drop_table("pricing_price_list")
    with op.batch_alter_table("pricing_group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_group_member_group_id"))

    op.drop_table("pricing_group_member")
    with op.batch_alter_table("pricing_discount_redemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_discount_redemption_order_id"))
        batch_op.drop_index(batch_op.f("ix_pricing_discount_redemption_customer_id"))

    op.drop_table("pricing_discount_redemption")
    with op.batch_alter_table("pricing_bundle_set", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_bundle_set_bundle_id"))

    op.drop_table("pricing_bundle_set")
    with op.batch_alter_table("pricing_discount_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pricing_discount_rule_vendor_id"))

    op.drop_table("pricing_discount_rule")
    op.drop_table("pricing_customer_group")
    op.drop_table("pricing_bundle")

"""Catalog, inventory stock and EU VAT rates (seeded).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:11:45.078466
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import JSONType, UTCDateTime

# A frozen copy: a migration must not change when the application's table of rates does.
EU_VAT_RATES = {
    "AT": ("0.20", "0.10"),
    "BE": ("0.21", "0.06"),
    "BG": ("0.20", "0.09"),
    "HR": ("0.25", "0.05"),
    "CY": ("0.19", "0.05"),
    "CZ": ("0.21", "0.12"),
    "DK": ("0.25", "0.25"),
    "EE": ("0.24", "0.09"),
    "FI": ("0.255", "0.14"),
    "FR": ("0.20", "0.055"),
    "DE": ("0.19", "0.07"),
    "GR": ("0.24", "0.13"),
    "HU": ("0.27", "0.05"),
    "IE": ("0.23", "0.135"),
    "IT": ("0.22", "0.10"),
    "LV": ("0.21", "0.12"),
    "LT": ("0.21", "0.09"),
    "LU": ("0.17", "0.08"),
    "MT": ("0.18", "0.07"),
    "NL": ("0.21", "0.09"),
    "PL": ("0.23", "0.08"),
    "PT": ("0.23", "0.06"),
    "RO": ("0.21", "0.11"),
    "SK": ("0.23", "0.19"),
    "SI": ("0.22", "0.095"),
    "ES": ("0.21", "0.10"),
    "SE": ("0.25", "0.12"),
}


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("path", sa.String(length=1200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["catalog_category.id"],
            name=op.f("fk_catalog_category_parent_id_catalog_category"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_category")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_category_slug")),
    )
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_category_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_catalog_category_path"), ["path"], unique=False)

    op.create_table(
        "catalog_collection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_collection")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_collection_slug")),
    )
    op.create_table(
        "catalog_vendor",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=140), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("commission_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("owner_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("suspended_at", UTCDateTime(), nullable=True),
        sa.Column("suspension_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_vendor")),
        sa.UniqueConstraint("owner_user_id", name=op.f("uq_catalog_vendor_owner_user_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_vendor_slug")),
    )
    with op.batch_alter_table("catalog_vendor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_vendor_status"), ["status"], unique=False)

    op.create_table(
        "inventory_item",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("is_unique", sa.Boolean(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "NOT is_unique OR on_hand <= 1", name=op.f("ck_inventory_item_unique_item_at_most_one")
        ),
        sa.CheckConstraint(
            "on_hand >= reserved", name=op.f("ck_inventory_item_on_hand_covers_reserved")
        ),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_inventory_item_reserved_not_negative")),
        sa.PrimaryKeyConstraint("variant_id", name=op.f("pk_inventory_item")),
    )
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_item_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inventory_item_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "inventory_location",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_location")),
        sa.UniqueConstraint("vendor_id", "code", name=op.f("uq_inventory_location_vendor_id_code")),
    )
    with op.batch_alter_table("inventory_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_location_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "inventory_movement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=True),
        sa.Column("on_hand_before", sa.Integer(), nullable=False),
        sa.Column("on_hand_after", sa.Integer(), nullable=False),
        sa.Column("reserved_before", sa.Integer(), nullable=False),
        sa.Column("reserved_after", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_movement")),
    )
    with op.batch_alter_table("inventory_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inventory_movement_variant_id"), ["variant_id"], unique=False
        )

    op.create_table(
        "pricing_vat_rate",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("tax_category", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("country", "tax_category", name=op.f("pk_pricing_vat_rate")),
    )
    op.create_table(
        "catalog_product",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=220), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("price_min", sa.BigInteger(), nullable=True),
        sa.Column("price_max", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rating_average", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["catalog_category.id"],
            name=op.f("fk_catalog_product_category_id_catalog_category"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["catalog_vendor.id"],
            name=op.f("fk_catalog_product_vendor_id_catalog_vendor"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_product_slug")),
    )
    with op.batch_alter_table("catalog_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_product_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_product_status_created", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_product_status_price", ["status", "price_min", "id"], unique=False
        )
        batch_op.create_index(
            "ix_catalog_product_status_rating", ["status", "rating_average", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_catalog_product_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "inventory_level",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_inventory_level_level_not_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["inventory_location.id"],
            name=op.f("fk_inventory_level_location_id_inventory_location"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["inventory_item.variant_id"],
            name=op.f("fk_inventory_level_variant_id_inventory_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "location_id", name=op.f("pk_inventory_level")),
    )
    op.create_table(
        "catalog_attribute_value",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_catalog_attribute_value_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "key", "value", name=op.f("pk_catalog_attribute_value")
        ),
    )
    with op.batch_alter_table("catalog_attribute_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_catalog_attribute_value_key_value", ["key", "value"], unique=False
        )

    op.create_table(
        "catalog_collection_product",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["catalog_collection.id"],
            name=op.f("fk_catalog_collection_product_collection_id_catalog_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_catalog_collection_product_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "product_id", name=op.f("pk_catalog_collection_product")
        ),
    )
    with op.batch_alter_table("catalog_collection_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_collection_product_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "catalog_product_image",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_catalog_product_image_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_product_image")),
    )
    with op.batch_alter_table("catalog_product_image", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_product_image_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "catalog_variant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attributes", JSONType, nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("tax_category", sa.String(length=20), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("price_currency", sa.String(length=3), nullable=False),
        sa.Column("is_unique", sa.Boolean(), nullable=False),
        sa.Column("condition", sa.String(length=60), nullable=True),
        sa.Column("grade", sa.String(length=60), nullable=True),
        sa.Column("certification", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["catalog_product.id"],
            name=op.f("fk_catalog_variant_product_id_catalog_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_variant")),
        sa.UniqueConstraint("certification", name=op.f("uq_catalog_variant_certification")),
        sa.UniqueConstraint("vendor_id", "sku", name=op.f("uq_catalog_variant_vendor_id_sku")),
    )
    with op.batch_alter_table("catalog_variant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalog_variant_product_id"), ["product_id"], unique=False
        )

    _seed_vat_rates()


def _seed_vat_rates() -> None:
    """A new shop can sell at once: the EU-27 standard and one reduced rate (editable later)."""
    vat = sa.table(
        "pricing_vat_rate",
        sa.column("country", sa.String),
        sa.column("tax_category", sa.String),
        sa.column("rate", sa.Numeric(6, 4)),
        sa.column("updated_at", UTCDateTime()),
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for country, (standard, reduced) in EU_VAT_RATES.items():
        rows.append(
            {
                "country": country,
                "tax_category": "standard",
                "rate": Decimal(standard),
                "updated_at": now,
            }
        )
        rows.append(
            {
                "country": country,
                "tax_category": "reduced",
                "rate": Decimal(reduced),
                "updated_at": now,
            }
        )
        rows.append(
            {"country": country, "tax_category": "zero", "rate": Decimal(0), "updated_at": now}
        )
    op.bulk_insert(vat, rows)


def downgrade() -> None:
    with op.batch_alter_table("catalog_variant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_variant_product_id"))

    op.drop_table("catalog_variant")
    with op.batch_alter_table("catalog_product_image", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_product_image_product_id"))

    op.drop_table("catalog_product_image")
    with op.batch_alter_table("catalog_collection_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_collection_product_product_id"))

    op.drop_table("catalog_collection_product")
    with op.batch_alter_table("catalog_attribute_value", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_attribute_value_key_value")

    op.drop_table("catalog_attribute_value")
    op.drop_table("inventory_level")
    with op.batch_alter_table("catalog_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_product_vendor_id"))
        batch_op.drop_index("ix_catalog_product_status_rating")
        batch_op.drop_index("ix_catalog_product_status_price")
        batch_op.drop_index("ix_catalog_product_status_created")
        batch_op.drop_index(batch_op.f("ix_catalog_product_category_id"))

    op.drop_table("catalog_product")
    op.drop_table("pricing_vat_rate")
    with op.batch_alter_table("inventory_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_movement_variant_id"))

    op.drop_table("inventory_movement")
    with op.batch_alter_table("inventory_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_location_vendor_id"))

    op.drop_table("inventory_location")
    with op.batch_alter_table("inventory_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_item_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_inventory_item_product_id"))

    op.drop_table("inventory_item")
    with op.batch_alter_table("catalog_vendor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_vendor_status"))

    op.drop_table("catalog_vendor")
    op.drop_table("catalog_collection")
    with op.batch_alter_table("catalog_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_category_path"))
        batch_op.drop_index(batch_op.f("ix_catalog_category_parent_id"))

    op.drop_table("catalog_category")

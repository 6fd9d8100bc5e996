"""Pricing tables: VAT rates, customer groups, price lists, discount rules, bundles."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.ids import new_id


class VatRate(Base):
    """The VAT rate of one tax category in one destination country."""

    __tablename__ = "pricing_vat_rate"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    tax_category: Mapped[str] = mapped_column(String(20), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerGroup(Base):
    __tablename__ = "pricing_customer_group"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerGroupMember(Base):
    """A customer's one group: the customer id is the key, so nobody is in two."""

    __tablename__ = "pricing_group_member"

    customer_id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("pricing_customer_group.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PriceListRecord(Base):
    __tablename__ = "pricing_price_list"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    # None: the list is for everyone.
    customer_group_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDType, ForeignKey("pricing_customer_group.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PriceListEntryRecord(Base):
    __tablename__ = "pricing_price_list_entry"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    price_list_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("pricing_price_list.id", ondelete="CASCADE")
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    amount: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        # Spelled out: the conventional name would pass PostgreSQL's 63-character limit.
        UniqueConstraint(
            "price_list_id", "variant_id", "min_quantity", name="uq_pricing_price_list_entry_break"
        ),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )


class DiscountRuleRecord(Base):
    """A discount rule; `used` counts redemptions and never passes usage_limit."""

    __tablename__ = "pricing_discount_rule"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    buy_quantity: Mapped[int | None] = mapped_column(Integer)
    get_quantity: Mapped[int | None] = mapped_column(Integer)
    tier_basis: Mapped[str | None] = mapped_column(String(20))
    # [{"threshold": int, "amount": int | null, "percent": "12.50" | null}]
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # {"product_ids": [...], "category_ids": [...], "collection_ids": [...],
    #  "vendor_ids": [...], "customer_group_ids": [...]}
    conditions: Mapped[dict[str, list[str]]] = mapped_column(JSONType, default=dict)
    min_subtotal: Mapped[int | None] = mapped_column(BigInteger)
    vendor_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept in upper case, so codes are unique regardless of case.
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_limit: Mapped[int | None] = mapped_column(Integer)
    usage_limit_per_customer: Mapped[int | None] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("used >= 0", name="used_not_negative"),)


class DiscountRedemption(Base):
    """One use of a rule by an order.

    `slot` numbers a customer's uses of a rule from 1 to the per-customer limit; the unique
    constraint on (rule, customer, slot) makes two orders racing for the last slot collide.
    """

    __tablename__ = "pricing_discount_redemption"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    rule_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("pricing_discount_rule.id", ondelete="CASCADE")
    )
    order_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    slot: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("rule_id", "order_id"),
        UniqueConstraint("rule_id", "customer_id", "slot"),
    )


class BundleRecord(Base):
    __tablename__ = "pricing_bundle"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    # "fixed": `amount` for the chosen items; "percentage": `percent` off their prices.
    pricing: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BundleSetRecord(Base):
    __tablename__ = "pricing_bundle_set"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    bundle_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("pricing_bundle.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    min_quantity: Mapped[int] = mapped_column(Integer)
    max_quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("min_quantity >= 0", name="min_quantity_not_negative"),
        CheckConstraint("max_quantity >= min_quantity", name="max_covers_min"),
        CheckConstraint("max_quantity >= 1", name="max_quantity_positive"),
    )


class BundleItemRecord(Base):
    __tablename__ = "pricing_bundle_item"

    set_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("pricing_bundle_set.id", ondelete="CASCADE"), primary_key=True
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

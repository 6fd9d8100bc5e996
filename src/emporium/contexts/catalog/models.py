"""Catalog tables: vendors, categories, collections, products, variants, images, attributes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.uow import RecordsEvents


class VendorStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class ProductStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TaxCategory(StrEnum):
    STANDARD = "standard"
    REDUCED = "reduced"
    ZERO = "zero"


class Vendor(RecordsEvents, Base):
    __tablename__ = "catalog_vendor"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=VendorStatus.PENDING.value, index=True)
    commission_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    owner_user_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(String(500))


class Category(Base):
    __tablename__ = "catalog_category"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDType, ForeignKey("catalog_category.id", ondelete="RESTRICT"), index=True
    )
    # Materialised path of ids ("/<root>/<child>/"): descendants are a prefix match.
    path: Mapped[str] = mapped_column(String(1200), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Collection(Base):
    __tablename__ = "catalog_collection"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CollectionProduct(Base):
    __tablename__ = "catalog_collection_product"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("catalog_collection.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType,
        ForeignKey("catalog_product.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Product(RecordsEvents, Base):
    __tablename__ = "catalog_product"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    vendor_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("catalog_vendor.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ProductStatus.DRAFT.value)
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDType, ForeignKey("catalog_category.id", ondelete="SET NULL"), index=True
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Denormalised over the active variants, for price sorting and filters.
    price_min: Mapped[int | None] = mapped_column(BigInteger)
    price_max: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    rating_average: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0"))
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change a buyer could see; the detail cache is keyed by it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="Variant.position", lazy="raise"
    )
    images: Mapped[list[ProductImage]] = relationship(
        order_by="ProductImage.position", lazy="raise", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_catalog_product_status_created", "status", "created_at", "id"),
        Index("ix_catalog_product_status_price", "status", "price_min", "id"),
        Index("ix_catalog_product_status_rating", "status", "rating_average", "id"),
    )


class Variant(RecordsEvents, Base):
    __tablename__ = "catalog_variant"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("catalog_product.id", ondelete="CASCADE"), index=True
    )
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    tax_category: Mapped[str] = mapped_column(String(20), default=TaxCategory.STANDARD.value)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    price_currency: Mapped[str] = mapped_column(String(3))
    is_unique: Mapped[bool] = mapped_column(Boolean, default=False)
    condition: Mapped[str | None] = mapped_column(String(60))
    grade: Mapped[str | None] = mapped_column(String(60))
    certification: Mapped[str | None] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship(back_populates="variants", lazy="raise")

    __table_args__ = (UniqueConstraint("vendor_id", "sku"),)

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.price_currency)


class ProductImage(Base):
    __tablename__ = "catalog_product_image"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    product_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("catalog_product.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    alt: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttributeValue(Base):
    """One (key, value) a product or any of its variants has: the index behind attribute filters."""

    __tablename__ = "catalog_attribute_value"

    product_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("catalog_product.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)

    __table_args__ = (Index("ix_catalog_attribute_value_key_value", "key", "value"),)

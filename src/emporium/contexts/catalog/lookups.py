"""What other contexts may read about variants and vendors (through the facade)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.catalog.models import (
    Category,
    CollectionProduct,
    Product,
    ProductStatus,
    Variant,
    Vendor,
    VendorStatus,
)
from emporium.kernel.money import Money


@dataclass(frozen=True)
class VariantInfo:
    """A variant as carts, pricing and orders see it."""

    id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str
    title: str
    product_title: str
    product_slug: str
    category_id: uuid.UUID | None
    price: Money
    tax_category: str
    weight_grams: int
    is_unique: bool
    purchasable: bool  # published, not archived, vendor approved


async def variant_infos(
    session: AsyncSession, variant_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, VariantInfo]:
    """Variants by id (unknown ids are absent)."""
    ids = list(dict.fromkeys(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            Variant, Product.title, Product.slug, Product.category_id, Product.status, Vendor.status
        )
        .join(Product, Product.id == Variant.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(Variant.id.in_(ids))
    )
    infos = {}
    for variant, title, slug, category_id, status, vendor_status in rows:
        infos[variant.id] = VariantInfo(
            id=variant.id,
            product_id=variant.product_id,
            vendor_id=variant.vendor_id,
            sku=variant.sku,
            title=variant.title,
            product_title=title,
            product_slug=slug,
            category_id=category_id,
            price=variant.price,
            tax_category=variant.tax_category,
            weight_grams=variant.weight_grams,
            is_unique=variant.is_unique,
            purchasable=status == ProductStatus.PUBLISHED
            and variant.archived_at is None
            and vendor_status == VendorStatus.APPROVED,
        )
    return infos


@dataclass(frozen=True)
class ProductGroups:
    """Where a product sits: its category with every ancestor, and its collections."""

    category_ids: frozenset[uuid.UUID]
    collection_ids: frozenset[uuid.UUID]


async def product_groups(
    session: AsyncSession, product_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ProductGroups]:
    """Groups by product id (unknown ids are absent), for rules about categories/collections."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Product.id, Category.path)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Product.id.in_(ids))
    )
    # A category's path lists the ids from the root down to itself: "/<root>/<child>/".
    categories = {
        product_id: frozenset(uuid.UUID(part) for part in (path or "").split("/") if part)
        for product_id, path in rows
    }
    collections: dict[uuid.UUID, set[uuid.UUID]] = {}
    for product_id, collection_id in await session.execute(
        select(CollectionProduct.product_id, CollectionProduct.collection_id).where(
            CollectionProduct.product_id.in_(ids)
        )
    ):
        collections.setdefault(product_id, set()).add(collection_id)
    return {
        product_id: ProductGroups(category_ids, frozenset(collections.get(product_id, ())))
        for product_id, category_ids in categories.items()
    }


@dataclass(frozen=True)
class VendorInfo:
    id: uuid.UUID
    name: str
    status: str
    commission_rate: Decimal
    owner_user_id: uuid.UUID | None


async def vendor_info(session: AsyncSession, vendor_id: uuid.UUID) -> VendorInfo | None:
    return (await vendor_infos(session, [vendor_id])).get(vendor_id)


async def vendor_infos(
    session: AsyncSession, vendor_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, VendorInfo]:
    """The vendors with these ids that exist, in one query."""
    ids = list(dict.fromkeys(vendor_ids))
    if not ids:
        return {}
    vendors = await session.scalars(select(Vendor).where(Vendor.id.in_(ids)))
    return {
        vendor.id: VendorInfo(
            id=vendor.id,
            name=vendor.name,
            status=vendor.status,
            commission_rate=Decimal(vendor.commission_rate),
            owner_user_id=vendor.owner_user_id,
        )
        for vendor in vendors
    }


async def suspended_vendor_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Vendors hidden from the store right now (few, so cheap to ask on every search)."""
    return list(
        await session.scalars(select(Vendor.id).where(Vendor.status != VendorStatus.APPROVED.value))
    )

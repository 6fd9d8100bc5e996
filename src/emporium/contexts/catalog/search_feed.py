"""What the catalog tells the search index: one flat document per visible product.

The dicts carry exactly the fields of the search context's SearchDocument, so the catalog
needs no import of search (search depends on the catalog, not the other way round).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.catalog.browse import visible_products
from emporium.contexts.catalog.models import Category, Product, ProductImage, Variant, Vendor

FEED_BATCH = 1000


async def _categories(session: AsyncSession) -> dict[uuid.UUID, Category]:
    return {c.id: c for c in await session.scalars(select(Category))}


def _flatten(product: Product, variants: list[Variant]) -> dict[str, str]:
    values: dict[str, list[str]] = defaultdict(list)
    for source in (product.attributes or {}, *(v.attributes or {} for v in variants)):
        for key, value in source.items():
            text = str(value)
            if text not in values[key]:
                values[key].append(text)
    for variant in variants:
        for key in ("grade", "condition", "certification"):
            value = getattr(variant, key)
            if value and value not in values[key]:
                values[key].append(value)
    return {key: " ".join(items) for key, items in values.items()}


async def product_documents(
    session: AsyncSession, product_ids: Iterable[uuid.UUID]
) -> tuple[list[dict[str, Any]], list[uuid.UUID]]:
    """Documents for the visible ones among product_ids, and the ids that are not visible."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return [], []
    rows = (
        await session.execute(
            visible_products().add_columns(Vendor.name).where(Product.id.in_(ids))
        )
    ).all()
    documents = await _documents(session, [(p, name) for p, name in rows])
    visible = {p.id for p, _ in rows}
    return documents, [i for i in ids if i not in visible]


async def _documents(
    session: AsyncSession, rows: list[tuple[Product, str]]
) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [p.id for p, _ in rows]
    variants: dict[uuid.UUID, list[Variant]] = defaultdict(list)
    for variant in await session.scalars(
        select(Variant).where(Variant.product_id.in_(ids), Variant.archived_at.is_(None))
    ):
        variants[variant.product_id].append(variant)
    stock = await inventory.availability(session, [v.id for vs in variants.values() for v in vs])
    images: dict[uuid.UUID, str] = {}
    for product_id, url in await session.execute(
        select(ProductImage.product_id, ProductImage.url)
        .where(ProductImage.product_id.in_(ids))
        .order_by(ProductImage.product_id, ProductImage.position)
    ):
        images.setdefault(product_id, url)
    categories = await _categories(session)
    documents = []
    for product, vendor_name in rows:
        own = categories.get(product.category_id) if product.category_id else None
        lineage = (
            [
                categories[uuid.UUID(part)]
                for part in own.path.strip("/").split("/")
                if uuid.UUID(part) in categories
            ]
            if own
            else []
        )
        documents.append(
            {
                "product_id": str(product.id),
                "slug": product.slug,
                "title": product.title,
                "description": product.description,
                "attributes": _flatten(product, variants[product.id]),
                "vendor_id": str(product.vendor_id),
                "vendor_name": vendor_name,
                "category_slugs": [c.slug for c in lineage],
                "category_names": [c.name for c in lineage],
                "category_slug": own.slug if own else None,
                "price_min": product.price_min or 0,
                "price_max": product.price_max or 0,
                "currency": product.currency,
                "in_stock": any(
                    stock[v.id].available > 0 for v in variants[product.id] if v.id in stock
                ),
                "rating": float(product.rating_average),
                "created_at": product.created_at,
                "image_url": images.get(product.id),
            }
        )
    return documents


async def all_documents(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every visible product's document, in batches (for a full reindex)."""
    after: uuid.UUID | None = None
    while True:
        stmt = visible_products().add_columns(Vendor.name).order_by(Product.id).limit(FEED_BATCH)
        if after is not None:
            stmt = stmt.where(Product.id > after)
        rows = (await session.execute(stmt)).all()
        if not rows:
            return
        yield await _documents(session, [(p, name) for p, name in rows])
        after = rows[-1][0].id


async def products_of_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(Product.id).where(Product.vendor_id == vendor_id)))


async def products_in_category(session: AsyncSession, category_id: uuid.UUID) -> list[uuid.UUID]:
    """Products in a category or any of its descendants."""
    path = await session.scalar(select(Category.path).where(Category.id == category_id))
    if path is None:
        return []
    subtree = select(Category.id).where(Category.path.startswith(path))
    return list(await session.scalars(select(Product.id).where(Product.category_id.in_(subtree))))

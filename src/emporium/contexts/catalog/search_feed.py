"""What the catalog tells the search index: one flat document per visible product.

The dicts carry exactly the fields of the search context's SearchDocument, so the catalog
needs no import of search (search depends on the catalog, not the other way round).

Reads are plain column rows, not ORM objects: a full reindex builds 100,000 documents, and
identity-map bookkeeping per row was most of its cost. The full feed streams the products
in one query (keyset pages re-sorted the visible set once per page on SQLite) and fetches
each page's variants, stock and images by product id.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.catalog.browse import visible_products
from emporium.contexts.catalog.models import Category, Product, ProductImage, Variant, Vendor

FEED_BATCH = 1000
# The variant fields a shopper may search by, besides its attributes.
_VARIANT_WORDS = ("grade", "condition", "certification")


def _visible_rows() -> Select[Any]:
    """The columns a document needs, of published products of approved vendors."""
    return visible_products().with_only_columns(
        Product.id,
        Product.slug,
        Product.title,
        Product.description,
        Product.attributes,
        Product.vendor_id,
        Product.category_id,
        Product.price_min,
        Product.price_max,
        Product.currency,
        Product.rating_average,
        Product.created_at,
        Vendor.name.label("vendor_name"),
    )


@dataclass(frozen=True)
class _Lineage:
    """What a document says of its category: its and its ancestors' slugs and names."""

    slugs: list[str]
    names: list[str]
    slug: str | None  # the category's own

    @staticmethod
    def of(path: list[Category]) -> _Lineage:
        return _Lineage(
            slugs=[c.slug for c in path],
            names=[c.name for c in path],
            slug=path[-1].slug if path else None,
        )


_NO_CATEGORY = _Lineage(slugs=[], names=[], slug=None)


async def _lineages(session: AsyncSession) -> dict[uuid.UUID, _Lineage]:
    """Each category with its ancestors, root first, worked out once per feed."""
    categories = {c.id: c for c in await session.scalars(select(Category))}
    return {
        category.id: _Lineage.of(
            [
                categories[uuid.UUID(part)]
                for part in category.path.strip("/").split("/")
                if uuid.UUID(part) in categories
            ]
        )
        for category in categories.values()
    }


def _flatten(attributes: dict[str, Any] | None, variants: list[Row[Any]]) -> dict[str, str]:
    """Every attribute value of a product and its variants, each once, joined per key."""
    values: dict[str, list[str]] = {}
    for source in (attributes, *(v.attributes for v in variants)):
        for key, value in (source or {}).items():
            _add(values, key, str(value))
    for variant in variants:
        for key in _VARIANT_WORDS:
            value = getattr(variant, key)
            if value:
                _add(values, key, value)
    return {key: " ".join(items) for key, items in values.items()}


def _add(values: dict[str, list[str]], key: str, text: str) -> None:
    items = values.get(key)
    if items is None:
        values[key] = [text]
    elif text not in items:
        items.append(text)


async def _variants(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    """The active variants of products, in position order, with what each has available."""
    stock = inventory.stock_rows().subquery()
    rows = await (await session.connection()).execute(
        select(
            Variant.product_id,
            Variant.attributes,
            Variant.grade,
            Variant.condition,
            Variant.certification,
            (stock.c.on_hand - stock.c.reserved).label("available"),
        )
        .outerjoin(stock, stock.c.variant_id == Variant.id)
        .where(Variant.product_id.in_(ids), Variant.archived_at.is_(None))
        .order_by(Variant.product_id, Variant.position)
    )
    variants: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        variants[row.product_id].append(row)
    return variants


async def _first_images(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    images: dict[uuid.UUID, str] = {}
    for product_id, url in await (await session.connection()).execute(
        select(ProductImage.product_id, ProductImage.url)
        .where(ProductImage.product_id.in_(ids))
        .order_by(ProductImage.product_id, ProductImage.position)
    ):
        images.setdefault(product_id, url)
    return images


async def _documents(
    session: AsyncSession,
    rows: Sequence[Row[Any]],
    lineages: dict[uuid.UUID, _Lineage],
) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    variants = await _variants(session, ids)
    images = await _first_images(session, ids)
    documents = []
    for row in rows:
        lineage = lineages.get(row.category_id, _NO_CATEGORY)
        own = variants[row.id]
        documents.append(
            {
                "product_id": str(row.id),
                "slug": row.slug,
                "title": row.title,
                "description": row.description,
                "attributes": _flatten(row.attributes, own),
                "vendor_id": str(row.vendor_id),
                "vendor_name": row.vendor_name,
                "category_slugs": lineage.slugs,
                "category_names": lineage.names,
                "category_slug": lineage.slug,
                "price_min": row.price_min or 0,
                "price_max": row.price_max or 0,
                "currency": row.currency,
                "in_stock": any((v.available or 0) > 0 for v in own),
                "rating": float(row.rating_average),
                "created_at": row.created_at,
                "image_url": images.get(row.id),
            }
        )
    return documents


async def product_documents(
    session: AsyncSession, product_ids: Iterable[uuid.UUID]
) -> tuple[list[dict[str, Any]], list[uuid.UUID]]:
    """Documents for the visible ones among product_ids, and the ids that are not visible."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return [], []
    connection = await session.connection()
    rows = (await connection.execute(_visible_rows().where(Product.id.in_(ids)))).all()
    documents = await _documents(session, rows, await _lineages(session))
    visible = {row.id for row in rows}
    return documents, [i for i in ids if i not in visible]


async def all_documents(session: AsyncSession) -> AsyncIterator[list[dict[str, Any]]]:
    """Every visible product's document, in batches (for a full reindex), in no set order."""
    lineages = await _lineages(session)
    # Core, not the ORM session: plain rows are all a document needs.
    connection = await session.connection()
    result = await connection.stream(_visible_rows())
    try:
        async for rows in result.partitions(FEED_BATCH):
            yield await _documents(session, rows, lineages)
    finally:
        await result.close()


async def products_of_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(Product.id).where(Product.vendor_id == vendor_id)))


async def products_in_category(session: AsyncSession, category_id: uuid.UUID) -> list[uuid.UUID]:
    """Products in a category or any of its descendants."""
    path = await session.scalar(select(Category.path).where(Category.id == category_id))
    if path is None:
        return []
    subtree = select(Category.id).where(Category.path.startswith(path))
    return list(await session.scalars(select(Product.id).where(Product.category_id.in_(subtree))))

"""A believable marketplace catalog, generated fast enough for 100,000-product benchmarks.

Rows go in with bulk inserts (one statement per few thousand rows) rather than through the
use-case handlers, which would take minutes at this size; the shapes are the same ones the
handlers write, including one `catalog.product_created` event per product for the log.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.catalog import demo_makers
from emporium.contexts.catalog.collections import CollectionCreate, create_collection
from emporium.contexts.catalog.denormalize import attribute_pairs
from emporium.contexts.catalog.events import ProductCreated
from emporium.contexts.catalog.models import (
    AttributeValue,
    Category,
    Product,
    ProductStatus,
    Variant,
)
from emporium.contexts.catalog.slugs import slugify
from emporium.kernel.db import bulk_insert, table_of
from emporium.kernel.events import append
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

BATCH = 2000


@dataclass
class DemoVendors:
    comics: uuid.UUID
    games: uuid.UUID
    apparel: uuid.UUID


@dataclass
class _Batch:
    products: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)


async def seed_categories(session: AsyncSession, now: datetime) -> dict[str, uuid.UUID]:
    """The demo category tree; returns category ids by name."""
    tree = {
        "Comics": ["Marvel", "DC", "Image", "Dark Horse", "Independent", "Graded Comics"],
        "Board Games": ["Strategy", "Family", "Party", "Cooperative"],
        "Apparel": ["T-Shirts", "Hoodies", "Accessories"],
    }
    ids: dict[str, uuid.UUID] = {}
    rows = []
    for position, (root, children) in enumerate(tree.items()):
        root_id = new_id()
        ids[root] = root_id
        rows.append(
            {
                "id": root_id,
                "name": root,
                "slug": slugify(root),
                "parent_id": None,
                "path": f"/{root_id}/",
                "position": position,
                "created_at": now,
            }
        )
        for child_position, child in enumerate(children):
            child_id = new_id()
            ids[child] = child_id
            rows.append(
                {
                    "id": child_id,
                    "name": child,
                    "slug": slugify(child),
                    "parent_id": root_id,
                    "path": f"/{root_id}/{child_id}/",
                    "position": child_position,
                    "created_at": now,
                }
            )
    await session.execute(insert(Category), rows)
    return ids


async def seed_demo_catalog(
    uow: UnitOfWork, *, vendors: DemoVendors, count: int, currency: str = "EUR"
) -> int:
    """Categories, count products over the demo vendors, and a few collections."""
    now = uow.clock.now()
    categories = await seed_categories(uow.session, now)
    ids = await seed_products(
        uow.session,
        vendors=vendors,
        categories=categories,
        count=count,
        now=now,
        currency=currency,
    )
    rng = random.Random(7)
    for title, picks in [("Key Issues", 24), ("Staff Picks", 12), ("Family Game Night", 12)]:
        chosen = rng.sample(ids, min(picks, len(ids)))
        await create_collection(uow, CollectionCreate(title=title, product_ids=chosen))
    return len(ids)


async def seed_products(
    session: AsyncSession,
    *,
    vendors: DemoVendors,
    categories: dict[str, uuid.UUID],
    count: int,
    now: datetime,
    currency: str = "EUR",
    seed: int = 42,
) -> list[uuid.UUID]:
    """count published products spread over the three demo vendors; returns their ids.

    Batches are generated and written in turn. Overlapping the two (writing one batch in
    SQLite's thread while generating the next) measured slower: both need the GIL, and
    the writer gives it up and waits for it again on every row.
    """
    maker = _Maker(vendors, categories, now=now, count=count, currency=currency)
    rng = random.Random(seed)
    batch = _Batch()
    for kind, n in demo_makers.plan(count, rng):
        maker.add(batch, kind, n, rng)
        if len(batch.products) >= BATCH:
            await _flush(session, batch, now)
            batch = _Batch()
    await _flush(session, batch, now)
    return maker.ids


class _Maker:
    """Turns generated products into the rows of each table, with unique slugs."""

    def __init__(
        self,
        vendors: DemoVendors,
        categories: dict[str, uuid.UUID],
        *,
        now: datetime,
        count: int,
        currency: str,
    ) -> None:
        self.makers = {
            "comics": (demo_makers.comic, vendors.comics),
            "games": (demo_makers.game, vendors.games),
            "apparel": (demo_makers.apparel, vendors.apparel),
        }
        self.categories = categories
        self.now, self.count, self.currency = now, count, currency
        self.ids: list[uuid.UUID] = []
        self.slugs = _Slugs()

    def add(self, batch: _Batch, kind: str, n: int, rng: random.Random) -> None:
        make, vendor_id = self.makers[kind]
        product, variants, category = make(rng, n)
        product_id = new_id()
        self.ids.append(product_id)
        created = self.now - timedelta(minutes=self.count - n)
        prices = [v["price_amount"] for v in variants]
        batch.products.append(
            {
                "id": product_id,
                "vendor_id": vendor_id,
                "slug": self.slugs.free(slugify(product["title"])),
                "title": product["title"],
                "description": product["description"],
                "status": ProductStatus.PUBLISHED.value,
                "category_id": self.categories[category],
                "attributes": product["attributes"],
                "price_min": min(prices),
                "price_max": max(prices),
                "currency": self.currency,
                "rating_average": 0,
                "rating_count": 0,
                "version": 1,
                "created_at": created,
                "updated_at": created,
                "published_at": created,
            }
        )
        for position, v in enumerate(variants):
            self._add_variant(batch, v, position, product_id, vendor_id, created)
        pairs = attribute_pairs(product["attributes"], *(v["attributes"] for v in variants))
        batch.attributes += [
            {"product_id": product_id, "key": k, "value": val} for k, val in sorted(pairs)
        ]

    def _add_variant(
        self,
        batch: _Batch,
        v: dict[str, Any],
        position: int,
        product_id: uuid.UUID,
        vendor_id: uuid.UUID,
        created: datetime,
    ) -> None:
        variant_id = new_id()
        stock = v.pop("stock")
        batch.variants.append(
            {
                **v,
                "id": variant_id,
                "product_id": product_id,
                "vendor_id": vendor_id,
                "price_currency": self.currency,
                "position": position,
                "created_at": created,
                "updated_at": created,
                "archived_at": None,
            }
        )
        batch.items.append(
            {
                "variant_id": variant_id,
                "product_id": product_id,
                "vendor_id": vendor_id,
                "is_unique": v["is_unique"],
                "on_hand": stock,
            }
        )


class _Slugs:
    """The smallest free numeric suffix per title, found without rescanning the taken ones.

    Thousands of products share a title ("Catan — Base Game"): trying -2, -3, … from the
    start each time made the slugs quadratic in the catalog's size.
    """

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def free(self, base: str) -> str:
        slug, n = base, self.next_suffix.get(base, 2)
        if slug in self.taken:
            slug = f"{base}-{n}"
            while slug in self.taken:
                n += 1
                slug = f"{base}-{n}"
            self.next_suffix[base] = n + 1
        self.taken.add(slug)
        return slug


async def _flush(session: AsyncSession, batch: _Batch, now: datetime) -> None:
    if not batch.products:
        return
    # Core inserts: one executemany per table, without the ORM's per-row bookkeeping.
    await bulk_insert(session, table_of(Product), batch.products)
    await bulk_insert(session, table_of(Variant), batch.variants)
    await bulk_insert(session, table_of(AttributeValue), batch.attributes)
    await inventory.bulk_create_items(session, batch.items, now=now)
    events: Sequence[ProductCreated] = [
        ProductCreated(id=p["id"], vendor_id=p["vendor_id"], slug=p["slug"], title=p["title"])
        for p in batch.products
    ]
    await append(session, events, occurred_at=now, metadata={"actor": "demo"}, returning=False)

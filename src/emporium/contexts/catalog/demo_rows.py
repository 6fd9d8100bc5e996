"""The demo catalog's rows, made and prepared for the driver without touching the database.

`generate` is pure: given the ids the database already holds (vendors, categories, stock
locations) it yields, batch by batch, the prepared inserts of every table a product lands
in and the ids of that batch's products. A large load runs it in a worker process.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from emporium.contexts import inventory
from emporium.contexts.catalog import demo_makers
from emporium.contexts.catalog.denormalize import attribute_pairs
from emporium.contexts.catalog.events import ProductCreated
from emporium.contexts.catalog.models import AttributeValue, Product, ProductStatus, Variant
from emporium.contexts.catalog.slugs import slugify
from emporium.kernel.bulk import PreparedInsert, dialect_for, prepare_insert
from emporium.kernel.db import table_of
from emporium.kernel.events import EventRecord, event_rows
from emporium.kernel.ids import new_id


@dataclass(frozen=True)
class DemoVendors:
    comics: uuid.UUID
    games: uuid.UUID
    apparel: uuid.UUID


@dataclass(frozen=True)
class DemoSpec:
    """Everything a generation needs; plain data, so it crosses to a worker process."""

    driver: str  # "sqlite+aiosqlite", "postgresql+asyncpg": how values are prepared
    vendors: DemoVendors
    categories: dict[str, uuid.UUID]
    locations: dict[uuid.UUID, uuid.UUID]  # each vendor's default stock location
    count: int
    now: datetime
    currency: str
    event_metadata: dict[str, Any]
    batch: int
    seed: int = 42
    # The kinds of product this generation makes, out of the count planned; a load split
    # over workers gives each a kind (a vendor), so their titles and slugs never meet.
    kinds: tuple[str, ...] = demo_makers.KINDS


@dataclass
class _Batch:
    products: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)


def generate(spec: DemoSpec) -> Iterator[tuple[list[PreparedInsert], list[uuid.UUID]]]:
    """Each batch's inserts, in an order the foreign keys accept, and its product ids."""
    dialect = dialect_for(spec.driver)
    maker = _Maker(spec)
    # One stream decides the kinds, one per kind makes them: a kind's products come out
    # the same whether one generation makes every kind or each has its own.
    rngs = {kind: random.Random(f"{spec.seed}:{kind}") for kind in spec.kinds}
    batch = _Batch()
    for kind, n in demo_makers.plan(spec.count, random.Random(spec.seed)):
        if kind not in rngs:
            continue
        maker.add(batch, kind, n, rngs[kind])
        if len(batch.products) >= spec.batch:
            yield _prepared(spec, dialect, batch), [p["id"] for p in batch.products]
            batch = _Batch()
    if batch.products:
        yield _prepared(spec, dialect, batch), [p["id"] for p in batch.products]


def _prepared(spec: DemoSpec, dialect: Any, batch: _Batch) -> list[PreparedInsert]:
    events = [
        ProductCreated(id=p["id"], vendor_id=p["vendor_id"], slug=p["slug"], title=p["title"])
        for p in batch.products
    ]
    tables = [
        (table_of(Product), batch.products),
        (table_of(Variant), batch.variants),
        (table_of(AttributeValue), batch.attributes),
        *inventory.new_item_rows(batch.items, spec.locations, now=spec.now),
        (
            table_of(EventRecord),
            event_rows(events, occurred_at=spec.now, metadata=spec.event_metadata),
        ),
    ]
    return [prepare_insert(dialect, table, rows) for table, rows in tables if rows]


class _Maker:
    """Turns generated products into the rows of each table, with unique slugs."""

    def __init__(self, spec: DemoSpec) -> None:
        vendors = spec.vendors
        self.makers = {
            "comics": (demo_makers.comic, vendors.comics),
            "games": (demo_makers.game, vendors.games),
            "apparel": (demo_makers.apparel, vendors.apparel),
        }
        self.categories = spec.categories
        self.now, self.count, self.currency = spec.now, spec.count, spec.currency
        self.slugs = _Slugs()

    def add(self, batch: _Batch, kind: str, n: int, rng: random.Random) -> None:
        make, vendor_id = self.makers[kind]
        product, variants, category = make(rng, n)
        product_id = new_id()
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

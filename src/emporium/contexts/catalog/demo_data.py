"""A believable marketplace catalog, generated fast enough for 100,000-product benchmarks.

Rows go in with bulk inserts (one statement per few thousand rows) rather than through the
use-case handlers, which would take minutes at this size; the shapes are the same ones the
handlers write, including one `catalog.product_created` event per product for the log.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
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

PUBLISHERS = {
    "Marvel": [
        "The Amazing Spider-Man",
        "X-Men",
        "The Incredible Hulk",
        "Fantastic Four",
        "Daredevil",
        "Iron Man",
        "The Avengers",
        "Wolverine",
        "Thor",
        "Captain America",
        "The Uncanny X-Men",
        "Silver Surfer",
        "Black Panther",
        "Ms. Marvel",
    ],
    "DC": [
        "Batman",
        "Detective Comics",
        "Superman",
        "Action Comics",
        "Wonder Woman",
        "The Flash",
        "Green Lantern",
        "Batman: The Killing Joke",
        "Swamp Thing",
        "The Sandman",
        "Watchmen",
        "Teen Titans",
    ],
    "Image": ["Saga", "Spawn", "The Walking Dead", "Invincible", "Monstress", "Paper Girls"],
    "Dark Horse": ["Hellboy", "Sin City", "Usagi Yojimbo", "The Umbrella Academy"],
    "Independent": ["Teenage Mutant Ninja Turtles", "Bone", "Cerebus", "Love and Rockets"],
}
GRADES = [
    ("CGC 9.8", "Near Mint/Mint"),
    ("CGC 9.6", "Near Mint+"),
    ("CGC 9.4", "Near Mint"),
    ("CGC 9.2", "Near Mint-"),
    ("CGC 9.0", "Very Fine/Near Mint"),
    ("CGC 8.5", "Very Fine+"),
    ("CBCS 9.8", "Near Mint/Mint"),
    ("CBCS 9.0", "Very Fine/Near Mint"),
    ("CGC 7.5", "Very Fine-"),
    ("CGC 6.0", "Fine"),
]
GAMES = [
    ("Catan", "Strategy"),
    ("Ticket to Ride", "Family"),
    ("Carcassonne", "Family"),
    ("Pandemic", "Cooperative"),
    ("Wingspan", "Strategy"),
    ("Azul", "Family"),
    ("Gloomhaven", "Cooperative"),
    ("Terraforming Mars", "Strategy"),
    ("Codenames", "Party"),
    ("Dixit", "Party"),
    ("7 Wonders", "Strategy"),
    ("Spirit Island", "Cooperative"),
    ("Splendor", "Family"),
    ("Dominion", "Strategy"),
    ("Everdell", "Strategy"),
    ("Root", "Strategy"),
    ("Just One", "Party"),
    ("Pokémon Trading Card Game: Base Set Booster", "Family"),
    ("Brass: Birmingham", "Strategy"),
    ("The Crew", "Cooperative"),
    ("Cascadia", "Family"),
    ("Scythe", "Strategy"),
]
EDITIONS = [
    "Base Game",
    "Deluxe Edition",
    "Anniversary Edition",
    "Travel Edition",
    "Expansion: Seafarers",
    "Second Edition",
    "Collector's Edition",
]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl"]
GARMENTS = ["T-Shirt", "Hoodie", "Long Sleeve", "Tote Bag", "Cap"]
MOTIFS = [
    "Venom Symbiote",
    "Bat-Signal",
    "Retro Spidey",
    "Hulk Smash",
    "Meeple Army",
    "Critical Hit",
    "Dice Goblin",
    "Panel Border",
    "Kirby Krackle",
    "Golden Age Logo",
    "Pixel Hero",
    "Comic Sans Irony",
    "Dragon Hoard",
    "Natural Twenty",
]
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
COLOURS = ["Black", "White", "Heather Grey", "Navy", "Bordeaux", "Forest Green"]


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


def _comic(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    publisher = rng.choice(list(PUBLISHERS))
    series = rng.choice(PUBLISHERS[publisher])
    issue = rng.randint(1, 700)
    year = rng.randint(1963, 2024)
    grade, condition = rng.choice(GRADES)
    title = f"{series} #{issue}"
    description = (
        f"{series} issue {issue} ({publisher}, {year}), graded {grade} by a "
        f"third-party grading service. Slabbed, certified, shipped insured."
    )
    attributes = {"publisher": publisher, "issue_number": issue, "year": year, "format": "Comic"}
    price = rng.choice([2900, 4900, 8900, 14900, 29900, 74900, 150000, 350000])
    variant = {
        "sku": f"KV-{n:07d}",
        "title": grade,
        "attributes": {"grade": grade},
        "price_amount": price,
        "tax_category": "reduced",
        "weight_grams": 180,
        "is_unique": True,
        "condition": condition,
        "grade": grade,
        "certification": f"{4200000000 + n}",
        "stock": rng.choice([1, 1, 1, 0]),
    }
    category = "Graded Comics" if rng.random() < 0.3 else publisher
    return (
        {"title": title, "description": description, "attributes": attributes},
        [variant],
        category,
    )


def _game(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    name, genre = rng.choice(GAMES)
    edition = rng.choice(EDITIONS)
    title = f"{name} — {edition}"
    players = f"{rng.randint(1, 2)}-{rng.randint(4, 8)}"
    description = (
        f"{name} ({edition}). A {genre.lower()} game for {players} players, "
        f"about {rng.choice([30, 45, 60, 90, 120])} minutes."
    )
    attributes = {"genre": genre, "players": players, "format": "Board Game"}
    base = rng.choice([1999, 2999, 3999, 4999, 5999, 8999])
    variants = [
        {
            "sku": f"DD-{n:07d}-{lang.upper()}",
            "title": f"Language: {lang}",
            "attributes": {"language": lang},
            "price_amount": base,
            "tax_category": "standard",
            "weight_grams": rng.randint(600, 3000),
            "is_unique": False,
            "condition": None,
            "grade": None,
            "certification": None,
            "stock": rng.randint(0, 40),
        }
        for lang in rng.sample(LANGUAGES, rng.randint(1, 3))
    ]
    return {"title": title, "description": description, "attributes": attributes}, variants, genre


def _apparel(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    garment = rng.choice(GARMENTS)
    motif = rng.choice(MOTIFS)
    title = f"{motif} {garment}"
    description = f"Organic cotton {garment.lower()} with the {motif} print. Unisex fit."
    price = {"T-Shirt": 2499, "Hoodie": 5499, "Long Sleeve": 3299, "Tote Bag": 1799, "Cap": 2199}[
        garment
    ]
    sizes = ["One Size"] if garment in ("Tote Bag", "Cap") else rng.sample(SIZES, 3)
    colours = rng.sample(COLOURS, 2)
    variants = [
        {
            "sku": f"PT-{n:07d}-{size}-{colour[:3].upper()}",
            "title": f"{size} / {colour}",
            "attributes": {"size": size, "colour": colour},
            "price_amount": price,
            "tax_category": "standard",
            "weight_grams": 250,
            "is_unique": False,
            "condition": None,
            "grade": None,
            "certification": None,
            "stock": rng.randint(0, 25),
        }
        for size in sizes
        for colour in colours
    ]
    category = {"Hoodie": "Hoodies", "Tote Bag": "Accessories", "Cap": "Accessories"}.get(
        garment, "T-Shirts"
    )
    attributes = {"garment": garment, "material": "organic cotton", "format": "Apparel"}
    return (
        {"title": title, "description": description, "attributes": attributes},
        variants,
        category,
    )


def _plan(count: int, rng: random.Random) -> Iterator[tuple[str, int]]:
    for n in range(count):
        roll = rng.random()
        yield ("comics" if roll < 0.5 else "games" if roll < 0.8 else "apparel"), n


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
    """count published products spread over the three demo vendors; returns their ids."""
    rng = random.Random(seed)
    makers = {
        "comics": (_comic, vendors.comics),
        "games": (_game, vendors.games),
        "apparel": (_apparel, vendors.apparel),
    }
    slugs: set[str] = set()
    ids: list[uuid.UUID] = []
    batch = _Batch()
    for kind, n in _plan(count, rng):
        make, vendor_id = makers[kind]
        product, variants, category = make(rng, n)
        product_id = new_id()
        ids.append(product_id)
        created = now - timedelta(minutes=count - n)
        slug = _free_slug(slugify(product["title"]), slugs)
        prices = [v["price_amount"] for v in variants]
        batch.products.append(
            {
                "id": product_id,
                "vendor_id": vendor_id,
                "slug": slug,
                "title": product["title"],
                "description": product["description"],
                "status": ProductStatus.PUBLISHED.value,
                "category_id": categories[category],
                "attributes": product["attributes"],
                "price_min": min(prices),
                "price_max": max(prices),
                "currency": currency,
                "rating_average": 0,
                "rating_count": 0,
                "version": 1,
                "created_at": created,
                "updated_at": created,
                "published_at": created,
            }
        )
        for position, v in enumerate(variants):
            variant_id = new_id()
            stock = v.pop("stock")
            batch.variants.append(
                {
                    **v,
                    "id": variant_id,
                    "product_id": product_id,
                    "vendor_id": vendor_id,
                    "price_currency": currency,
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
        pairs = attribute_pairs(product["attributes"], *(v["attributes"] for v in variants))
        batch.attributes += [
            {"product_id": product_id, "key": k, "value": val} for k, val in sorted(pairs)
        ]
        if len(batch.products) >= BATCH:
            await _flush(session, batch, now)
            batch = _Batch()
    await _flush(session, batch, now)
    return ids


def _free_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
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

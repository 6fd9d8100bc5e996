"""A believable marketplace catalog, generated fast enough for 100,000-product benchmarks.

Rows go in with bulk inserts (one statement per few thousand rows) rather than through the
use-case handlers, which would take minutes at this size; the shapes are the same ones the
handlers write, including one `catalog.product_created` event per product for the log.
demo_rows.py makes the rows; this module holds the transaction and writes them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.catalog.collections import CollectionCreate, create_collection
from emporium.contexts.catalog.demo_rows import DemoSpec, DemoVendors, generate
from emporium.contexts.catalog.models import Category
from emporium.contexts.catalog.slugs import slugify
from emporium.kernel.bulk import PreparedInsert, driver_of, run_prepared
from emporium.kernel.events import append_metadata, appending
from emporium.kernel.ids import new_id
from emporium.kernel.offload import iterate_in_processes
from emporium.kernel.uow import UnitOfWork

__all__ = ["DemoVendors", "seed_categories", "seed_demo_catalog", "seed_products"]

BATCH = 2000
# From this many products the rows are made in a worker process while this one writes;
# below it, spawning the worker (about a second) would cost more than it saves.
PROCESS_THRESHOLD = 5000


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

    Making the rows is pure Python and holds the GIL, so a large load makes them in
    worker processes while this one writes the batches they send (SQLite's writing runs
    in C, mostly without the GIL).
    """
    vendor_ids = {vendors.comics, vendors.games, vendors.apparel}
    spec = DemoSpec(
        driver=driver_of((await session.connection()).dialect),
        vendors=vendors,
        categories=categories,
        locations=await inventory.default_locations(session, vendor_ids, now),
        count=count,
        now=now,
        currency=currency,
        event_metadata=append_metadata({"actor": "demo"}),
        batch=BATCH,
        seed=seed,
    )
    ids: list[uuid.UUID] = []
    async with appending(session), aclosing(_batches(spec)) as batches:
        async for inserts, batch_ids in batches:
            await run_prepared(session, inserts)
            ids += batch_ids
    return ids


def _batches(spec: DemoSpec) -> AsyncGenerator[tuple[list[PreparedInsert], list[uuid.UUID]]]:
    if spec.count >= PROCESS_THRESHOLD:
        # One worker per kind (each about a third of the rows): with this process writing,
        # the two cores stay busy.
        shards = [(replace(spec, kinds=(kind,)),) for kind in spec.kinds]
        return iterate_in_processes(generate, shards, nice=10)
    return _in_process(generate(spec))


async def _in_process(items: Iterator[Any]) -> AsyncGenerator[Any]:
    for item in items:
        yield item

"""The demo catalog's bulk load: every batch lands whole, and repeated titles get free slugs."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from emporium.contexts import inventory
from emporium.contexts.catalog import demo_data
from emporium.contexts.catalog.models import AttributeValue, Product, Variant
from emporium.demo import load_demo
from emporium.kernel.events import EventRecord
from emporium.kernel.runtime import Runtime


async def _seed(runtime: Runtime, count: int) -> list[uuid.UUID]:
    summary = await load_demo(runtime, products=count)
    assert summary.loaded
    async with runtime.db.read() as session:
        return list(await session.scalars(select(Product.id)))


@pytest.fixture(params=["in_process", "workers"])
def small_batches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # Many small batches, so slugs and rows cross batch boundaries; made here or, as a
    # large load does, by one worker process per kind of product.
    monkeypatch.setattr(demo_data, "BATCH", 7)
    if request.param == "workers":
        monkeypatch.setattr(demo_data, "PROCESS_THRESHOLD", 1)


async def test_every_product_of_the_demo_load_arrives_with_its_variants_stock_and_attributes(
    runtime: Runtime, small_batches: None
) -> None:
    ids = await _seed(runtime, 100)

    async with runtime.db.read() as session:
        stored = set(await session.scalars(select(Product.id)))
        with_variants = set(await session.scalars(select(Variant.product_id).distinct()))
        with_attributes = set(await session.scalars(select(AttributeValue.product_id).distinct()))
        variant_ids = list(await session.scalars(select(Variant.id)))
        stock = await inventory.availability(session, variant_ids)
    assert stored == with_variants == with_attributes == set(ids)
    assert len(stored) == 100
    assert set(stock) == set(variant_ids)


async def test_demo_products_sharing_a_title_get_the_next_free_slug_suffix(
    runtime: Runtime, small_batches: None
) -> None:
    await _seed(runtime, 300)

    async with runtime.db.read() as session:
        rows = (await session.execute(select(Product.title, Product.slug))).all()
        distinct = await session.scalar(select(func.count(func.distinct(Product.slug))))
    assert distinct == len(rows) == 300
    title, repeats = Counter(title for title, _ in rows).most_common(1)[0]
    assert repeats > 2
    slugs = {slug for t, slug in rows if t == title}
    base = min(slugs, key=len)
    assert slugs == {base, *(f"{base}-{n}" for n in range(2, repeats + 1))}


async def test_every_demo_product_is_in_the_event_log_once_and_every_vendor_has_products(
    runtime: Runtime, small_batches: None
) -> None:
    ids = await _seed(runtime, 60)

    async with runtime.db.read() as session:
        logged = list(
            await session.scalars(
                select(EventRecord.aggregate_id).where(
                    EventRecord.type == "catalog.product_created"
                )
            )
        )
        vendors = await session.scalar(select(func.count(func.distinct(Product.vendor_id))))
    assert sorted(logged) == sorted(str(i) for i in ids)
    assert vendors == 3

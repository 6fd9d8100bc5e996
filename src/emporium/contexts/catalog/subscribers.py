"""The catalog's own reactions: drop cached product views when a product changes."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from emporium.contexts.catalog.events import PRODUCT_VIEW_EVENTS
from emporium.contexts.catalog.models import Product
from emporium.contexts.catalog.store_detail import cache_key
from emporium.kernel.cache import Cache
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.uow import UnitOfWork

CACHE_INVALIDATOR = "catalog.cache_invalidator"


def cache_invalidator(cache: Cache) -> Subscriber:
    """Frees cache memory; correctness never depends on it (reads check the version)."""

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        if event.aggregate_type == "product":
            await cache.delete(cache_key(event.aggregate_id))
        elif event.aggregate_type == "vendor":
            ids = await uow.session.scalars(
                select(Product.id).where(Product.vendor_id == uuid.UUID(event.aggregate_id))
            )
            await cache.delete(*(cache_key(i) for i in ids))

    return Subscriber(
        name=CACHE_INVALIDATOR,
        handle=handle,
        types=[t for t in PRODUCT_VIEW_EVENTS if t != "catalog.category_changed"],
    )

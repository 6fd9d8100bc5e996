"""Keeping the index in step with the catalog: the `search.indexer` subscriber and reindex."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from emporium.contexts import catalog
from emporium.contexts.search.port import SearchDocument, SearchEngine
from emporium.kernel import dispatcher
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

INDEXER = "search.indexer"
# Availability and ratings live in other contexts but show in the document.
EXTRA_EVENTS = (
    "inventory.out_of_stock",
    "inventory.back_in_stock",
    "reviews.rating_changed",
)


async def _affected(event: StoredEvent, uow: UnitOfWork) -> list[uuid.UUID]:
    session = uow.session
    if event.aggregate_type == "product":
        return [uuid.UUID(event.aggregate_id)]
    if event.aggregate_type == "vendor":
        return await catalog.products_of_vendor(session, uuid.UUID(event.aggregate_id))
    if event.aggregate_type == "category":
        return await catalog.products_in_category(session, uuid.UUID(event.aggregate_id))
    product_id = event.payload.get("product_id")
    return [uuid.UUID(str(product_id))] if product_id else []


def indexer(engine: SearchEngine) -> Subscriber:
    """Upserts the current document of every product an event touches (or deletes it).

    Each write is the product's whole current state, so handling an event twice or late is
    harmless; on PostgreSQL the write commits with the checkpoint in one transaction.
    """

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        ids = await _affected(event, uow)
        documents, hidden = await catalog.product_documents(uow.session, ids)
        if documents:
            await engine.upsert([SearchDocument(**d) for d in documents], session=uow.session)
        if hidden:
            await engine.delete([str(i) for i in hidden], session=uow.session)

    async def reset(uow: UnitOfWork) -> None:
        await engine.rebuild([], session=uow.session)

    return Subscriber(
        name=INDEXER,
        handle=handle,
        types=[*catalog.PRODUCT_VIEW_EVENTS, *EXTRA_EVENTS],
        reset=reset,
    )


async def reindex(runtime: Runtime, engine: SearchEngine) -> int:
    """Rebuild the whole index from the catalog as it is now; returns the documents indexed.

    The indexer's checkpoint moves to the head in the same transaction, so it does not
    re-index every past event afterwards (only the ones committed since).
    """
    count = 0

    async def rebuild(uow: UnitOfWork) -> None:
        nonlocal count

        async def documents() -> AsyncIterator[SearchDocument]:
            async for batch in catalog.all_documents(uow.session):
                for document in batch:
                    yield SearchDocument(**document)

        count = await engine.rebuild(documents(), session=uow.session)

    await dispatcher.catch_up(runtime, INDEXER, rebuild)
    return count

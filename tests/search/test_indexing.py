"""Writing the index: upsert, delete, rebuild, and concurrent writers, on both engines."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import replace

from emporium.contexts.search import SearchDocument, SearchEngine, SearchQuery
from tests.search.conftest import found, results
from tests.search.corpus import BY_SLUG, CORPUS


async def test_counts_the_documents_it_holds(indexed: SearchEngine) -> None:
    assert await indexed.count() == len(CORPUS)


async def test_forgets_a_deleted_product(indexed: SearchEngine) -> None:
    await indexed.delete(["prod-killing-joke"])
    assert await found(indexed, "killing joke") == []
    assert await indexed.count() == len(CORPUS) - 1


async def test_ignores_unknown_ids_on_delete(indexed: SearchEngine) -> None:
    await indexed.delete(["prod-no-such-thing"])
    assert await indexed.count() == len(CORPUS)


async def test_replaces_a_product_on_upsert(indexed: SearchEngine) -> None:
    renamed = replace(BY_SLUG["catan"], title="Catan: Seafarers", price_min=2999, price_max=2999)
    await indexed.upsert([renamed])
    (hit,) = (await indexed.search(SearchQuery(text="seafarers"))).hits
    assert (hit.title, hit.price_min) == ("Catan: Seafarers", 2999)
    assert await indexed.count() == len(CORPUS)


async def test_stops_finding_words_an_upsert_removed(indexed: SearchEngine) -> None:
    await indexed.upsert([replace(BY_SLUG["watchmen"], title="Before Watchmen")])
    await indexed.upsert([replace(BY_SLUG["watchmen"], title="Watchmen")])
    assert await found(indexed, "before") == []


async def test_keeps_the_last_of_a_repeated_id_in_one_batch(engine: SearchEngine) -> None:
    first = BY_SLUG["saga-volume-one"]
    await engine.upsert([first, replace(first, title="Saga, Volume Two")])
    assert await found(engine, "two") == ["saga-volume-one"]
    assert await engine.count() == 1


async def test_rebuild_replaces_everything(indexed: SearchEngine) -> None:
    survivors = [BY_SLUG["catan"], BY_SLUG["watchmen"]]
    assert await indexed.rebuild(survivors) == 2
    assert await indexed.count() == 2
    assert await found(indexed, "batman") == []


async def test_rebuild_reads_an_async_stream(engine: SearchEngine) -> None:
    async def stream() -> AsyncIterator[SearchDocument]:
        for doc in CORPUS:
            yield doc

    assert await engine.rebuild(stream()) == len(CORPUS)
    assert await found(engine, "catan") == ["catan"]


async def test_rebuild_finds_what_incremental_indexing_found(engine: SearchEngine) -> None:
    final = {doc.slug: doc for doc in CORPUS}
    for start in range(0, len(CORPUS), 5):
        await engine.upsert(CORPUS[start : start + 5])
    final["catan"] = replace(final["catan"], title="Catan Junior", in_stock=False)
    await engine.upsert([final["catan"]])
    await engine.delete(["prod-killing-joke", "prod-x-men-1"])
    del final["killing-joke"], final["x-men-1"]
    incremental = await results(engine)

    await engine.rebuild(list(final.values()))

    assert await results(engine) == incremental


async def test_concurrent_upserts_of_the_same_products_all_land(engine: SearchEngine) -> None:
    shuffled = [random.Random(seed).sample(CORPUS, len(CORPUS)) for seed in range(6)]
    await asyncio.gather(*(engine.upsert(docs) for docs in shuffled))
    assert await engine.count() == len(CORPUS)
    assert set(await found(engine, "")) == set(BY_SLUG)


async def test_concurrent_searches_see_a_whole_rebuild_or_none(indexed: SearchEngine) -> None:
    renamed = [replace(doc, title=f"{doc.title} Reprint") for doc in CORPUS]

    async def reprints() -> int:
        return (await indexed.search(SearchQuery(text="reprint"))).total

    counts = await asyncio.gather(indexed.rebuild(renamed), *(reprints() for _ in range(8)))
    assert all(count in (0, len(CORPUS)) for count in counts[1:])
    assert await reprints() == len(CORPUS)


async def test_an_upsert_made_during_a_rebuild_is_not_lost(engine: SearchEngine) -> None:
    catalog = [
        replace(CORPUS[n % len(CORPUS)], product_id=f"p-{n}", slug=f"p-{n}") for n in range(2500)
    ]
    halfway = asyncio.Event()

    async def stream() -> AsyncIterator[SearchDocument]:
        for n, doc in enumerate(catalog):
            if n == 2100:
                halfway.set()
            yield doc

    async def upsert_meanwhile() -> None:
        await halfway.wait()
        await engine.upsert([replace(doc, title=f"{doc.title} Signed") for doc in catalog[-50:]])

    await asyncio.gather(engine.rebuild(stream()), upsert_meanwhile())
    assert await engine.count() == len(catalog)
    assert (await engine.search(SearchQuery(text="signed"))).total == 50

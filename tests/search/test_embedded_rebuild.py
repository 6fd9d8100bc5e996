"""A large rebuild of the embedded index runs in a child process; here "large" is 3 documents.

A feed yields its first batch after REBUILD_BATCH documents, so the feeds that must reach
the child before something happens are a little longer than that.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import tantivy

from emporium.contexts.search import SearchDocument, SearchIndexBusy
from emporium.contexts.search.embedded import REBUILD_BATCH, EmbeddedSearchEngine
from emporium.contexts.search.embedded_index import build_schema
from emporium.contexts.search.embedded_rebuild import IndexBuildFailed
from tests.search.conftest import found, results
from tests.search.corpus import BY_SLUG, CORPUS

AFTER_FIRST_BATCH = REBUILD_BATCH + 100


class FeedBroke(Exception):
    pass


def in_child(index_dir: Path, **options: float) -> EmbeddedSearchEngine:
    """An engine that rebuilds in a child process from 3 documents on."""
    return EmbeddedSearchEngine(index_dir, process_threshold=3, **options)


def catalog(size: int) -> list[SearchDocument]:
    return [
        replace(CORPUS[n % len(CORPUS)], product_id=f"p-{n}", slug=f"p-{n}") for n in range(size)
    ]


def no_rebuild_left() -> bool:
    threads = [t for t in threading.enumerate() if t.name.startswith("search-rebuild")]
    return multiprocessing.active_children() == [] and threads == []


@pytest.fixture
async def old(tmp_path: Path) -> EmbeddedSearchEngine:
    """An engine holding the corpus, whose rebuilds run in a child process."""
    engine = in_child(tmp_path, lock_timeout_seconds=0.2)
    await engine.upsert(CORPUS)
    return engine


async def test_finds_what_a_rebuild_in_this_process_and_incremental_indexing_found(
    tmp_path: Path,
) -> None:
    incremental = EmbeddedSearchEngine(tmp_path / "incremental")
    for start in range(0, len(CORPUS), 5):
        await incremental.upsert(CORPUS[start : start + 5])
    here = EmbeddedSearchEngine(tmp_path / "here")
    child = in_child(tmp_path / "child")

    assert await here.rebuild(CORPUS) == await child.rebuild(CORPUS) == len(CORPUS)

    assert await results(child) == await results(here) == await results(incremental)
    assert await child.count() == len(CORPUS)
    assert no_rebuild_left()


async def test_keeps_the_last_of_a_repeated_id_across_batches(tmp_path: Path) -> None:
    docs = catalog(AFTER_FIRST_BATCH)
    docs.append(replace(docs[5], title="Catan Junior"))
    engine = in_child(tmp_path)

    assert await engine.rebuild(docs) == AFTER_FIRST_BATCH

    assert await found(engine, "junior") == ["p-5"]
    assert await engine.count() == AFTER_FIRST_BATCH


async def test_a_feed_failing_midway_leaves_the_old_index_and_raises_its_error(
    old: EmbeddedSearchEngine,
) -> None:
    async def failing() -> AsyncIterator[SearchDocument]:
        for doc in catalog(AFTER_FIRST_BATCH):
            yield doc
        raise FeedBroke("the database went away")

    with pytest.raises(FeedBroke, match="went away"):
        await old.rebuild(failing())

    assert await old.count() == len(CORPUS)
    assert await found(old, "catan") == ["catan"]
    assert no_rebuild_left()
    await old.upsert([replace(BY_SLUG["catan"], title="Catan Junior")])  # writer released
    assert await found(old, "junior") == ["catan"]


async def test_another_writer_on_the_directory_makes_it_busy(
    old: EmbeddedSearchEngine,
) -> None:
    index = tantivy.Index(build_schema(), path=str(old.path), reuse=True)
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    try:
        with pytest.raises(SearchIndexBusy):
            await old.rebuild(CORPUS[:5])
    finally:
        writer.rollback()
        writer.wait_merging_threads()
    assert await old.count() == len(CORPUS)
    assert no_rebuild_left()


async def test_a_document_the_child_cannot_index_fails_the_rebuild_with_its_traceback(
    old: EmbeddedSearchEngine,
) -> None:
    docs = [*CORPUS[:5], replace(BY_SLUG["catan"], price_min=2**70)]

    with pytest.raises(IndexBuildFailed, match="OverflowError"):
        await old.rebuild(docs)

    assert await old.count() == len(CORPUS)
    assert no_rebuild_left()


async def test_a_child_that_dies_fails_the_rebuild_instead_of_hanging(
    old: EmbeddedSearchEngine,
) -> None:
    async def killing() -> AsyncIterator[SearchDocument]:
        for n, doc in enumerate(catalog(AFTER_FIRST_BATCH)):
            if n == REBUILD_BATCH + 1:
                (child,) = multiprocessing.active_children()
                os.kill(child.pid or 0, signal.SIGKILL)
            yield doc

    with pytest.raises(IndexBuildFailed, match="ended early"):
        await old.rebuild(killing())

    assert await found(old, "catan") == ["catan"]
    assert no_rebuild_left()


async def test_cancelling_a_rebuild_stops_its_child(old: EmbeddedSearchEngine) -> None:
    reached = asyncio.Event()

    async def stalling() -> AsyncIterator[SearchDocument]:
        for doc in catalog(AFTER_FIRST_BATCH):
            yield doc
        reached.set()
        await asyncio.Event().wait()  # a feed that never ends

    rebuild = asyncio.create_task(old.rebuild(stalling()))
    await reached.wait()
    rebuild.cancel()
    with pytest.raises(asyncio.CancelledError):
        await rebuild

    assert no_rebuild_left()
    assert await old.count() == len(CORPUS)


async def test_an_upsert_during_a_rebuild_waits_for_it_and_is_not_lost(
    old: EmbeddedSearchEngine,
) -> None:
    docs = catalog(AFTER_FIRST_BATCH)
    reached = asyncio.Event()

    async def stream() -> AsyncIterator[SearchDocument]:
        for n, doc in enumerate(docs):
            if n == REBUILD_BATCH + 50:
                reached.set()
            yield doc

    async def upsert_meanwhile() -> None:
        await reached.wait()
        # The child holds the directory's writer: without the rebuild's lock this upsert
        # would try for it, and give up after lock_timeout_seconds (0.2) as busy.
        await old.upsert([replace(doc, title=f"{doc.title} Signed") for doc in docs[-50:]])

    await asyncio.gather(old.rebuild(stream()), upsert_meanwhile())

    assert await old.count() == len(docs)
    assert len(await found(old, "signed")) == 50

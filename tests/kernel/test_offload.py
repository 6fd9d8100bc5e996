"""Generators run in worker processes: every item arrives, and failures never hang the caller."""

from __future__ import annotations

import multiprocessing
from contextlib import aclosing

import pytest

from emporium.kernel.offload import WorkerFailed, iterate_in_processes
from tests.kernel import offload_jobs


async def test_the_items_of_every_worker_arrive_once() -> None:
    received = []
    async with aclosing(
        iterate_in_processes(offload_jobs.numbers, [(0, 500), (500, 800), (800, 1000)])
    ) as items:
        async for item in items:
            received.append(item)

    assert sorted(received) == list(range(1000))
    assert multiprocessing.active_children() == []


async def test_a_worker_that_raises_fails_the_loop_with_its_traceback() -> None:
    with pytest.raises(WorkerFailed, match="the generator broke"):
        async with aclosing(
            iterate_in_processes(offload_jobs.fails_after, [(3,)], nice=5)
        ) as items:
            async for _ in items:
                pass
    assert multiprocessing.active_children() == []


async def test_a_worker_that_dies_fails_the_loop_instead_of_hanging_it() -> None:
    with pytest.raises(WorkerFailed, match="exited early"):
        async with aclosing(iterate_in_processes(offload_jobs.dies_after, [(2,), (2,)])) as items:
            async for _ in items:
                pass
    assert multiprocessing.active_children() == []


async def test_leaving_the_loop_early_stops_the_workers() -> None:
    async with aclosing(iterate_in_processes(offload_jobs.endless, [(), ()])) as items:
        async for item in items:
            if item >= 10:
                break

    assert multiprocessing.active_children() == []

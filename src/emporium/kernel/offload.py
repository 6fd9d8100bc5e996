"""CPU-heavy generators run in a worker process, their items consumed here as they come.

Bulk work in Python holds the GIL: a thread cannot make rows while another feeds them to
the database. A spawned process can (the parent runs an event loop and driver threads, so
it is never forked). Items cross pickled through a bounded queue, which keeps the worker
at most `buffered` items ahead.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import traceback
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("spawn")
# How often a waiting parent checks that the worker is still alive.
_POLL_SECONDS = 0.25


class WorkerFailed(RuntimeError):
    """The worker raised (its traceback is the message) or died without finishing."""


async def iterate_in_processes(
    produce: Callable[..., Iterator[T]],
    arguments: Sequence[tuple[Any, ...]],
    *,
    buffered: int = 4,
    nice: int = 0,
) -> AsyncGenerator[T]:
    """The items of produce(*args) for each args, one worker process each, as they arrive.

    Use with contextlib.aclosing. produce must be a module-level function and the
    arguments picklable. Items of different workers interleave in no set order. Leaving
    the loop early, a worker failing or the caller being cancelled stops every worker.
    nice lowers the workers' priority, so that with more workers than cores the consumer
    (often the bottleneck: one database writer) still gets a core whenever it can run.
    """
    items: Any = _CONTEXT.Queue(maxsize=buffered * len(arguments))
    workers = [
        _CONTEXT.Process(target=_produce, args=(items, nice, produce, args), daemon=True)
        for args in arguments
    ]
    for worker in workers:
        worker.start()
    running = len(workers)
    try:
        while running:
            kind, value = await asyncio.to_thread(_receive, items, workers)
            if kind == "done":
                running -= 1
            elif kind == "error":
                raise WorkerFailed(value)
            else:
                yield value
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        await asyncio.to_thread(_join, workers)
        items.close()
        items.cancel_join_thread()


def _produce(
    items: Any, nice: int, produce: Callable[..., Iterator[Any]], args: tuple[Any, ...]
) -> None:
    """A worker's side: every item, then "done" or the error's traceback."""
    os.nice(nice)
    try:
        for item in produce(*args):
            items.put(("item", item))
    except BaseException:
        items.put(("error", traceback.format_exc()))
    else:
        items.put(("done", None))
    items.close()
    items.join_thread()  # flush the queue before the process exits


def _join(workers: Sequence[BaseProcess]) -> None:
    for worker in workers:
        worker.join()


def _receive(items: Any, workers: Sequence[BaseProcess]) -> tuple[str, Any]:
    while True:
        try:
            message: tuple[str, Any] = items.get(timeout=_POLL_SECONDS)
            return message
        except queue.Empty:
            exits = [w.exitcode for w in workers]
            # One died, or all ended and we still wait: either way a message is missing.
            if any(code not in (None, 0) for code in exits) or None not in exits:
                break
    try:  # its last message may have arrived just before the check
        message = items.get(timeout=_POLL_SECONDS)
        return message
    except queue.Empty:
        raise WorkerFailed(f"a worker exited early (exit codes {exits})") from None

"""A full rebuild of the embedded index in a child process, beside the feed that fills it.

Reading the catalog and analysing its documents both hold a GIL: in one process they take
turns on one core. Here the parent reads the feed and sends batches of documents, as plain
tuples, down a pipe; the child (embedded_build) analyses them into its writer and commits
when the pipe ends. The child is spawned, never forked: this process runs an event loop
and driver threads.

At most IN_FLIGHT batches wait for the child, so a slow child slows the feed instead of
filling memory. Until the commit lands readers see the old index: if the feed fails the
pipe ends early and the child rolls back; if the child fails or dies the parent raises
IndexBuildFailed (SearchIndexBusy when another writer held the index). Either way the
child has exited, been joined and its pipes closed when build_in_child returns, also when
the caller is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections import deque
from collections.abc import AsyncIterable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emporium.contexts.search.embedded_build import build
from emporium.contexts.search.embedded_index import row_values
from emporium.contexts.search.errors import SearchIndexBusy

if TYPE_CHECKING:
    from emporium.contexts.search.port import SearchDocument

_CONTEXT = multiprocessing.get_context("spawn")
# Enough queued batches to cover the child's start (about half a second of feed).
IN_FLIGHT = 4
# How long a child may take to roll back once the feed failed, before it is killed.
ABORT_SECONDS = 30.0


class IndexBuildFailed(RuntimeError):
    """The rebuild's child process raised (its traceback is the message) or died."""


async def build_in_child(
    path: Path,
    head: Iterable[list[SearchDocument]],
    rest: AsyncIterable[list[SearchDocument]],
    *,
    lock_timeout: float,
) -> int:
    """Replace the index in path by the batches of head then rest; the documents indexed."""
    child = _Child(path, lock_timeout)
    try:
        child.start()
        for batch in head:
            await child.send(batch)
        async for batch in rest:
            await child.send(batch)
        return await child.commit()
    except asyncio.CancelledError:
        raise  # no waiting for a rollback: close() kills the child, nothing was committed
    except BaseException:
        await child.abort()
        raise
    finally:
        child.close()


class _Child:
    """The parent's end: the process, its two pipes and the thread that feeds one."""

    def __init__(self, path: Path, lock_timeout: float) -> None:
        self._rows_in, self._rows = _CONTEXT.Pipe(duplex=False)
        self._outcome, self._outcome_in = _CONTEXT.Pipe(duplex=False)
        self._process = _CONTEXT.Process(
            target=build,
            args=(self._rows_in, self._outcome_in, str(path), lock_timeout),
            name="search-rebuild",
            daemon=True,
        )
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-rebuild")
        self._sending: deque[Future[None]] = deque()
        self._started = False

    def start(self) -> None:
        self._process.start()
        self._started = True
        # The child has its own copies; ours would hide its exit from both pipes.
        self._rows_in.close()
        self._outcome_in.close()

    async def send(self, batch: list[SearchDocument] | None) -> None:
        """Queue a batch (None: the end) for the child, while IN_FLIGHT wait ahead of it."""
        while len(self._sending) >= IN_FLIGHT:
            await self._sent(self._sending.popleft())
        self._sending.append(self._sender.submit(self._ship, batch))

    def _ship(self, batch: list[SearchDocument] | None) -> None:
        # Blocks while the child is busy with earlier batches: the pipe is the bound.
        self._rows.send(None if batch is None else [row_values(doc) for doc in batch])

    async def _sent(self, sending: Future[None]) -> None:
        try:
            await asyncio.wrap_future(sending)
        except OSError:  # the child closed its end: it failed, or another writer held on
            kind, value = await self._last_word()
            raise self._error(kind, value) from None

    async def commit(self) -> int:
        """Send the end of the feed and wait for the child's commit."""
        await self.send(None)
        while self._sending:
            await self._sent(self._sending.popleft())
        kind, value = await self._last_word()
        if kind != "committed":
            raise self._error(kind, value)
        return int(value)

    async def abort(self) -> None:
        """End the pipe without its end marker, so the child rolls back, and let it finish."""
        if not self._started:
            return
        # Drops the batches not sent yet; the one being sent goes through or fails.
        await asyncio.to_thread(self._sender.shutdown, cancel_futures=True)
        self._rows.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_readable(self._process.sentinel), ABORT_SECONDS)

    def close(self) -> None:
        """Kill the child if it still runs, join it and close everything; never waits long."""
        if self._started and self._process.exitcode is None:
            self._process.kill()
        # Drops the batches not sent yet; one blocked on the pipe fails once the child is gone.
        self._sender.shutdown(cancel_futures=True)
        if self._started:
            self._process.join()
            self._process.close()
        for connection in (self._rows, self._rows_in, self._outcome, self._outcome_in):
            connection.close()

    async def _last_word(self) -> tuple[str, Any]:
        """The child's outcome, once it has exited (("died", exit code) if it sent none).

        Waits on the child's message and on its exit at once, so a child that dies without
        a word wakes the parent as soon as it is gone (no polling, no guessed timeout).
        """
        await _readable(self._outcome.fileno(), self._process.sentinel)
        try:
            message: tuple[str, Any] = self._outcome.recv()
        except (EOFError, OSError):
            message = ("died", None)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_readable(self._process.sentinel), ABORT_SECONDS)
        if message[0] == "died":
            return "died", self._process.exitcode
        return message

    @staticmethod
    def _error(kind: str, value: Any) -> Exception:
        if kind == "busy":
            return SearchIndexBusy()
        if kind == "failed":
            return IndexBuildFailed(f"the search index build failed in its process:\n{value}")
        return IndexBuildFailed(f"the search index build process ended early (exit code {value})")


async def _readable(*fds: int) -> None:
    """Until one of fds can be read (a message, an end of file, a process's exit)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    for fd in fds:
        loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        for fd in fds:
            loop.remove_reader(fd)

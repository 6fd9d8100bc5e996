"""The background worker wakes on commits and NOTIFY, survives errors, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text

from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.wakeup import APPLICATION_NAME
from emporium.kernel.worker import BackgroundWorker
from emporium.settings import Settings
from tests.kernel.builders import (
    ThingHappened,
    append,
    create_test_tables,
    effect_positions,
    wait_until,
    writes_effect,
)

ROOT = Path(__file__).resolve().parents[2]
# Far longer than any test may take: if an event is handled, a wake-up did it, not the poll.
NEVER = 3600.0


@pytest.fixture
async def sleepy(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    """A runtime whose worker would poll only once an hour."""
    runtime = build_runtime(
        settings.model_copy(update={"dispatcher_poll_seconds": NEVER}), clock=clock
    )
    await create_test_tables(runtime.db.engine)
    try:
        yield runtime
    finally:
        await runtime.db.dispose()


def signalling(runtime: Runtime) -> asyncio.Event:
    """Register a subscriber that writes an effect and sets the returned event."""
    seen = asyncio.Event()
    write = writes_effect("signal")

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        await write(event, uow)
        seen.set()

    runtime.subscribers.add(Subscriber(name="signal", handle=handle))
    return seen


async def append_from_another_process(settings: Settings, clock: FakeClock) -> None:
    """Commit an event through its own engine: only NOTIFY can tell the worker about it."""
    elsewhere = build_runtime(settings, clock=clock)
    try:
        await append(elsewhere, ThingHappened(id="a", n=1))
    finally:
        await elsewhere.db.dispose()


@pytest.fixture
async def worker(sleepy: Runtime) -> AsyncIterator[BackgroundWorker]:
    background = BackgroundWorker(sleepy)
    yield background
    await background.stop()


async def test_a_commit_in_this_process_wakes_the_worker(
    sleepy: Runtime, worker: BackgroundWorker
) -> None:
    seen = signalling(sleepy)
    await worker.start()
    await asyncio.wait_for(worker.idle.wait(), 30)

    [position] = await append(sleepy, ThingHappened(id="a", n=1))

    await asyncio.wait_for(seen.wait(), 30)

    async def committed() -> bool:
        return await effect_positions(sleepy, "signal") == [position]

    await wait_until(committed, what="the handler's effect to commit")


@pytest.fixture
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite's writers share one process")


@pytest.mark.usefixtures("postgres_only")
async def test_a_commit_by_another_process_wakes_the_worker_through_notify(
    sleepy: Runtime, worker: BackgroundWorker, settings: Settings, clock: FakeClock
) -> None:
    seen = signalling(sleepy)
    await worker.start()
    await asyncio.wait_for(worker.idle.wait(), 30)

    await append_from_another_process(settings, clock)

    await asyncio.wait_for(seen.wait(), 30)


@pytest.mark.usefixtures("postgres_only")
async def test_the_listener_reconnects_after_its_connection_is_killed(
    sleepy: Runtime, worker: BackgroundWorker, settings: Settings, clock: FakeClock
) -> None:
    seen = signalling(sleepy)
    await worker.start()
    assert worker.listener is not None and worker.listener.connections == 1

    async with sleepy.db.engine.connect() as conn:
        await conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    listener = worker.listener

    async def reconnected() -> bool:
        return listener.connections == 2

    async def asleep_after_reconnecting() -> bool:
        return worker.idle.is_set() and not worker.wake.is_set()

    await wait_until(reconnected, what="the listener to reconnect")
    await wait_until(asleep_after_reconnecting, what="the worker to sleep again")
    await append_from_another_process(settings, clock)

    await asyncio.wait_for(seen.wait(), 30)


async def test_an_error_in_one_pass_is_logged_and_the_worker_goes_on(
    settings: Settings, clock: FakeClock
) -> None:
    runtime = build_runtime(
        settings.model_copy(update={"dispatcher_poll_seconds": 0.05}), clock=clock
    )
    await create_test_tables(runtime.db.engine)
    signalling(runtime)
    [position] = await append(runtime, ThingHappened(id="a", n=1))
    failures: list[int] = []

    def database_hiccup(_conn: object) -> None:
        if not failures:
            failures.append(1)
            raise ConnectionError("the database went away for a moment")

    async def handled_and_committed() -> bool:
        return await effect_positions(runtime, "signal") == [position]

    sa_event.listen(runtime.db.engine.sync_engine, "commit", database_hiccup)
    worker = BackgroundWorker(runtime)
    try:
        await worker.start()
        await wait_until(handled_and_committed, what="the event to be handled after the error")
    finally:
        await worker.stop()
        sa_event.remove(runtime.db.engine.sync_engine, "commit", database_hiccup)
        await runtime.db.dispose()

    assert failures == [1]  # the first pass failed to commit; a later one did


async def test_the_worker_command_stops_cleanly_on_sigterm(database_url: str) -> None:
    env = {**os.environ, "EMPORIUM_DATABASE_URL": database_url, "EMPORIUM_LOG_JSON": "true"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emporium.cli",
        "worker",
        cwd=ROOT,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    while b"worker_started" not in (line := await process.stderr.readline()):
        assert line, "the worker exited before it started"

    process.send_signal(signal.SIGTERM)
    rest = await process.stderr.read()

    assert await process.wait() == 0
    assert b"worker_stopped" in rest

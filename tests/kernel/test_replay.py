"""Replaying a subscriber from position 0 rebuilds its read model exactly."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from emporium.kernel import dispatcher
from emporium.kernel.dead_letters import DeadLetterRecord
from emporium.kernel.dispatcher import dispatch_until_idle, replay
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from tests.kernel.builders import (
    ThingHappened,
    append,
    effect_subscriber,
    reset_tally,
    tally_rows,
    tally_thing,
)

ROOT = Path(__file__).resolve().parents[2]


def tally_subscriber() -> Subscriber:
    return Subscriber(name="tally", handle=tally_thing, reset=reset_tally, batch_size=3)


async def test_replay_from_zero_rebuilds_the_read_model_identically(runtime: Runtime) -> None:
    runtime.subscribers.add(tally_subscriber())
    for thing in ("a", "b", "c"):
        await append(runtime, *(ThingHappened(id=thing, n=n) for n in range(4)))
    await dispatch_until_idle(runtime)
    before = await tally_rows(runtime)

    await replay(runtime, "tally")
    assert await tally_rows(runtime) == []  # the reset committed with the checkpoint at 0
    assert await dispatch_until_idle(runtime) == 12

    assert await tally_rows(runtime) == before == [("a", 6, 4), ("b", 6, 4), ("c", 6, 4)]


async def test_replay_refuses_a_subscriber_without_a_reset(runtime: Runtime) -> None:
    runtime.subscribers.add(effect_subscriber("mailer"))

    with pytest.raises(dispatcher.NotReplayable):
        await replay(runtime, "mailer")


async def test_replay_of_an_unknown_subscriber_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(dispatcher.SubscriberNotFound):
        await replay(runtime, "nobody")


async def test_replay_resolves_parked_events_because_it_handles_them_again(
    runtime: Runtime,
) -> None:
    healthy = asyncio.Event()

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        if not healthy.is_set():
            raise RuntimeError("not yet")
        await tally_thing(event, uow)

    runtime.subscribers.add(Subscriber(name="tally", handle=handle, reset=reset_tally))
    await append(runtime, ThingHappened(id="a", n=5))
    for _ in range(runtime.settings.dispatcher_max_attempts):
        await dispatch_until_idle(runtime)
        runtime.clock.advance(hours=1)  # type: ignore[attr-defined]
    healthy.set()

    await replay(runtime, "tally")
    await dispatch_until_idle(runtime)

    assert await tally_rows(runtime) == [("a", 5, 1)]
    async with runtime.db.read() as session:
        statuses = (await session.scalars(select(DeadLetterRecord.status))).all()
    assert statuses == ["resolved"]


async def test_the_replay_command_explains_an_unknown_subscriber(database_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emporium.cli",
        "events",
        "replay",
        "nobody",
        cwd=ROOT,
        env={**os.environ, "EMPORIUM_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()

    assert process.returncode == 2
    assert b"No subscriber has this name (nobody)" in stderr

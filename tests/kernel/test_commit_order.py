"""On PostgreSQL, event positions become visible in commit order, so no reader skips one.

SQLite has a single writer: its transactions cannot commit out of order, so these run on
PostgreSQL only (see docs/decisions/0001-commit-ordered-event-log.md).
"""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import insert, select, text

from emporium.kernel import events as event_log
from emporium.kernel.dispatcher import dispatch_until_idle, run_subscriber
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from tests.kernel.builders import (
    ThingHappened,
    append,
    duplicates,
    effect,
    effect_positions,
    effect_subscriber,
    wait_until,
    writes_effect,
)


@pytest.fixture(autouse=True)
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing can commit out of order")


async def visible_positions(runtime: Runtime) -> list[int]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(EventRecord.position))).all())


def raw_event(n: int) -> dict[str, object]:
    event = ThingHappened(id="raw", n=n)
    return {
        "id": __import__("uuid").uuid4(),
        "type": event.type,
        "version": 1,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "payload": event.payload(),
        "meta": {},
        "occurred_at": __import__("datetime").datetime(2026, 1, 1),
    }


async def test_without_the_append_lock_a_higher_position_can_be_seen_first(
    runtime: Runtime,
) -> None:
    """The hazard the lock exists for: a bare sequence hands out positions before commit."""
    async with runtime.db.sessions() as first, runtime.db.sessions() as second:
        await first.execute(insert(EventRecord).values(raw_event(1)))
        await second.execute(insert(EventRecord).values(raw_event(2)))
        await second.commit()

        assert await visible_positions(runtime) == [2]  # position 1 is still in flight

        await first.commit()
    assert await visible_positions(runtime) == [1, 2]


async def test_a_second_appender_waits_until_the_first_commits(runtime: Runtime) -> None:
    async with runtime.uow() as first:
        [low] = await event_log.append(
            first.session, [ThingHappened(id="a", n=1)], occurred_at=runtime.clock.now()
        )
        second = asyncio.create_task(append(runtime, ThingHappened(id="b", n=2)))

        async def second_waits_on_the_append_lock() -> bool:
            async with runtime.db.engine.connect() as conn:
                waiting = await conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                        "WHERE l.locktype = 'advisory' AND NOT l.granted "
                        "AND a.wait_event_type = 'Lock' AND a.wait_event = 'advisory' "
                        "AND a.datname = current_database()"
                    )
                )
            return bool(waiting)

        await wait_until(second_waits_on_the_append_lock, what="the second appender to wait")
        assert await visible_positions(runtime) == []
        assert not second.done()

        await first.commit()
    [high] = await second

    assert low < high
    assert await visible_positions(runtime) == [low, high]


async def test_a_transaction_that_began_first_but_appends_last_is_not_skipped(
    runtime: Runtime,
) -> None:
    runtime.subscribers.add(effect_subscriber("reader"))
    async with runtime.uow() as early:
        # A began first and changed state, but has not appended yet.
        await early.session.execute(insert(effect).values(source="state", event_id="", position=0))
        [later] = await append(runtime, ThingHappened(id="b", n=1))
        assert await dispatch_until_idle(runtime) == 1

        early.record(ThingHappened(id="a", n=0))
        await early.commit()
    [earlier] = early.positions

    assert await dispatch_until_idle(runtime) == 1
    assert await effect_positions(runtime, "reader") == [later, earlier]


@pytest.mark.slow
async def test_a_concurrent_reader_sees_every_committed_event_once_whatever_the_commit_order(
    runtime: Runtime,
) -> None:
    rng = random.Random(20260115)
    order: list[int] = []
    write = writes_effect("reader")

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        order.append(event.position)
        await write(event, uow)

    subscriber = Subscriber(name="reader", handle=handle, batch_size=7)
    runtime.subscribers.add(subscriber)
    committed: list[int] = []
    rolled_back: list[int] = []

    async def writer(index: int, go: asyncio.Event, finish: asyncio.Event, rollback: bool) -> None:
        async with runtime.uow() as uow:
            await uow.session.execute(text("SELECT pg_current_xact_id()"))  # begun, in order
            await go.wait()
            positions = await event_log.append(
                uow.session,
                [ThingHappened(id=f"w{index}", n=n) for n in range(rng.randint(1, 3))],
                occurred_at=runtime.clock.now(),
            )
            await finish.wait()  # the test decides when (and so in which order) it commits
            if rollback:
                rolled_back.extend(positions)
                return  # leaving without commit rolls back, events included
            await uow.commit()
            committed.extend(positions)

    async def reader(done: asyncio.Event) -> None:
        while not done.is_set():
            await run_subscriber(runtime, subscriber)
            await asyncio.sleep(0)

    for _round in range(5):
        gos = [asyncio.Event() for _ in range(20)]
        finishes = [asyncio.Event() for _ in gos]
        writers = [
            asyncio.create_task(writer(i, go, finish, rng.random() < 0.25))
            for i, (go, finish) in enumerate(zip(gos, finishes, strict=True))
        ]
        done = asyncio.Event()
        reading = asyncio.create_task(reader(done))
        for go in gos:  # started in one order...
            go.set()
            await asyncio.sleep(0)
        for finish in rng.sample(finishes, len(finishes)):  # ...told to commit in another
            finish.set()
            for _ in range(rng.randrange(3)):
                await asyncio.sleep(0)
            await run_subscriber(runtime, subscriber)
        await asyncio.gather(*writers)
        done.set()
        await reading

    await dispatch_until_idle(runtime)

    assert rolled_back, "the test must roll some writers back"
    assert duplicates(order) == []
    assert order == sorted(order)
    assert set(order) == set(committed)
    assert set(order).isdisjoint(rolled_back)
    assert sorted(await effect_positions(runtime, "reader")) == sorted(committed)

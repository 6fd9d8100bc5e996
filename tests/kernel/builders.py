"""Builders for kernel tests: test events, a table subscribers write to, recording subscribers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from emporium.kernel.events import DomainEvent, StoredEvent
from emporium.kernel.registry import EventHandler, Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

# A table that exists only in test databases: what subscribers and jobs did, row by row.
test_metadata = MetaData()
effect = Table(
    "test_effect",
    test_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(120), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("position", Integer, nullable=False),
    Column("worker", String(40), nullable=False, default=""),
)
tally = Table(
    "test_tally",
    test_metadata,
    Column("thing", String(80), primary_key=True),
    Column("total", Integer, nullable=False),
    Column("seen", Integer, nullable=False),
)


@dataclass(frozen=True, kw_only=True)
class ThingHappened(DomainEvent):
    type: ClassVar[str] = "test.thing_happened"
    aggregate_type: ClassVar[str] = "thing"

    id: str
    n: int


@dataclass(frozen=True, kw_only=True)
class OtherThingHappened(DomainEvent):
    type: ClassVar[str] = "test.other_thing_happened"
    aggregate_type: ClassVar[str] = "thing"

    id: str
    n: int


async def create_test_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(test_metadata.create_all)


async def append(runtime: Runtime, *events: DomainEvent) -> list[int]:
    """Commit events in one unit of work; returns their positions."""
    async with runtime.uow() as uow:
        uow.record(*events)
        await uow.commit()
    return uow.positions


async def append_things(runtime: Runtime, count: int, *, thing: str = "a") -> list[int]:
    """Commit count ThingHappened events, one unit of work each."""
    positions: list[int] = []
    for n in range(count):
        positions += await append(runtime, ThingHappened(id=thing, n=n))
    return positions


def writes_effect(source: str, *, worker: str = "") -> EventHandler:
    """A handler whose database effect is one test_effect row per event."""

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        await uow.session.execute(
            insert(effect).values(
                source=source, event_id=str(event.id), position=event.position, worker=worker
            )
        )

    return handle


def effect_subscriber(name: str, **options: Any) -> Subscriber:
    return Subscriber(name=name, handle=writes_effect(name), **options)


async def effects(runtime: Runtime, source: str | None = None) -> list[dict[str, Any]]:
    """The test_effect rows (of one source), in the order they were written."""
    stmt = select(effect).order_by(effect.c.id)
    if source is not None:
        stmt = stmt.where(effect.c.source == source)
    async with runtime.db.read() as session:
        return [dict(row._mapping) for row in (await session.execute(stmt)).all()]


async def effect_positions(runtime: Runtime, source: str) -> list[int]:
    return [row["position"] for row in await effects(runtime, source)]


async def tally_thing(event: StoredEvent, uow: UnitOfWork) -> None:
    """A read model: per thing, the sum of n and how many events were seen."""
    thing, n = event.payload["id"], event.payload["n"]
    current = await uow.session.scalar(select(tally.c.total).where(tally.c.thing == thing))
    if current is None:
        await uow.session.execute(insert(tally).values(thing=thing, total=n, seen=1))
    else:
        await uow.session.execute(
            tally.update()
            .where(tally.c.thing == thing)
            .values(total=tally.c.total + n, seen=tally.c.seen + 1)
        )


async def reset_tally(uow: UnitOfWork) -> None:
    await uow.session.execute(delete(tally))


async def tally_rows(runtime: Runtime) -> list[tuple[str, int, int]]:
    async with runtime.db.read() as session:
        rows = (await session.execute(select(tally).order_by(tally.c.thing))).all()
    return [(row.thing, row.total, row.seen) for row in rows]


async def count_rows(runtime: Runtime, table: Table) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


def duplicates(values: Sequence[Any]) -> list[Any]:
    seen: set[Any] = set()
    return [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]


async def wait_until(condition: Callable[[], Awaitable[bool]], *, what: str) -> None:
    """Poll condition until it holds (a state another process or task reaches), at most 30 s."""
    for _ in range(3000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")

"""A unit of work commits state and its events together, or neither."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from emporium.kernel.events import DomainEvent, EventRecord, read_after
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import RecordsEvents


@dataclass(frozen=True, kw_only=True)
class ThingHappened(DomainEvent):
    type = "test.thing_happened"
    aggregate_type = "thing"
    id: str
    note: str = ""


class Thing(RecordsEvents):
    def __init__(self, id: str) -> None:
        self.id = id

    def poke(self) -> None:
        self.record_event(ThingHappened(id=self.id, note="poked"))


async def test_commit_appends_recorded_events_in_order(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        uow.record(ThingHappened(id="a"), ThingHappened(id="b"))
        await uow.commit()
    async with runtime.db.read() as session:
        events = await read_after(session, 0, limit=10)
    assert [e.aggregate_id for e in events] == ["a", "b"]
    assert events[0].position < events[1].position
    assert events[0].occurred_at == runtime.clock.now()


async def test_leaving_without_commit_discards_the_events(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        uow.record(ThingHappened(id="a"))
    with pytest.raises(RuntimeError):
        async with runtime.uow() as uow:
            uow.record(ThingHappened(id="b"))
            raise RuntimeError("handler failed")
    async with runtime.db.read() as session:
        assert await read_after(session, 0, limit=10) == []


async def test_payload_carries_ids_as_strings_and_metadata_carries_context(
    runtime: Runtime,
) -> None:
    from emporium.kernel.events import EventContext, current_context

    token = current_context.set(EventContext(request_id="req-1", actor="buyer:42"))
    try:
        async with runtime.uow() as uow:
            uow.record(ThingHappened(id="a", note="n"))
            await uow.commit()
    finally:
        current_context.reset(token)
    async with runtime.db.read() as session:
        (event,) = await read_after(session, 0, limit=10)
    assert event.payload == {"id": "a", "note": "n"}
    assert event.metadata == {"request_id": "req-1", "actor": "buyer:42"}


async def test_event_log_refuses_updates_and_deletes(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        uow.record(ThingHappened(id="a"))
        await uow.commit()
    with pytest.raises(DBAPIError):
        async with runtime.uow() as uow:
            await uow.session.execute(update(EventRecord).values(type="rewritten"))
    with pytest.raises(DBAPIError):
        async with runtime.uow() as uow:
            await uow.session.execute(delete(EventRecord))
    async with runtime.db.read() as session:
        rows = (await session.scalars(select(EventRecord))).all()
    assert [r.type for r in rows] == ["test.thing_happened"]


async def test_aggregates_record_their_own_events(runtime: Runtime) -> None:
    thing = Thing("x")
    async with runtime.uow() as uow:
        thing.poke()
        uow.record(*thing.take_events())
        await uow.commit()
    async with runtime.db.read() as session:
        (event,) = await read_after(session, 0, limit=10)
    assert event.payload["note"] == "poked"

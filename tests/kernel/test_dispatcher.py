"""The dispatcher delivers the event log to subscribers in order, with exactly-once effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select

from emporium.kernel import dispatcher
from emporium.kernel.dead_letters import DeadLetterRecord
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from tests.kernel.builders import (
    OtherThingHappened,
    ThingHappened,
    append,
    append_things,
    effect,
    effect_positions,
    effect_subscriber,
    writes_effect,
)


async def status_of(runtime: Runtime, name: str) -> dispatcher.SubscriberStatus:
    return next(s for s in await dispatcher.subscriber_statuses(runtime) if s.name == name)


def fails_on(n: int, *, times: int | None = None) -> tuple[Subscriber, list[int]]:
    """A subscriber that writes effects but raises on the event with payload n (times times)."""
    calls: list[int] = []
    write = writes_effect("flaky")

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        calls.append(event.payload["n"])
        failures = calls.count(n)
        if event.payload["n"] == n and (times is None or failures <= times):
            raise RuntimeError(f"cannot handle n={n}")
        await write(event, uow)

    return Subscriber(name="flaky", handle=handle), calls


async def test_a_subscriber_sees_events_in_position_order(runtime: Runtime) -> None:
    runtime.subscribers.add(effect_subscriber("ordered", batch_size=2))
    positions = await append_things(runtime, 7)

    handled = await dispatch_until_idle(runtime)

    assert handled == 7
    assert await effect_positions(runtime, "ordered") == sorted(positions)


async def test_each_event_is_handled_once_across_runs(runtime: Runtime) -> None:
    runtime.subscribers.add(effect_subscriber("once"))
    first = await append_things(runtime, 3)
    await dispatch_until_idle(runtime)
    second = await append_things(runtime, 2)

    assert await dispatch_until_idle(runtime) == 2
    assert await dispatch_until_idle(runtime) == 0
    assert await effect_positions(runtime, "once") == first + second


async def test_effects_roll_back_with_the_checkpoint_when_the_commit_fails(
    runtime: Runtime,
) -> None:
    runtime.subscribers.add(effect_subscriber("together"))
    positions = await append_things(runtime, 3)

    def power_cut(_conn: object) -> None:
        raise RuntimeError("the process died between the handler and the commit")

    # The handlers ran and wrote their rows; the crash comes before anything is committed.
    sa_event.listen(runtime.db.engine.sync_engine, "commit", power_cut)
    try:
        with pytest.raises(RuntimeError, match="process died"):
            await dispatch_until_idle(runtime)
    finally:
        sa_event.remove(runtime.db.engine.sync_engine, "commit", power_cut)
    assert await effect_positions(runtime, "together") == []

    assert await dispatch_until_idle(runtime) == 3
    assert await effect_positions(runtime, "together") == positions


async def test_a_type_filter_still_moves_the_checkpoint_past_other_events(
    runtime: Runtime,
) -> None:
    runtime.subscribers.add(effect_subscriber("filtered", types=[ThingHappened.type], batch_size=1))
    await append(runtime, *(OtherThingHappened(id="x", n=n) for n in range(3)))
    [wanted] = await append(runtime, ThingHappened(id="x", n=0))
    await append(runtime, *(OtherThingHappened(id="x", n=n) for n in range(2)))

    assert await dispatch_until_idle(runtime) == 1

    assert await effect_positions(runtime, "filtered") == [wanted]
    status = await status_of(runtime, "filtered")
    assert status.lag == 0
    assert status.position == wanted + 2


async def test_events_before_a_failing_one_commit_with_the_checkpoint(runtime: Runtime) -> None:
    subscriber, _ = fails_on(2)
    runtime.subscribers.add(subscriber)
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(5)))

    assert await dispatch_until_idle(runtime) == 2

    assert await effect_positions(runtime, "flaky") == positions[:2]
    status = await status_of(runtime, "flaky")
    assert status.position == positions[1]
    assert status.attempts == 1
    assert status.last_error == "RuntimeError: cannot handle n=2"


async def test_a_failing_event_is_retried_only_when_its_backoff_has_passed(
    runtime: Runtime,
) -> None:
    subscriber, calls = fails_on(0, times=2)
    runtime.subscribers.add(subscriber)
    [position] = await append(runtime, ThingHappened(id="a", n=0))
    base = timedelta(seconds=runtime.settings.dispatcher_retry_base_seconds)

    await dispatch_until_idle(runtime)
    first = await status_of(runtime, "flaky")
    assert first.retry_at is not None
    assert runtime.clock.now() <= first.retry_at <= runtime.clock.now() + base
    await dispatch_until_idle(runtime)
    assert calls == [0]  # not due yet: the fake clock has not moved

    runtime.clock.set(first.retry_at)  # type: ignore[attr-defined]
    await dispatch_until_idle(runtime)
    second = await status_of(runtime, "flaky")
    assert (second.attempts, calls) == (2, [0, 0])
    assert second.retry_at is not None
    assert second.retry_at <= runtime.clock.now() + 2 * base  # the window doubles

    runtime.clock.set(second.retry_at)  # type: ignore[attr-defined]
    assert await dispatch_until_idle(runtime) == 1
    assert await effect_positions(runtime, "flaky") == [position]
    assert (await status_of(runtime, "flaky")).attempts == 0


async def test_a_poisoned_event_is_parked_after_the_last_attempt_and_the_rest_flow(
    runtime: Runtime,
) -> None:
    subscriber, calls = fails_on(1)
    runtime.subscribers.add(subscriber)
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(4)))

    for _ in range(runtime.settings.dispatcher_max_attempts):
        await dispatch_until_idle(runtime)
        runtime.clock.advance(hours=1)  # type: ignore[attr-defined]

    assert calls.count(1) == runtime.settings.dispatcher_max_attempts
    assert await effect_positions(runtime, "flaky") == [positions[0], *positions[2:]]
    async with runtime.db.read() as session:
        [parked] = (await session.scalars(select(DeadLetterRecord))).all()
        assert (parked.subscriber, parked.event_position, parked.status) == (
            "flaky",
            positions[1],
            "parked",
        )
        assert parked.attempts == runtime.settings.dispatcher_max_attempts
    assert (await status_of(runtime, "flaky")).parked == 1


async def test_a_database_error_in_a_handler_undoes_only_that_event(runtime: Runtime) -> None:
    write = writes_effect("strict")

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        await write(event, uow)
        if event.payload["n"] == 1:  # the same primary key twice: the database refuses
            await uow.session.execute(
                insert(effect).values(id=1, source="x", event_id="", position=0)
            )

    runtime.subscribers.add(Subscriber(name="strict", handle=handle))
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(3)))

    await dispatch_until_idle(runtime)

    assert await effect_positions(runtime, "strict") == positions[:1]
    assert "IntegrityError" in ((await status_of(runtime, "strict")).last_error or "")


async def test_events_recorded_by_a_handler_commit_with_it_and_vanish_when_it_fails(
    runtime: Runtime,
) -> None:
    async def echo(event: StoredEvent, uow: UnitOfWork) -> None:
        uow.record(OtherThingHappened(id="echo", n=event.payload["n"]))
        if event.payload["n"] == 1:
            raise RuntimeError("after recording")

    runtime.subscribers.add(Subscriber(name="echo", handle=echo, types=[ThingHappened.type]))
    await append(runtime, *(ThingHappened(id="a", n=n) for n in range(2)))

    await dispatch_until_idle(runtime)

    async with runtime.db.read() as session:
        echoed = (
            await session.scalars(
                select(EventRecord.payload).where(EventRecord.type == OtherThingHappened.type)
            )
        ).all()
    assert [payload["n"] for payload in echoed] == [0]


async def test_handler_failures_are_counted_in_metrics(runtime: Runtime) -> None:
    subscriber, _ = fails_on(0)
    runtime.subscribers.add(subscriber)
    await append(runtime, ThingHappened(id="a", n=0))

    await dispatch_until_idle(runtime)

    failed = runtime.metrics.events_handled.labels("flaky", "failed")._value.get()
    assert failed == 1

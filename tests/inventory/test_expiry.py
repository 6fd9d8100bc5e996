"""Holds end at their time by a durable timer, give their units back exactly once, and a late
timer never keeps stock from the next buyer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from emporium.contexts import inventory
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import committed, events, hold, status, stock, stock_item


async def test_the_timer_expires_a_hold_at_its_time_and_returns_the_units(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime, on_hand=3)
    held = await hold(runtime, variant_id, 2, ttl_seconds=900)
    clock.advance(seconds=899)
    assert await run_due_jobs(runtime) == 0
    assert await status(runtime, held.id) == "active"
    clock.advance(seconds=1)
    assert await run_due_jobs(runtime) == 1
    assert await status(runtime, held.id) == "expired"
    assert (await stock(runtime, variant_id)).reserved == 0
    (expired,) = await events(runtime, "inventory.reservation_expired")
    assert expired["reservation_id"] == str(held.id)


async def test_expiring_again_changes_nothing(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime, on_hand=3)
    held = await hold(runtime, variant_id, 2, ttl_seconds=60)
    clock.advance(minutes=5)
    await run_due_jobs(runtime)
    again = await committed(runtime, lambda uow: inventory.expire(uow, held.id))
    assert again is None
    assert (await stock(runtime, variant_id)).reserved == 0
    assert len(await events(runtime, "inventory.reservation_expired")) == 1


async def test_release_and_expiry_racing_return_the_units_once(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = [await hold(runtime, variant_id, 1, ttl_seconds=60) for _ in range(5)]
    clock.advance(minutes=1)
    releases = [
        committed(runtime, lambda uow, r=r: inventory.release(uow, r.id, "removed from cart"))
        for r in held
    ]
    expiries = [committed(runtime, lambda uow, r=r: inventory.expire(uow, r.id)) for r in held]
    outcomes = await asyncio.gather(*releases, *expiries, run_due_jobs(runtime))
    # Ten calls and the timer runner race for five holds: each hold ends once, whoever
    # ends it (the runner's expiry timers are due too, so it may win some).
    winners = [o.id for o in outcomes[:-1] if o is not None]
    assert len(winners) == len(set(winners))
    assert {await status(runtime, r.id) for r in held} <= {"released", "expired"}
    assert (await stock(runtime, variant_id)).reserved == 0
    ended = await events(runtime, "inventory.released") + await events(
        runtime, "inventory.reservation_expired"
    )
    assert sorted(e["reservation_id"] for e in ended) == sorted(str(r.id) for r in held)


async def test_a_late_timer_does_not_keep_stock_from_the_next_buyer(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime, on_hand=1, unique=True)
    first = await hold(runtime, variant_id, ttl_seconds=60)
    announced = len(await events(runtime, "inventory.back_in_stock"))
    clock.advance(minutes=10)  # the worker is down: no timer has run
    second = await hold(runtime, variant_id)
    assert await status(runtime, first.id) == "expired"
    assert (await stock(runtime, variant_id)).reserved == 1
    assert await run_due_jobs(runtime) == 0  # the reclaim cancelled the late timer
    assert await status(runtime, second.id) == "active"
    # The unit went from one hold to the next: never announced back in stock meanwhile.
    assert len(await events(runtime, "inventory.back_in_stock")) == announced


async def test_a_released_hold_gives_its_units_back_once(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=2)
    held = await hold(runtime, variant_id, 2)
    first = await committed(runtime, lambda uow: inventory.release(uow, held.id, "checkout failed"))
    second = await committed(runtime, lambda uow: inventory.release(uow, held.id, "again"))
    assert first is not None and second is None
    assert (await stock(runtime, variant_id)).reserved == 0
    assert [e["reason"] for e in await events(runtime, "inventory.released")] == ["checkout failed"]


async def test_extending_a_hold_moves_its_expiry(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime)
    held = await hold(runtime, variant_id, ttl_seconds=60)
    until = clock.now() + timedelta(minutes=15)
    extended = await committed(runtime, lambda uow: inventory.extend(uow, held.id, until))
    assert extended.expires_at == until
    clock.advance(minutes=10)
    assert await run_due_jobs(runtime) == 0
    assert await status(runtime, held.id) == "active"
    clock.advance(minutes=5)
    assert await run_due_jobs(runtime) == 1
    assert await status(runtime, held.id) == "expired"
    (event,) = await events(runtime, "inventory.reservation_extended")
    assert event["expires_at"] == "2026-01-15T10:15:00Z"


async def test_an_ended_hold_cannot_be_extended(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime)
    held = await hold(runtime, variant_id)
    await committed(runtime, lambda uow: inventory.release(uow, held.id, "gone"))
    with pytest.raises(inventory.ReservationNotActive):
        await committed(
            runtime, lambda uow: inventory.extend(uow, held.id, clock.now() + timedelta(hours=1))
        )


async def test_a_hold_extended_while_its_timer_fires_keeps_a_timer(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime)
    held = await hold(runtime, variant_id, ttl_seconds=60)
    clock.advance(minutes=1)
    later = clock.now() + timedelta(minutes=10)
    # The extension and the due timer race; whichever commits first, the units come back once.
    await asyncio.gather(
        committed(runtime, lambda uow: inventory.extend(uow, held.id, later)),
        run_due_jobs(runtime),
        return_exceptions=True,
    )
    if await status(runtime, held.id) == "active":
        clock.set(later)
        await run_due_jobs(runtime)
    assert await status(runtime, held.id) == "expired"
    assert (await stock(runtime, variant_id)).reserved == 0

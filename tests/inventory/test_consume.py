"""A consumed hold is sold stock (an order allocation); a restock puts sold units back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from emporium.contexts import inventory
from emporium.contexts.inventory.models import StockLevel, StockMovement
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import committed, events, hold, status, stock, stock_item


async def _history(runtime: Runtime, variant_id: object) -> list[tuple[str, int, int]]:
    async with runtime.db.read() as session:
        rows = await session.scalars(
            select(StockMovement)
            .where(StockMovement.variant_id == variant_id)
            .order_by(StockMovement.id)
        )
        return [(r.kind, r.on_hand_before, r.on_hand_after) for r in rows]


async def test_consuming_a_hold_sells_its_units(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2)
    consumed = await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    assert consumed.status == inventory.ReservationStatus.CONSUMED
    level = await stock(runtime, variant_id)
    assert (level.on_hand, level.reserved, level.available) == (3, 0, 3)
    assert await _history(runtime, variant_id) == [("adjust", 0, 5), ("sale", 5, 3)]
    async with runtime.db.read() as session:
        shelves = await session.scalars(
            select(StockLevel.on_hand).where(StockLevel.variant_id == variant_id)
        )
        assert list(shelves) == [3]
    assert [e["quantity"] for e in await events(runtime, "inventory.consumed")] == [2]


async def test_consuming_twice_sells_once(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2)
    await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    again = await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    assert again.status == inventory.ReservationStatus.CONSUMED
    assert (await stock(runtime, variant_id)).on_hand == 3
    assert len(await events(runtime, "inventory.consumed")) == 1


async def test_an_expired_hold_cannot_be_consumed(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2, ttl_seconds=60)
    clock.advance(minutes=2)
    await run_due_jobs(runtime)
    with pytest.raises(inventory.ReservationNotActive):
        await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    assert (await stock(runtime, variant_id)).on_hand == 5


async def test_the_timer_of_a_consumed_hold_does_nothing(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2, ttl_seconds=60)
    await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    clock.advance(timedelta(hours=1))
    assert await run_due_jobs(runtime) == 0
    assert await status(runtime, held.id) == "consumed"
    assert (await stock(runtime, variant_id)).on_hand == 3


async def test_restocking_puts_sold_units_back(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2)
    await committed(runtime, lambda uow: inventory.consume(uow, held.id))
    await committed(
        runtime, lambda uow: inventory.restock(uow, variant_id, 2, "order 1001 cancelled")
    )
    assert (await stock(runtime, variant_id)).available == 5
    assert (await _history(runtime, variant_id))[-1] == ("restock", 3, 5)
    assert [e["reason"] for e in await events(runtime, "inventory.stock_adjusted")][-1] == (
        "order 1001 cancelled"
    )

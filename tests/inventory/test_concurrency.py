"""Concurrent transactions on the real database: no unit promised twice, no lock cycles."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from emporium.contexts import inventory
from emporium.kernel.clock import FakeClock
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import OWNER, committed, events, hold, stock, stock_item


async def _outcomes(
    runtime: Runtime, attempts: Sequence[inventory.ReserveLine], times: int
) -> list[object]:
    tasks = [
        committed(runtime, lambda uow: inventory.reserve_many(uow, list(attempts)))
        for _ in range(times)
    ]
    return list(await asyncio.gather(*tasks, return_exceptions=True))


async def test_multi_line_reservations_in_opposite_orders_all_complete(
    runtime: Runtime, clock: FakeClock
) -> None:
    a, b = await stock_item(runtime, on_hand=100), await stock_item(runtime, on_hand=100)
    until = clock.now().replace(hour=12)

    def lines(order: Sequence[object]) -> list[inventory.ReserveLine]:
        return [inventory.ReserveLine(v, 1, OWNER, new_id(), until) for v in order]  # type: ignore[arg-type]

    outcomes = await asyncio.gather(
        *(
            committed(runtime, lambda uow, o=order: inventory.reserve_many(uow, lines(o)))
            for order in [(a, b), (b, a)] * 20
        ),
        return_exceptions=True,
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert (await stock(runtime, a)).reserved == (await stock(runtime, b)).reserved == 40


async def test_simultaneous_buyers_reclaim_each_overdue_hold_once(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    for _ in range(5):
        await hold(runtime, variant_id, ttl_seconds=60)
    clock.advance(minutes=2)  # every hold is overdue; no timer has run
    line = inventory.ReserveLine(variant_id, 1, OWNER, new_id(), clock.now().replace(hour=11))
    outcomes = await _outcomes(runtime, [line], 12)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 5
    assert all(isinstance(o, inventory.InsufficientInventory) for o in lost)
    assert (await stock(runtime, variant_id)).reserved == 5
    assert len(await events(runtime, "inventory.reservation_expired")) == 5


@pytest.mark.parametrize("quantity", [1, 3])
async def test_simultaneous_reservations_never_exceed_the_stock(
    runtime: Runtime, clock: FakeClock, quantity: int
) -> None:
    variant_id = await stock_item(runtime, on_hand=10)
    line = inventory.ReserveLine(
        variant_id, quantity, OWNER, new_id(), clock.now().replace(hour=11)
    )
    outcomes = await _outcomes(runtime, [line], 30)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(won) == 10 // quantity
    assert (await stock(runtime, variant_id)).reserved == quantity * (10 // quantity)

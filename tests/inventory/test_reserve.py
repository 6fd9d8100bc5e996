"""Reserving takes units from availability in one conditional update, or refuses with 409."""

from __future__ import annotations

import pytest

from emporium.contexts import inventory
from emporium.kernel.clock import FakeClock
from emporium.kernel.errors import NotFound, ValidationFailed
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import OWNER, committed, events, hold, stock, stock_item


async def test_reserving_takes_units_from_availability(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    held = await hold(runtime, variant_id, 2, ttl_seconds=600)
    assert held.status == inventory.ReservationStatus.ACTIVE
    assert held.expires_at == runtime.clock.now().replace(minute=10)
    assert (await stock(runtime, variant_id)).available == 3
    (reserved,) = await events(runtime, "inventory.reserved")
    assert reserved["quantity"] == 2
    assert reserved["reservation_id"] == str(held.id)


async def test_reserving_more_than_is_available_is_refused_with_what_is_left(
    runtime: Runtime,
) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    await hold(runtime, variant_id, 4)
    with pytest.raises(inventory.InsufficientInventory) as refused:
        await hold(runtime, variant_id, 2)
    assert refused.value.details == {"variant_id": str(variant_id), "requested": 2, "available": 1}
    assert (await stock(runtime, variant_id)).reserved == 4


async def test_taking_the_last_unit_announces_out_of_stock(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=1, unique=True)
    await hold(runtime, variant_id)
    assert [e["variant_id"] for e in await events(runtime, "inventory.out_of_stock")] == [
        str(variant_id)
    ]


async def test_lines_of_one_variant_are_checked_against_what_the_previous_left(
    runtime: Runtime,
) -> None:
    variant_id = await stock_item(runtime, on_hand=5)
    until = runtime.clock.now().replace(hour=11)
    lines = [inventory.ReserveLine(variant_id, 3, OWNER, new_id(), until)] * 2
    with pytest.raises(inventory.InsufficientInventory) as refused:
        await committed(runtime, lambda uow: inventory.reserve_many(uow, lines))
    assert refused.value.details["available"] == 2
    assert (await stock(runtime, variant_id)).reserved == 0


async def test_reserving_many_lines_is_all_or_nothing(runtime: Runtime) -> None:
    plenty, scarce = await stock_item(runtime, on_hand=9), await stock_item(runtime, on_hand=1)
    until = runtime.clock.now().replace(hour=11)
    lines = [
        inventory.ReserveLine(plenty, 2, OWNER, new_id(), until),
        inventory.ReserveLine(scarce, 2, OWNER, new_id(), until),
    ]
    with pytest.raises(inventory.InsufficientInventory):
        await committed(runtime, lambda uow: inventory.reserve_many(uow, lines))
    assert (await stock(runtime, plenty)).reserved == 0
    assert await events(runtime, "inventory.reserved") == []


async def test_reserving_many_lines_keeps_the_callers_order(runtime: Runtime) -> None:
    first, second = await stock_item(runtime), await stock_item(runtime)
    until = runtime.clock.now().replace(hour=11)
    lines = [
        inventory.ReserveLine(max(first, second), 1, OWNER, new_id(), until),
        inventory.ReserveLine(min(first, second), 2, OWNER, new_id(), until),
    ]
    held = await committed(runtime, lambda uow: inventory.reserve_many(uow, lines))
    assert [(h.variant_id, h.quantity) for h in held] == [
        (max(first, second), 1),
        (min(first, second), 2),
    ]


async def test_an_unknown_variant_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(NotFound):
        await hold(runtime, new_id())


async def test_a_reservation_holds_at_least_one_unit_until_a_future_time(
    runtime: Runtime, clock: FakeClock
) -> None:
    variant_id = await stock_item(runtime)
    with pytest.raises(ValidationFailed):
        await hold(runtime, variant_id, 0)
    with pytest.raises(ValidationFailed):
        await committed(
            runtime,
            lambda uow: inventory.reserve(
                uow,
                variant_id=variant_id,
                quantity=1,
                owner_type=OWNER,
                owner_id=new_id(),
                expires_at=clock.now(),
            ),
        )


async def test_an_owners_reservations_are_listed(runtime: Runtime) -> None:
    variant_id, owner = await stock_item(runtime), new_id()
    first = await hold(runtime, variant_id, owner_id=owner)
    second = await hold(runtime, variant_id, 2, owner_id=owner)
    await hold(runtime, variant_id)
    async with runtime.db.read() as session:
        mine = await inventory.reservations_of(session, OWNER, owner)
    assert [r.id for r in mine] == [first.id, second.id]

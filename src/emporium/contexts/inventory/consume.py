"""Consume: a hold becomes an order allocation, and the units leave the shelf.

Saleor-like allocations: when an order is placed its reservation is consumed at once, so
`reserved` and `on_hand` both drop by the quantity (availability does not change) and a
`sale` row enters the history. The stock is then sold, not merely held: a cancelled order
gives it back with `restock`, a separate use case, never by reviving the reservation.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.errors import ReservationNotActive
from emporium.contexts.inventory.events import ReservationConsumed
from emporium.contexts.inventory.holds import (
    ReservationView,
    current,
    end,
    expiry_key,
    lock_item_of,
)
from emporium.contexts.inventory.models import ReservationStatus, StockLevel, StockMovement
from emporium.kernel import jobs
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork


async def consume(uow: UnitOfWork, reservation_id: uuid.UUID) -> ReservationView:
    """Turn the hold into sold stock; consuming it again is a no-op, a lapsed hold is 409."""
    await lock_item_of(uow, reservation_id)
    ended = await end(uow, reservation_id, ReservationStatus.CONSUMED, "order allocation")
    if ended is None:
        held = await current(uow, reservation_id)
        if held.status == ReservationStatus.CONSUMED:
            return held
        raise ReservationNotActive(
            details={"reservation_id": str(reservation_id), "status": held.status.value}
        )
    item = await counter.give_back(uow, ended.variant_id, ended.quantity, sold=True)
    await _take_from_shelves(uow, item, ended)
    await jobs.cancel(uow, key=expiry_key(reservation_id))
    uow.record(ReservationConsumed(**ended.facts()))
    return ended


async def _take_from_shelves(
    uow: UnitOfWork, item: counter.ItemState, sold: ReservationView
) -> None:
    """Lower the locations' levels by the sold quantity, fullest first, with history rows."""
    levels = (
        await uow.session.execute(
            select(StockLevel.location_id, StockLevel.on_hand)
            .where(StockLevel.variant_id == item.variant_id, StockLevel.on_hand > 0)
            .order_by(StockLevel.on_hand.desc(), StockLevel.location_id)
            .with_for_update()
        )
    ).all()
    left, on_hand = sold.quantity, item.on_hand + sold.quantity
    reason = f"sold ({sold.owner_type} {sold.owner_id})"
    for location_id, level in levels:
        if left == 0:
            break
        taken = min(left, level)
        await uow.session.execute(
            update(StockLevel)
            .where(StockLevel.variant_id == item.variant_id, StockLevel.location_id == location_id)
            .values(on_hand=StockLevel.on_hand - taken)
            .execution_options(synchronize_session=False)
        )
        uow.session.add(
            StockMovement(
                id=new_id(),
                variant_id=item.variant_id,
                location_id=location_id,
                kind="sale",
                reason=reason,
                actor=None,
                on_hand_before=on_hand,
                on_hand_after=on_hand - taken,
                reserved_before=item.reserved + left,
                reserved_after=item.reserved + left - taken,
                created_at=uow.clock.now(),
            )
        )
        left -= taken
        on_hand -= taken

"""The reserved counter of an item: the only code that moves `inventory_item.reserved`.

Every change is ONE conditional UPDATE evaluated by the database, never a value read into
Python and written back. PostgreSQL under READ COMMITTED re-checks the WHERE clause of an
UPDATE against the newest committed row once the row lock it waited for is free, so two
buyers racing for the last unit cannot both pass `on_hand - reserved >= q`; on SQLite the
single writer (BEGIN IMMEDIATE) gives the same guarantee. RETURNING hands back the row as
the update left it, so availability events need no second read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from emporium.contexts.inventory.errors import InsufficientInventory, InventoryItemNotFound
from emporium.contexts.inventory.events import BackInStock, LowStockDetected, OutOfStock
from emporium.contexts.inventory.models import InventoryItem
from emporium.kernel.uow import UnitOfWork

_RETURNED = (
    InventoryItem.variant_id,
    InventoryItem.product_id,
    InventoryItem.vendor_id,
    InventoryItem.on_hand,
    InventoryItem.reserved,
    InventoryItem.low_stock_threshold,
)


@dataclass(frozen=True)
class ItemState:
    """An item's counters as one statement left them."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    on_hand: int
    reserved: int
    low_stock_threshold: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @classmethod
    def of(cls, item: InventoryItem) -> ItemState:
        return cls(
            item.variant_id,
            item.product_id,
            item.vendor_id,
            item.on_hand,
            item.reserved,
            item.low_stock_threshold,
        )


async def take(
    uow: UnitOfWork, variant_id: uuid.UUID, quantity: int, *, announce: bool = True
) -> ItemState:
    """Count quantity more as reserved if that much is available; 409 otherwise.

    announce=False leaves the availability events to the caller (it knows the net change).
    """
    row = (
        await uow.session.execute(
            update(InventoryItem)
            .where(
                InventoryItem.variant_id == variant_id,
                InventoryItem.on_hand - InventoryItem.reserved >= quantity,
            )
            .values(reserved=InventoryItem.reserved + quantity, updated_at=uow.clock.now())
            .returning(*_RETURNED)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is None:
        raise await _shortage(uow, variant_id, quantity)
    state = ItemState(*row)
    if announce:
        record_availability_change(uow, state, state.available + quantity)
    return state


async def give_back(
    uow: UnitOfWork,
    variant_id: uuid.UUID,
    quantity: int,
    *,
    sold: bool = False,
    announce: bool = True,
) -> ItemState:
    """Count quantity less as reserved; sold units also leave on_hand (availability stays)."""
    values = {"reserved": InventoryItem.reserved - quantity, "updated_at": uow.clock.now()}
    if sold:
        values["on_hand"] = InventoryItem.on_hand - quantity
    row = (
        await uow.session.execute(
            update(InventoryItem)
            .where(InventoryItem.variant_id == variant_id)
            .values(values)
            .returning(*_RETURNED)
            .execution_options(synchronize_session=False)
        )
    ).one()
    state = ItemState(*row)
    if announce and not sold:
        record_availability_change(uow, state, state.available - quantity)
    return state


async def locked(uow: UnitOfWork, variant_id: uuid.UUID) -> ItemState | None:
    """The item's counters, its row locked for this transaction (None when unknown)."""
    row = (
        await uow.session.execute(
            select(*_RETURNED).where(InventoryItem.variant_id == variant_id).with_for_update()
        )
    ).first()
    return ItemState(*row) if row is not None else None


async def overwrite(uow: UnitOfWork, item: ItemState, reserved: int) -> ItemState:
    """Set the counter of a locked item to what its reservations add up to (reconciliation)."""
    row = (
        await uow.session.execute(
            update(InventoryItem)
            .where(InventoryItem.variant_id == item.variant_id)
            .values(reserved=reserved, updated_at=uow.clock.now())
            .returning(*_RETURNED)
            .execution_options(synchronize_session=False)
        )
    ).one()
    state = ItemState(*row)
    record_availability_change(uow, state, item.available)
    return state


async def _shortage(
    uow: UnitOfWork, variant_id: uuid.UUID, quantity: int
) -> InsufficientInventory | InventoryItemNotFound:
    # Only to word the error: the decision was the UPDATE's.
    found = (
        await uow.session.execute(
            select(InventoryItem.on_hand, InventoryItem.reserved).where(
                InventoryItem.variant_id == variant_id
            )
        )
    ).first()
    if found is None:
        return InventoryItemNotFound(details={"variant_id": str(variant_id)})
    return InsufficientInventory(
        details={
            "variant_id": str(variant_id),
            "requested": quantity,
            "available": max(found.on_hand - found.reserved, 0),
        }
    )


def record_availability_change(uow: UnitOfWork, item: ItemState, before: int) -> None:
    """Low-stock, out-of-stock and back-in-stock events when availability crosses a line."""
    now = item.available
    if now == before:
        return
    if now <= 0 < before:
        uow.record(
            OutOfStock(
                variant_id=item.variant_id, product_id=item.product_id, vendor_id=item.vendor_id
            )
        )
    elif before <= 0 < now:
        uow.record(
            BackInStock(
                variant_id=item.variant_id,
                product_id=item.product_id,
                vendor_id=item.vendor_id,
                available=now,
            )
        )
    threshold = item.low_stock_threshold
    if 0 < now <= threshold < before:
        uow.record(
            LowStockDetected(
                variant_id=item.variant_id,
                vendor_id=item.vendor_id,
                available=now,
                threshold=threshold,
            )
        )

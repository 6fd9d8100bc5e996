"""Builders for inventory tests: stock items made through the facade, and quick reads.

variant_id = await stock_item(runtime, on_hand=3)
hold = await committed(runtime, lambda uow: inventory.reserve(uow, ...))
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select

from emporium.contexts import inventory
from emporium.kernel.events import EventRecord
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

T = TypeVar("T")
OWNER = "test_owner"


async def committed(runtime: Runtime, action: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run action in a unit of work of its own and commit it."""
    async with runtime.uow() as uow:
        result = await action(uow)
        await uow.commit()
    return result


async def stock_item(runtime: Runtime, *, on_hand: int = 10, unique: bool = False) -> uuid.UUID:
    """A variant's stock item holding on_hand units at its vendor's default location."""
    variant_id = new_id()

    async def create(uow: UnitOfWork) -> None:
        await inventory.create_item(
            uow,
            variant_id=variant_id,
            product_id=new_id(),
            vendor_id=new_id(),
            unique=unique,
            on_hand=on_hand,
        )

    await committed(runtime, create)
    return variant_id


async def hold(
    runtime: Runtime,
    variant_id: uuid.UUID,
    quantity: int = 1,
    *,
    ttl_seconds: int = 900,
    owner_id: uuid.UUID | None = None,
) -> inventory.ReservationView:
    """A committed reservation of quantity units."""
    return await committed(
        runtime,
        lambda uow: inventory.reserve(
            uow,
            variant_id=variant_id,
            quantity=quantity,
            owner_type=OWNER,
            owner_id=owner_id or new_id(),
            ttl_seconds=ttl_seconds,
        ),
    )


async def stock(runtime: Runtime, variant_id: uuid.UUID) -> inventory.Availability:
    async with runtime.db.read() as session:
        return (await inventory.availability(session, [variant_id]))[variant_id]


async def status(runtime: Runtime, reservation_id: uuid.UUID) -> str:
    async with runtime.db.read() as session:
        found = await inventory.reservations(session, [reservation_id])
    return found[reservation_id].status.value


async def events(runtime: Runtime, type_: str) -> list[dict[str, Any]]:
    """Payloads of the events of one type, in log order."""
    async with runtime.db.read() as session:
        rows = await session.scalars(
            select(EventRecord).where(EventRecord.type == type_).order_by(EventRecord.position)
        )
        return [row.payload for row in rows]

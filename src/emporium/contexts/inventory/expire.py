"""Expiry: the durable timer's handler, and the reclaim of overdue holds by the reserve path.

A reservation is guaranteed until its `expires_at`; from then on anyone may end it. Its
timer (a kernel job due at `expires_at`, armed in the reservation's own transaction) normally
does, but if the worker is down, the next buyer of the same variant reclaims it in their own
transaction before taking the stock, and the daily reconciliation sweeps the rest. All three
go through the same guarded UPDATE, so the quantity comes back once.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.events import ReservationExpired
from emporium.contexts.inventory.holds import ReservationView, end, expiry_key, lock_item_of
from emporium.contexts.inventory.models import Reservation, ReservationStatus
from emporium.kernel import jobs
from emporium.kernel.uow import UnitOfWork


async def expire(
    uow: UnitOfWork,
    reservation_id: uuid.UUID,
    *,
    announce: bool = True,
    item_locked: bool = False,
) -> ReservationView | None:
    """Expire the reservation if it is active and due by the clock; None when it was not."""
    if not item_locked:
        await lock_item_of(uow, reservation_id)
    ended = await end(
        uow,
        reservation_id,
        ReservationStatus.EXPIRED,
        "expired",
        only_if=Reservation.expires_at <= uow.clock.now(),
    )
    if ended is None:
        return None
    await counter.give_back(uow, ended.variant_id, ended.quantity, announce=announce)
    uow.record(ReservationExpired(**ended.facts(), expires_at=ended.expires_at))
    return ended


async def expire_overdue(
    uow: UnitOfWork,
    variant_id: uuid.UUID,
    *,
    announce: bool = True,
    keep: uuid.UUID | None = None,
) -> list[ReservationView]:
    """Expire the overdue holds of a variant whose item row the caller has locked (but keep)."""
    overdue = await uow.session.scalars(_overdue(uow, variant_id, keep).order_by(Reservation.id))
    expired = []
    for reservation_id in list(overdue):
        view = await expire(uow, reservation_id, announce=announce, item_locked=True)
        if view is not None:
            await jobs.cancel(uow, key=expiry_key(reservation_id))
            expired.append(view)
    return expired


async def reclaim_and_take(
    uow: UnitOfWork, variant_id: uuid.UUID, quantity: int, *, keep: uuid.UUID | None = None
) -> counter.ItemState:
    """Reclaim the variant's overdue holds, then take quantity (409 if still not available).

    Reclaiming first means a late timer never makes a buyer wait for stock nobody holds;
    the availability events tell the net change, not a flicker through "back in stock".
    In the usual case (nothing overdue) this is one read and the one conditional UPDATE.
    """
    reclaimed: list[ReservationView] = []
    if await uow.session.scalar(select(_overdue(uow, variant_id, keep).exists())):
        await counter.locked(uow, variant_id)
        reclaimed = await expire_overdue(uow, variant_id, announce=False, keep=keep)
    state = await counter.take(uow, variant_id, quantity, announce=False)
    before = state.available + quantity - sum(r.quantity for r in reclaimed)
    counter.record_availability_change(uow, state, before)
    return state


async def expire_job(payload: dict[str, Any], uow: UnitOfWork) -> None:
    """The timer's handler; running it late, twice or after a release changes nothing more."""
    await expire(uow, uuid.UUID(str(payload["reservation_id"])))


def _overdue(uow: UnitOfWork, variant_id: uuid.UUID, keep: uuid.UUID | None) -> Select[Any]:
    stmt = select(Reservation.id).where(
        Reservation.variant_id == variant_id,
        Reservation.status == ReservationStatus.ACTIVE,
        Reservation.expires_at <= uow.clock.now(),
    )
    return stmt if keep is None else stmt.where(Reservation.id != keep)

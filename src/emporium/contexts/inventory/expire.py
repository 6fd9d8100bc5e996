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

from sqlalchemy import select

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.events import ReservationExpired
from emporium.contexts.inventory.holds import ReservationView, end, expiry_key
from emporium.contexts.inventory.models import Reservation, ReservationStatus
from emporium.kernel import jobs
from emporium.kernel.uow import UnitOfWork


async def expire(
    uow: UnitOfWork, reservation_id: uuid.UUID, *, announce: bool = True
) -> ReservationView | None:
    """Expire the reservation if it is active and due by the clock; None when it was not."""
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
    """Expire a variant's overdue holds whose timers have not run yet (all but keep).

    Rows another transaction has locked are skipped, not waited for: that transaction is
    ending, extending or expiring them right now. So a reclaim never waits on a hold, and
    cannot close a circle of waits with the owner's own calls.
    """
    stmt = (
        select(Reservation.id)
        .where(
            Reservation.variant_id == variant_id,
            Reservation.status == ReservationStatus.ACTIVE,
            Reservation.expires_at <= uow.clock.now(),
        )
        .order_by(Reservation.id)
        .with_for_update(skip_locked=True)
    )
    if keep is not None:
        stmt = stmt.where(Reservation.id != keep)
    overdue = await uow.session.scalars(stmt)
    expired = []
    for reservation_id in list(overdue):
        view = await expire(uow, reservation_id, announce=announce)
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
    """
    reclaimed = await expire_overdue(uow, variant_id, announce=False, keep=keep)
    state = await counter.take(uow, variant_id, quantity, announce=False)
    before = state.available + quantity - sum(r.quantity for r in reclaimed)
    counter.record_availability_change(uow, state, before)
    return state


async def expire_job(payload: dict[str, Any], uow: UnitOfWork) -> None:
    """The timer's handler; running it late, twice or after a release changes nothing more."""
    await expire(uow, uuid.UUID(str(payload["reservation_id"])))

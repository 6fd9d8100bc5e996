"""Release: the owner gives a hold back (line removed, checkout failed, order cancelled unpaid)."""

from __future__ import annotations

import uuid

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.events import ReservationReleased
from emporium.contexts.inventory.holds import ReservationView, end, expiry_key, lock_item_of
from emporium.contexts.inventory.models import ReservationStatus
from emporium.kernel import jobs
from emporium.kernel.uow import UnitOfWork


async def release(
    uow: UnitOfWork, reservation_id: uuid.UUID, reason: str
) -> ReservationView | None:
    """Give the units back; None (and nothing happens) when the hold had already ended."""
    await lock_item_of(uow, reservation_id)
    ended = await end(uow, reservation_id, ReservationStatus.RELEASED, reason[:200])
    if ended is None:
        return None
    await counter.give_back(uow, ended.variant_id, ended.quantity)
    await jobs.cancel(uow, key=expiry_key(reservation_id))
    uow.record(ReservationReleased(**ended.facts(), reason=reason[:200]))
    return ended

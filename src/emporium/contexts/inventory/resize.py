"""Resize: change how many units a hold keeps (a cart line's quantity changed)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.events import ReservationExtended, ReservationResized
from emporium.contexts.inventory.expire import reclaim_and_take
from emporium.contexts.inventory.holds import ReservationView, active, retime
from emporium.contexts.inventory.models import Reservation
from emporium.kernel.clock import isoformat
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.uow import UnitOfWork


async def resize(
    uow: UnitOfWork,
    reservation_id: uuid.UUID,
    quantity: int,
    *,
    expires_at: datetime | None = None,
) -> ReservationView:
    """Hold quantity units instead (only the difference is taken or given back); 409 if ended.

    expires_at, when given, also moves the hold's expiry (activity renews a cart's holds).
    """
    now = uow.clock.now()
    if quantity < 1:
        raise ValidationFailed(
            "A reservation holds at least one unit", details={"quantity": quantity}
        )
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(
            "A reservation must end in the future", details={"expires_at": isoformat(expires_at)}
        )
    held = await active(uow, reservation_id)
    delta = quantity - held.quantity
    if delta > 0:
        await reclaim_and_take(uow, held.variant_id, delta, keep=held.id)
    elif delta < 0:
        await counter.give_back(uow, held.variant_id, -delta)
    until = expires_at or held.expires_at
    if delta == 0 and until == held.expires_at:
        return held
    await uow.session.execute(
        update(Reservation)
        .where(Reservation.id == reservation_id)
        .values(quantity=quantity, expires_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if delta:
        uow.record(
            ReservationResized(
                **{**held.facts(), "quantity": quantity}, quantity_before=held.quantity
            )
        )
    if until != held.expires_at:
        await retime(uow, reservation_id, until)
        uow.record(
            ReservationExtended(
                **{**held.facts(), "quantity": quantity},
                expires_at_before=held.expires_at,
                expires_at=until,
            )
        )
    return ReservationView.of({**held.row(), "quantity": quantity, "expires_at": until})

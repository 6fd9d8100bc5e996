"""Extend: move a hold's expiry (checkout keeps the units while a payment is pending)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from emporium.contexts.inventory.events import ReservationExtended
from emporium.contexts.inventory.holds import ReservationView, active, retime
from emporium.contexts.inventory.models import Reservation
from emporium.kernel.clock import isoformat
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.uow import UnitOfWork


async def extend(uow: UnitOfWork, reservation_id: uuid.UUID, until: datetime) -> ReservationView:
    """Hold the units until `until`; 409 once the hold has ended.

    A hold past its expiry that nobody has reclaimed yet still counts: its units were never
    given to anyone else, so extending it is safe.
    """
    now = uow.clock.now()
    if until <= now:
        raise ValidationFailed(
            "A reservation must end in the future", details={"until": isoformat(until)}
        )
    held = await active(uow, reservation_id)
    if until == held.expires_at:
        return held
    await uow.session.execute(
        update(Reservation)
        .where(Reservation.id == reservation_id)
        .values(expires_at=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await retime(uow, reservation_id, until)
    uow.record(
        ReservationExtended(**held.facts(), expires_at_before=held.expires_at, expires_at=until)
    )
    return ReservationView.of({**held.row(), "expires_at": until})

"""Reserve: hold units of a variant for an owner until a time, atomically in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert

from emporium.contexts.inventory.events import StockReserved
from emporium.contexts.inventory.expire import reclaim_and_take
from emporium.contexts.inventory.holds import (
    MAX_OWNER_TYPE_LENGTH,
    ReservationView,
    schedule_expiry,
)
from emporium.contexts.inventory.models import Reservation, ReservationStatus
from emporium.kernel.clock import isoformat
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class ReserveLine:
    """One line of a multi-line reservation."""

    variant_id: uuid.UUID
    quantity: int
    owner_type: str
    owner_id: uuid.UUID
    expires_at: datetime


async def reserve(
    uow: UnitOfWork,
    *,
    variant_id: uuid.UUID,
    quantity: int,
    owner_type: str,
    owner_id: uuid.UUID,
    ttl_seconds: int | None = None,
    expires_at: datetime | None = None,
) -> ReservationView:
    """Hold quantity units until expires_at (or now + ttl_seconds); 409 when not available."""
    now = uow.clock.now()
    if (ttl_seconds is None) == (expires_at is None):
        raise ValueError("give exactly one of ttl_seconds and expires_at")
    until = expires_at if expires_at is not None else now + timedelta(seconds=ttl_seconds or 0)
    line = ReserveLine(variant_id, quantity, owner_type, owner_id, until)
    _check(line, now)
    await reclaim_and_take(uow, variant_id, quantity)
    view = ReservationView(
        id=new_id(),
        variant_id=variant_id,
        owner_type=owner_type,
        owner_id=owner_id,
        quantity=quantity,
        status=ReservationStatus.ACTIVE,
        expires_at=until,
        created_at=now,
    )
    await uow.session.execute(insert(Reservation).values(**view.row(), updated_at=now))
    await schedule_expiry(uow, view.id, until)
    uow.record(StockReserved(**view.facts(), expires_at=until))
    return view


async def reserve_many(uow: UnitOfWork, lines: Sequence[ReserveLine]) -> list[ReservationView]:
    """Reserve every line or none; results in the order of lines.

    Variants are locked in one global order (sorted ids, as Saleor does), so two carts with
    the same variants cannot each hold one and wait for the other's. Lines of one variant
    are checked one after the other against the availability the previous one left.
    """
    order = sorted(range(len(lines)), key=lambda i: (lines[i].variant_id, i))
    results: dict[int, ReservationView] = {}
    async with uow.savepoint():
        for i in order:
            line = lines[i]
            results[i] = await reserve(
                uow,
                variant_id=line.variant_id,
                quantity=line.quantity,
                owner_type=line.owner_type,
                owner_id=line.owner_id,
                expires_at=line.expires_at,
            )
    return [results[i] for i in range(len(lines))]


def _check(line: ReserveLine, now: datetime) -> None:
    if line.quantity < 1:
        raise ValidationFailed(
            "A reservation holds at least one unit", details={"quantity": line.quantity}
        )
    if line.expires_at <= now:
        raise ValidationFailed(
            "A reservation must end in the future",
            details={"expires_at": isoformat(line.expires_at)},
        )
    if not line.owner_type or len(line.owner_type) > MAX_OWNER_TYPE_LENGTH:
        raise ValidationFailed(
            "An owner type has 1 to 30 characters", details={"owner_type": line.owner_type}
        )

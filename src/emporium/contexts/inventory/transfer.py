"""Holds change hands without touching stock: a guest's cart line joins the buyer's cart."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from emporium.contexts.inventory.errors import ReservationNotActive
from emporium.contexts.inventory.events import ReservationMerged, ReservationTransferred
from emporium.contexts.inventory.holds import ReservationView, active, end, expiry_key
from emporium.contexts.inventory.models import Reservation, ReservationStatus
from emporium.kernel import jobs
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.uow import UnitOfWork


async def transfer(
    uow: UnitOfWork, reservation_id: uuid.UUID, *, owner_type: str, owner_id: uuid.UUID
) -> ReservationView:
    """Give the hold to another owner, same units and expiry; 409 once it has ended."""
    held = await active(uow, reservation_id)
    if (held.owner_type, held.owner_id) == (owner_type, owner_id):
        return held
    await uow.session.execute(
        update(Reservation)
        .where(Reservation.id == reservation_id)
        .values(owner_type=owner_type, owner_id=owner_id, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )
    moved = ReservationView.of({**held.row(), "owner_type": owner_type, "owner_id": owner_id})
    uow.record(
        ReservationTransferred(
            **moved.facts(), previous_owner_type=held.owner_type, previous_owner_id=held.owner_id
        )
    )
    return moved


async def merge_reservations(
    uow: UnitOfWork, *, source_id: uuid.UUID, target_id: uuid.UUID
) -> ReservationView:
    """Move every unit of source into target (same variant, both active); no stock moves.

    The target keeps its expiry. The item is locked first, then both rows in id order.
    """
    if source_id == target_id:
        raise ValidationFailed("A hold cannot be merged into itself")
    first, second = sorted([source_id, target_id])
    held = {first: await active(uow, first), second: await active(uow, second)}
    source, target = held[source_id], held[target_id]
    if source.variant_id != target.variant_id:
        raise ValidationFailed(
            "Only two holds of the same variant can be merged",
            details={"source_id": str(source_id), "target_id": str(target_id)},
        )
    quantity = target.quantity + source.quantity
    if await end(uow, source_id, ReservationStatus.RELEASED, f"merged into {target_id}") is None:
        raise ReservationNotActive(details={"reservation_id": str(source_id)})
    await jobs.cancel(uow, key=expiry_key(source_id))
    await uow.session.execute(
        update(Reservation)
        .where(Reservation.id == target_id)
        .values(quantity=quantity, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )
    uow.record(ReservationMerged(**source.facts(), into_reservation_id=target_id))
    return ReservationView.of({**target.row(), "quantity": quantity})

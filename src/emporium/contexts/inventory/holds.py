"""What every reservation use case shares: the view, the guarded status change, the timer key.

A hold leaves `active` only through `end()`: one UPDATE guarded by `status = 'active'`.
Whoever's UPDATE changes the row (release, expiry, consumption, a reclaiming buyer) gives
the quantity back; everyone else sees no row and does nothing, so the stock comes back
exactly once however they race.

Lock order, the same in every use case so that no two transactions wait on each other in a
circle: first the variant's item row, then its reservation rows, then its level rows, then
timer job rows. Every use case locks the item before it touches a hold, so holds of one
variant change one transaction at a time, and a reserve that finds overdue holds waits for
whoever is ending them instead of failing beside them. A transaction that touches several
variants takes them in ascending variant id order (reserve_many and the cart merge do).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, select, update

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.errors import ReservationNotActive, ReservationNotFound
from emporium.contexts.inventory.models import Reservation, ReservationStatus
from emporium.kernel import jobs
from emporium.kernel.clock import isoformat
from emporium.kernel.uow import UnitOfWork

EXPIRY_JOB = "inventory.expire_reservation"
MAX_OWNER_TYPE_LENGTH = 30


@dataclass(frozen=True)
class ReservationView:
    """A reservation as other contexts see it."""

    id: uuid.UUID
    variant_id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    quantity: int
    status: ReservationStatus
    expires_at: datetime
    created_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def holds_at(self, now: datetime) -> bool:
        """Whether the units are guaranteed at now (active and not past its expiry)."""
        return self.status == ReservationStatus.ACTIVE and self.expires_at > now

    @classmethod
    def of(cls, row: RowMapping | Mapping[str, Any]) -> ReservationView:
        """The view of a row of inventory_reservation's columns."""
        return cls(
            id=row["id"],
            variant_id=row["variant_id"],
            owner_type=row["owner_type"],
            owner_id=row["owner_id"],
            quantity=row["quantity"],
            status=ReservationStatus(row["status"]),
            expires_at=row["expires_at"],
            created_at=row["created_at"],
            ended_at=row["ended_at"],
            end_reason=row["end_reason"],
        )

    def row(self) -> dict[str, Any]:
        """The view as column values of inventory_reservation."""
        return dataclasses.asdict(self)

    def facts(self) -> dict[str, Any]:
        """The fields every reservation event carries."""
        return {
            "reservation_id": self.id,
            "variant_id": self.variant_id,
            "owner_type": self.owner_type,
            "owner_id": self.owner_id,
            "quantity": self.quantity,
        }


def expiry_key(reservation_id: uuid.UUID) -> str:
    """The key of a reservation's expiry timer."""
    return f"{EXPIRY_JOB}:{reservation_id}"


async def schedule_expiry(
    uow: UnitOfWork, reservation_id: uuid.UUID, at: datetime, *, key: str | None = None
) -> None:
    """Arm the durable timer, in the reservation's own transaction."""
    await jobs.schedule(
        uow,
        kind=EXPIRY_JOB,
        due_at=at,
        payload={"reservation_id": str(reservation_id)},
        key=key or expiry_key(reservation_id),
    )


async def retime(uow: UnitOfWork, reservation_id: uuid.UUID, at: datetime) -> None:
    """Move the expiry timer of a hold whose row this transaction has locked.

    When the timer is no longer pending it fired meanwhile: it waited for our item lock, saw
    the new expires_at and did nothing, so another timer is armed under a fresh key.
    """
    if not await jobs.reschedule(uow, key=expiry_key(reservation_id), due_at=at):
        key = f"{expiry_key(reservation_id)}@{isoformat(at)}"
        await schedule_expiry(uow, reservation_id, at, key=key)


async def end(
    uow: UnitOfWork,
    reservation_id: uuid.UUID,
    status: ReservationStatus,
    reason: str | None,
    *,
    only_if: ColumnElement[bool] | None = None,
) -> ReservationView | None:
    """Move an active reservation to status; None when it was not active (someone else won)."""
    now = uow.clock.now()
    stmt = update(Reservation).where(
        Reservation.id == reservation_id, Reservation.status == ReservationStatus.ACTIVE
    )
    if only_if is not None:
        stmt = stmt.where(only_if)
    row = (
        (
            await uow.session.execute(
                stmt.values(status=status, ended_at=now, updated_at=now, end_reason=reason)
                .returning(*Reservation.__table__.columns)
                .execution_options(synchronize_session=False)
            )
        )
        .mappings()
        .first()
    )
    return ReservationView.of(row) if row is not None else None


async def lock_item_of(uow: UnitOfWork, reservation_id: uuid.UUID) -> uuid.UUID | None:
    """Lock the item row of the reservation's variant (the first lock); None if unknown."""
    variant_id = await uow.session.scalar(
        select(Reservation.variant_id).where(Reservation.id == reservation_id)
    )
    if variant_id is not None:
        await counter.locked(uow, variant_id)
    return variant_id


async def active(uow: UnitOfWork, reservation_id: uuid.UUID) -> ReservationView:
    """The reservation, locked (its item first) for this transaction; 409 once it has ended."""
    await lock_item_of(uow, reservation_id)
    held = await current(uow, reservation_id, lock=True)
    if held.status != ReservationStatus.ACTIVE:
        raise ReservationNotActive(
            details={"reservation_id": str(reservation_id), "status": held.status.value}
        )
    return held


async def current(
    uow: UnitOfWork, reservation_id: uuid.UUID, *, lock: bool = False
) -> ReservationView:
    """The reservation as it is now (locked for the transaction with lock=True); 404 if none."""
    stmt = select(*Reservation.__table__.columns).where(Reservation.id == reservation_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).mappings().first()
    if row is None:
        raise ReservationNotFound(details={"reservation_id": str(reservation_id)})
    return ReservationView.of(row)

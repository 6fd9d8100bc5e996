"""Shipments: book with the carrier (no transaction across the call), ship, cancel.

Same discipline as taking a payment: record the shipment `pending` in one short transaction,
call the carrier with none open, record its answer in another. The key (e.g.
`f"{fulfillment_id}:create_shipment"`) makes a retry after a crash find the first label.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from emporium.contexts.shipping.carrier import Address, Carrier, Parcel
from emporium.contexts.shipping.errors import ShipmentNotFound, ShippingUnavailable
from emporium.contexts.shipping.events import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentRefused,
)
from emporium.contexts.shipping.models import Shipment, ShipmentStatus
from emporium.contexts.shipping.queries import ShipmentInfo
from emporium.contexts.shipping.tracking import advance, shipment_event
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

UnitsOfWork = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class CreateShipment:
    fulfillment_id: uuid.UUID
    address: Address
    parcels: Sequence[Parcel]
    key: str
    order_id: uuid.UUID | None = None
    method_id: uuid.UUID | None = None


async def _locked(uow: UnitOfWork, shipment_id: uuid.UUID) -> Shipment:
    shipment = await uow.session.get(Shipment, shipment_id, with_for_update=True)
    if shipment is None:
        raise ShipmentNotFound(details={"shipment_id": str(shipment_id)})
    return shipment


async def create_shipment(
    cmd: CreateShipment, *, uow: UnitsOfWork, carrier: Carrier
) -> ShipmentInfo:
    """Book the fulfillment's parcel once per key; ShippingUnavailable when the carrier refuses."""
    shipment = await _record_pending(cmd, uow=uow, carrier=carrier.name)
    if shipment.status is ShipmentStatus.FAILED:
        raise ShippingUnavailable(details={"reason": shipment.failure_reason})
    if shipment.tracking_number is not None:
        return shipment
    try:
        booked = await carrier.create_shipment(
            address=cmd.address, parcels=cmd.parcels, key=cmd.key
        )
    except ShippingUnavailable as exc:
        await _record_refusal(shipment.id, exc.message, uow=uow)
        raise
    async with uow() as unit:
        row = await _locked(unit, shipment.id)
        if row.tracking_number is None:
            row.tracking_number = booked.tracking_number
            row.updated_at = unit.clock.now()
            unit.record(shipment_event(ShipmentCreated, row))
        await unit.commit()
    return ShipmentInfo.of(row)


async def _record_pending(cmd: CreateShipment, *, uow: UnitsOfWork, carrier: str) -> ShipmentInfo:
    async with uow() as unit:
        now = unit.clock.now()
        await insert_if_absent(
            unit.session,
            Shipment,
            {
                "id": new_id(),
                "fulfillment_id": cmd.fulfillment_id,
                "order_id": cmd.order_id,
                "key": cmd.key,
                "carrier": carrier,
                "method_id": cmd.method_id,
                "status": ShipmentStatus.PENDING.value,
                "address": cmd.address.to_dict(),
                "weight_grams": sum(p.weight_grams for p in cmd.parcels),
                "created_at": now,
                "updated_at": now,
            },
        )
        row = await unit.session.scalar(select(Shipment).where(Shipment.key == cmd.key))
        assert row is not None
        await unit.commit()
    return ShipmentInfo.of(row)


async def _record_refusal(shipment_id: uuid.UUID, reason: str, *, uow: UnitsOfWork) -> None:
    async with uow() as unit:
        row = await _locked(unit, shipment_id)
        if row.status == ShipmentStatus.PENDING and row.tracking_number is None:
            row.status = ShipmentStatus.FAILED.value
            row.failure_reason = reason[:200]
            row.updated_at = unit.clock.now()
            unit.record(shipment_event(ShipmentRefused, row, reason=row.failure_reason))
            await unit.commit()


async def mark_shipped(
    uow: UnitOfWork,
    shipment_id: uuid.UUID,
    *,
    tracking_number: str | None = None,
    carrier: str | None = None,
) -> ShipmentInfo:
    """The seller handed the parcel over (in the caller's unit of work); shipping twice is a no-op.

    A seller may ship with a carrier of their own: tracking_number and carrier then replace
    the booked ones.
    """
    shipment = await _locked(uow, shipment_id)
    if shipment.status in (ShipmentStatus.CANCELLED, ShipmentStatus.FAILED):
        raise InvalidStateTransition(
            "A cancelled or refused shipment cannot be shipped", details={"status": shipment.status}
        )
    if shipment.status == ShipmentStatus.PENDING:
        if carrier:
            shipment.carrier = carrier
        if tracking_number:
            shipment.tracking_number = tracking_number
        advance(uow, shipment, ShipmentStatus.SHIPPED, carrier_event_id=None)
    return ShipmentInfo.of(shipment)


async def cancel_shipment(
    shipment_id: uuid.UUID, *, key: str, uow: UnitsOfWork, carrier: Carrier
) -> ShipmentInfo:
    """Cancel a booked shipment before it is handed over (a compensation); twice is harmless."""
    async with uow() as unit:
        shipment = await _locked(unit, shipment_id)
        if shipment.status in (ShipmentStatus.CANCELLED, ShipmentStatus.FAILED):
            return ShipmentInfo.of(shipment)
        if shipment.status != ShipmentStatus.PENDING:
            raise InvalidStateTransition(
                "The parcel is already on its way", details={"status": shipment.status}
            )
        tracking_number = shipment.tracking_number
    if tracking_number is not None:
        await carrier.cancel_shipment(tracking_number, key=key)
    async with uow() as unit:
        shipment = await _locked(unit, shipment_id)
        if shipment.status == ShipmentStatus.PENDING:
            shipment.status = ShipmentStatus.CANCELLED.value
            shipment.updated_at = unit.clock.now()
            unit.record(shipment_event(ShipmentCancelled, shipment))
        await unit.commit()
    return ShipmentInfo.of(shipment)

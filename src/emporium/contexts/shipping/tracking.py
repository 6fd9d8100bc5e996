"""Tracking: shipments move forward only (pending → shipped → in transit → delivered).

Carrier webhooks are verified like the payment ones (signature over the raw body, five
minutes of tolerance by the injected clock). A delivery repeated with the same event id, or
a late status the shipment has already passed, changes nothing. A status that skips a step
(the carrier scanned a parcel the seller never marked shipped) records the skipped step too,
so every shipment's history, and every event, passes through each status in order.
"""

from __future__ import annotations

from typing import Any, Literal

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import select

from emporium.contexts.shipping.errors import ShipmentNotFound
from emporium.contexts.shipping.events import (
    ShipmentDelivered,
    ShipmentEvent,
    ShipmentInTransit,
    ShipmentShipped,
)
from emporium.contexts.shipping.models import (
    PROGRESSION,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.shipping.tracking")

_EVENTS: dict[ShipmentStatus, type[ShipmentEvent]] = {
    ShipmentStatus.SHIPPED: ShipmentShipped,
    ShipmentStatus.IN_TRANSIT: ShipmentInTransit,
    ShipmentStatus.DELIVERED: ShipmentDelivered,
}


def shipment_event(kind: type[ShipmentEvent], shipment: Shipment, **extra: Any) -> ShipmentEvent:
    """An event of kind about shipment as it is now."""
    return kind(
        id=shipment.id,
        fulfillment_id=shipment.fulfillment_id,
        order_id=shipment.order_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        **extra,
    )


def advance(
    uow: UnitOfWork, shipment: Shipment, status: ShipmentStatus, *, carrier_event_id: str | None
) -> bool:
    """Move shipment forward to status, step by step, with events; False when nothing moved."""
    current = ShipmentStatus(shipment.status)
    if current not in PROGRESSION or PROGRESSION.index(status) <= PROGRESSION.index(current):
        return False
    now = uow.clock.now()
    for step in PROGRESSION[PROGRESSION.index(current) + 1 : PROGRESSION.index(status) + 1]:
        shipment.status = step.value
        if step is ShipmentStatus.SHIPPED:
            shipment.shipped_at = now
        if step is ShipmentStatus.DELIVERED:
            shipment.delivered_at = now
        uow.session.add(
            TrackingEvent(
                id=new_id(),
                shipment_id=shipment.id,
                status=step.value,
                carrier_event_id=carrier_event_id if step is status else None,
                occurred_at=now,
            )
        )
        uow.record(shipment_event(_EVENTS[step], shipment))
    shipment.updated_at = now
    return True


class TrackingData(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=80)


class TrackingWebhook(BaseModel):
    """A carrier's tracking event; carriers may add fields, so unknown ones are ignored."""

    id: str = Field(pattern=r"^evt_[A-Za-z0-9_]{1,100}$")
    type: Literal["shipment.in_transit", "shipment.delivered"]
    data: TrackingData

    @property
    def status(self) -> ShipmentStatus:
        return ShipmentStatus(self.type.removeprefix("shipment."))


async def receive_tracking(uow: UnitOfWork, carrier: str, event: TrackingWebhook) -> bool:
    """Apply a verified carrier event once; False when it changed nothing (e.g. a duplicate)."""
    shipment = await uow.session.scalar(
        select(Shipment)
        .where(Shipment.carrier == carrier, Shipment.tracking_number == event.data.tracking_number)
        .with_for_update()
    )
    if shipment is None:
        raise ShipmentNotFound(details={"tracking_number": event.data.tracking_number})
    seen = await uow.session.scalar(
        select(TrackingEvent.id).where(TrackingEvent.carrier_event_id == event.id)
    )
    if seen is not None:
        return False
    moved = advance(uow, shipment, event.status, carrier_event_id=event.id)
    if not moved:
        log.info("tracking_event_ignored", event_id=event.id, status=shipment.status)
    return moved

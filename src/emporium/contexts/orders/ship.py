"""The seller hands a fulfillment's parcel to the carrier; the carrier's scans move it on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog

from emporium.contexts import shipping
from emporium.contexts.orders.errors import FulfillmentNotFound
from emporium.contexts.orders.events import FulfillmentShipped
from emporium.contexts.orders.lifecycle import (
    FULFILLMENT_EVENTS,
    follow_fulfillments,
    fulfillment_event,
    fulfillments_of,
    locked_order,
)
from emporium.contexts.orders.models import (
    FOLLOWS_FULFILLMENTS,
    PROGRESSION,
    Fulfillment,
    FulfillmentStatus,
    Order,
    OrderStatus,
    refuse,
)
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.orders")


@dataclass(frozen=True)
class ShipFulfillment:
    fulfillment_id: uuid.UUID
    vendor_id: uuid.UUID | None  # None: an admin, who may ship for any vendor
    carrier: str | None = None
    tracking_number: str | None = None


async def locked_fulfillment(
    uow: UnitOfWork, fulfillment_id: uuid.UUID, *, vendor_id: uuid.UUID | None = None
) -> tuple[Order, list[Fulfillment], Fulfillment]:
    """The fulfillment with its order, all locked in the lock order; 404 for another vendor's."""
    found = await uow.session.get(Fulfillment, fulfillment_id)
    if found is None or (vendor_id is not None and found.vendor_id != vendor_id):
        raise FulfillmentNotFound(details={"fulfillment_id": str(fulfillment_id)})
    order = await locked_order(uow, found.order_id)
    fulfillments = await fulfillments_of(uow, order.id)
    fulfillment = next(f for f in fulfillments if f.id == fulfillment_id)
    return order, fulfillments, fulfillment


async def ship_fulfillment(uow: UnitOfWork, cmd: ShipFulfillment) -> None:
    """pending → shipped (with the carrier told through shipping); shipping twice is a no-op."""
    order, fulfillments, fulfillment = await locked_fulfillment(
        uow, cmd.fulfillment_id, vendor_id=cmd.vendor_id
    )
    if OrderStatus(order.status) not in FOLLOWS_FULFILLMENTS:
        # A pending order is still being paid for; a cancelled or refunded one is not sent.
        raise refuse("order", order.status, FulfillmentStatus.SHIPPED)
    if fulfillment.shipment_id is not None:
        await shipping.mark_shipped(
            uow,
            fulfillment.shipment_id,
            tracking_number=cmd.tracking_number,
            carrier=cmd.carrier,
        )
    if fulfillment.advance(FulfillmentStatus.SHIPPED, uow.clock.now()):
        uow.record(
            fulfillment_event(
                FulfillmentShipped,
                fulfillment,
                carrier=cmd.carrier,
                tracking_number=cmd.tracking_number,
            )
        )
        follow_fulfillments(uow, order, fulfillments)


async def track(uow: UnitOfWork, fulfillment_id: uuid.UUID, status: FulfillmentStatus) -> None:
    """Move the fulfillment forward to what the carrier scanned; stale or late scans are kept out.

    A scan of a cancelled order's parcel, or one older than what we know, changes nothing.
    """
    try:
        order, fulfillments, fulfillment = await locked_fulfillment(uow, fulfillment_id)
    except FulfillmentNotFound:
        return  # a parcel booked for something that is not an order
    current = FulfillmentStatus(fulfillment.status)
    if current not in PROGRESSION or PROGRESSION.index(status) <= PROGRESSION.index(current):
        log.info("tracking_scan_ignored", fulfillment_id=str(fulfillment_id), status=status)
        return
    fulfillment.advance(status, uow.clock.now())
    if status is FulfillmentStatus.SHIPPED:
        uow.record(
            fulfillment_event(FulfillmentShipped, fulfillment, carrier=None, tracking_number=None)
        )
    else:
        uow.record(fulfillment_event(FULFILLMENT_EVENTS[status], fulfillment))
    follow_fulfillments(uow, order, fulfillments)

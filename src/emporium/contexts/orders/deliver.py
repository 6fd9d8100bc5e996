"""The buyer confirms a parcel arrived: the fulfillment is delivered and its escrow may go."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.contexts.orders.errors import FulfillmentNotFound, NotShippedYet, OrderNotFound
from emporium.contexts.orders.events import DeliveryConfirmed, FulfillmentDelivered
from emporium.contexts.orders.lifecycle import (
    follow_fulfillments,
    fulfillment_event,
    fulfillments_of,
    locked_order,
)
from emporium.contexts.orders.models import ON_ITS_WAY, FulfillmentStatus
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class ConfirmDelivery:
    order_id: uuid.UUID
    fulfillment_id: uuid.UUID
    buyer_id: uuid.UUID


async def confirm_delivery(uow: UnitOfWork, cmd: ConfirmDelivery) -> None:
    """shipped/in transit → delivered, confirmed by the buyer; once only (then a no-op)."""
    order = await locked_order(uow, cmd.order_id)
    if order.buyer_id != cmd.buyer_id:
        raise OrderNotFound(details={"order_id": str(cmd.order_id)})
    fulfillments = await fulfillments_of(uow, order.id)
    fulfillment = next((f for f in fulfillments if f.id == cmd.fulfillment_id), None)
    if fulfillment is None:
        raise FulfillmentNotFound(details={"fulfillment_id": str(cmd.fulfillment_id)})
    if fulfillment.delivery_confirmed_at is not None:
        return
    if FulfillmentStatus(fulfillment.status) not in ON_ITS_WAY:
        raise NotShippedYet(details={"status": fulfillment.status})
    now = uow.clock.now()
    fulfillment.delivery_confirmed_at = now
    if fulfillment.advance(FulfillmentStatus.DELIVERED, now):
        uow.record(fulfillment_event(FulfillmentDelivered, fulfillment))
    uow.record(
        fulfillment_event(
            DeliveryConfirmed,
            fulfillment,
            fulfillment_id=fulfillment.id,
            buyer_id=order.buyer_id,
            total=order.money(fulfillment.total),
        )
    )
    follow_fulfillments(uow, order, fulfillments)

"""The checkout saga's last touches on an order: its shipments, then its confirmation."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select

from emporium.contexts.orders.errors import FulfillmentNotFound
from emporium.contexts.orders.events import OrderConfirmed
from emporium.contexts.orders.lifecycle import fulfillments_of, locked_order, order_event
from emporium.contexts.orders.models import Order, OrderStatus
from emporium.kernel.uow import UnitOfWork


async def attach_shipments(
    uow: UnitOfWork, order_id: uuid.UUID, shipments: Mapping[uuid.UUID, uuid.UUID]
) -> None:
    """Record each fulfillment's booked shipment (fulfillment id → shipment id); repeatable."""
    await locked_order(uow, order_id)
    fulfillments = {f.id: f for f in await fulfillments_of(uow, order_id)}
    for fulfillment_id, shipment_id in shipments.items():
        fulfillment = fulfillments.get(fulfillment_id)
        if fulfillment is None:
            raise FulfillmentNotFound(details={"fulfillment_id": str(fulfillment_id)})
        fulfillment.shipment_id = shipment_id
        fulfillment.updated_at = uow.clock.now()


async def confirm_order(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    """pending → confirmed, once everything the checkout does has been done; repeatable."""
    order = await locked_order(uow, order_id)
    if order.status != OrderStatus.PENDING:
        return
    order.move_to(OrderStatus.CONFIRMED, uow.clock.now())
    uow.record(order_event(OrderConfirmed, order, total=order.money(order.total)))


async def order_of_checkout(uow: UnitOfWork, checkout_id: uuid.UUID) -> uuid.UUID | None:
    """The id of the order a checkout placed, if it placed one."""
    order_id: uuid.UUID | None = await uow.session.scalar(
        select(Order.id).where(Order.checkout_id == checkout_id)
    )
    return order_id

"""The checkout saga's touches on an order after placing it: shipments, confirmation, undoing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from emporium.contexts.orders.errors import FulfillmentNotFound
from emporium.contexts.orders.events import OrderConfirmed
from emporium.contexts.orders.lifecycle import cancel, fulfillments_of, locked_order, order_event
from emporium.contexts.orders.models import Fulfillment, OrderStatus
from emporium.kernel.uow import UnitOfWork


async def attach_shipments(
    uow: UnitOfWork, *, order_id: uuid.UUID, shipments: Mapping[uuid.UUID, uuid.UUID]
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


async def attach_shipment(
    uow: UnitOfWork, *, fulfillment_id: uuid.UUID, shipment_id: uuid.UUID
) -> None:
    """Record one fulfillment's booked shipment; repeatable."""
    fulfillment = await uow.session.get(Fulfillment, fulfillment_id)
    if fulfillment is None:
        raise FulfillmentNotFound(details={"fulfillment_id": str(fulfillment_id)})
    await attach_shipments(
        uow, order_id=fulfillment.order_id, shipments={fulfillment_id: shipment_id}
    )


async def confirm_order(uow: UnitOfWork, *, order_id: uuid.UUID) -> None:
    """pending → confirmed, once everything the checkout does has been done; repeatable."""
    order = await locked_order(uow, order_id)
    if order.status != OrderStatus.PENDING:
        return
    order.move_to(OrderStatus.CONFIRMED, uow.clock.now())
    uow.record(order_event(OrderConfirmed, order, total=order.money(order.total)))


async def cancel_order(uow: UnitOfWork, *, order_id: uuid.UUID, reason: str) -> bool:
    """Cancel an order with nothing shipped (stock and discount uses back); False if it was.

    Its fulfillments are cancelled with it. The money is the caller's part (the checkout
    saga refunds its own payment). Once a fulfillment has shipped: 409.
    """
    order = await locked_order(uow, order_id)
    return await cancel(uow, order, await fulfillments_of(uow, order_id), reason)

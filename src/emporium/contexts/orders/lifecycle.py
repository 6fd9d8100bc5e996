"""What every order use case shares: loading under lock, status changes with their events,
and cancelling (stock back on the shelf, discount uses given back).

Lock order, for every writer of an order: the order row first, then its fulfillment rows, then
inventory items in ascending variant id (inventory's own rule), then pricing's rule rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from emporium.contexts import inventory, pricing
from emporium.contexts.orders.errors import OrderNotFound
from emporium.contexts.orders.events import (
    FulfillmentCancelled,
    FulfillmentDelivered,
    FulfillmentEvent,
    FulfillmentInTransit,
    FulfillmentShipped,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderProcessing,
    OrderShipped,
)
from emporium.contexts.orders.models import (
    FOLLOWS_FULFILLMENTS,
    Fulfillment,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    derived_status,
)
from emporium.kernel.uow import UnitOfWork

_ORDER_EVENTS: dict[OrderStatus, type[OrderEvent]] = {
    OrderStatus.PROCESSING: OrderProcessing,
    OrderStatus.SHIPPED: OrderShipped,
    OrderStatus.DELIVERED: OrderDelivered,
}
FULFILLMENT_EVENTS: dict[FulfillmentStatus, type[FulfillmentEvent]] = {
    FulfillmentStatus.SHIPPED: FulfillmentShipped,
    FulfillmentStatus.IN_TRANSIT: FulfillmentInTransit,
    FulfillmentStatus.DELIVERED: FulfillmentDelivered,
    FulfillmentStatus.CANCELLED: FulfillmentCancelled,
}


def order_event(kind: type[OrderEvent], order: Order, **extra: Any) -> OrderEvent:
    """An event of kind about order as it is now."""
    return kind(
        id=order.id, number=order.number, buyer_id=order.buyer_id, status=order.status, **extra
    )


def fulfillment_event(
    kind: type[FulfillmentEvent], fulfillment: Fulfillment, **extra: Any
) -> FulfillmentEvent:
    return kind(
        id=fulfillment.id,
        order_id=fulfillment.order_id,
        vendor_id=fulfillment.vendor_id,
        status=fulfillment.status,
        **extra,
    )


async def locked_order(uow: UnitOfWork, order_id: uuid.UUID) -> Order:
    """The order row, locked until uow ends and read afresh; 404 when there is none."""
    order = await uow.session.get(Order, order_id, with_for_update=True, populate_existing=True)
    if order is None:
        raise OrderNotFound(details={"order_id": str(order_id)})
    return order


async def fulfillments_of(uow: UnitOfWork, order_id: uuid.UUID) -> list[Fulfillment]:
    """The order's fulfillments, locked (after the order), in vendor order."""
    rows = await uow.session.scalars(
        select(Fulfillment)
        .where(Fulfillment.order_id == order_id)
        .order_by(Fulfillment.vendor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)


def follow_fulfillments(uow: UnitOfWork, order: Order, fulfillments: list[Fulfillment]) -> None:
    """Move a confirmed order to what its fulfillments say, with the event of its new status."""
    if OrderStatus(order.status) not in FOLLOWS_FULFILLMENTS:
        return
    target = derived_status([FulfillmentStatus(f.status) for f in fulfillments])
    if order.move_to(target, uow.clock.now()) is not target:
        uow.record(order_event(_ORDER_EVENTS[target], order))


async def cancel(
    uow: UnitOfWork, order: Order, fulfillments: list[Fulfillment], reason: str
) -> bool:
    """Cancel order (locked, with its fulfillments): units back in stock, discount uses back.

    False, changing nothing, when it was cancelled already. Refunding is the caller's part.
    """
    if order.status == OrderStatus.CANCELLED:
        return False
    now = uow.clock.now()
    order.move_to(OrderStatus.CANCELLED, now)
    for fulfillment in fulfillments:
        if fulfillment.advance(FulfillmentStatus.CANCELLED, now):
            uow.record(fulfillment_event(FulfillmentCancelled, fulfillment))
    lines = await uow.session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.variant_id, OrderLine.id)
    )
    # The order's units were sold when it was placed (its holds consumed): they come back
    # with a restock, guarded by the status change above, so never twice.
    for line in lines:
        await inventory.restock(
            uow, line.variant_id, line.quantity, f"order {order.number} cancelled"
        )
    await pricing.release_redemption(uow, order.id)
    uow.record(order_event(OrderCancelled, order, reason=reason[:200]))
    return True

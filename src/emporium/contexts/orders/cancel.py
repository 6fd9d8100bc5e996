"""The buyer cancels an order before anything has shipped: stock back, discounts back, refund.

The cancellation (stock restocked, discount uses released, fulfillments cancelled) and the
refund's reservation commit together; the refund saga then cancels the booked shipments and
sends the money back with no transaction open across the gateway call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.contexts.orders.errors import NotCancellable, OrderNotFound
from emporium.contexts.orders.lifecycle import cancel, fulfillments_of, locked_order
from emporium.contexts.orders.models import OrderStatus, RefundKind
from emporium.contexts.orders.refunds import begin_refund, find_refund, has_payment
from emporium.kernel import saga
from emporium.kernel.runtime import Runtime

CANCELLABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED})


@dataclass(frozen=True)
class CancelOrder:
    order_id: uuid.UUID
    buyer_id: uuid.UUID
    reason: str = "cancelled by the buyer"


async def cancel_for_buyer(runtime: Runtime, cmd: CancelOrder) -> None:
    """Cancel the buyer's confirmed order and refund it in full; again: finish the refund."""
    async with runtime.uow() as uow:
        order = await locked_order(uow, cmd.order_id)
        if order.buyer_id != cmd.buyer_id:
            raise OrderNotFound(details={"order_id": str(cmd.order_id)})
        if OrderStatus(order.status) not in CANCELLABLE:
            raise NotCancellable(details={"status": order.status})
        key = f"order-cancel:{order.id}"
        cancelled_now = await cancel(uow, order, await fulfillments_of(uow, order.id), cmd.reason)
        # Cancelled before (by the buyer: finish that refund; by a failed checkout, whose
        # saga refunded its own payment: nothing to do).
        again = not cancelled_now and await find_refund(uow, key) is not None
        saga_id = None
        if has_payment(order) and (cancelled_now or again):
            _, saga_id = await begin_refund(
                uow,
                order,
                key=key,
                kind=RefundKind.CANCELLATION,
                reason=cmd.reason,
                cancel_shipments=True,
            )
        await uow.commit()
    if saga_id is not None:
        await saga.run(runtime, saga_id)

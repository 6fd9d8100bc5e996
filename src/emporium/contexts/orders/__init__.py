"""Orders: placed orders, their lines with pricing snapshots, vendor fulfillments, refunds.

The public facade other contexts (the checkout saga, wallet, notifications) may use.
Functions that take a unit of work change state inside the caller's transaction and never
commit. See docs/orders.md for the status machine and the cancel and refund rules.
"""

from __future__ import annotations

from emporium.contexts.orders.api import router
from emporium.contexts.orders.confirm import (
    attach_shipment,
    attach_shipments,
    cancel_order,
    confirm_order,
)
from emporium.contexts.orders.errors import (
    FulfillmentNotFound,
    NotCancellable,
    NothingToRefund,
    NotShippedYet,
    OrderNotFound,
    RefundTooLarge,
)
from emporium.contexts.orders.events import (
    DeliveryConfirmed,
    FulfillmentCancelled,
    FulfillmentCreated,
    FulfillmentDelivered,
    FulfillmentInTransit,
    FulfillmentShipped,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderPlaced,
    OrderProcessing,
    OrderRefunded,
    OrderShipped,
)
from emporium.contexts.orders.models import FulfillmentStatus, OrderStatus
from emporium.contexts.orders.place import (
    LineToPlace,
    OrderTotals,
    PlacedOrder,
    PlaceOrder,
    place_order,
)
from emporium.contexts.orders.queries import (
    FulfillmentView,
    LineView,
    OrderView,
    ShipmentView,
    get_order_view,
    order_of_checkout,
)
from emporium.contexts.orders.refunds import REFUND
from emporium.contexts.orders.subscribers import tracking
from emporium.kernel import saga
from emporium.kernel.runtime import Runtime

__all__ = [
    "DeliveryConfirmed",
    "FulfillmentCancelled",
    "FulfillmentCreated",
    "FulfillmentDelivered",
    "FulfillmentInTransit",
    "FulfillmentNotFound",
    "FulfillmentShipped",
    "FulfillmentStatus",
    "FulfillmentView",
    "LineToPlace",
    "LineView",
    "NotCancellable",
    "NotShippedYet",
    "NothingToRefund",
    "OrderCancelled",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderNotFound",
    "OrderPlaced",
    "OrderProcessing",
    "OrderRefunded",
    "OrderShipped",
    "OrderStatus",
    "OrderTotals",
    "OrderView",
    "PlaceOrder",
    "PlacedOrder",
    "RefundTooLarge",
    "ShipmentView",
    "attach_shipment",
    "attach_shipments",
    "cancel_order",
    "confirm_order",
    "get_order_view",
    "order_of_checkout",
    "place_order",
    "router",
    "wire",
]


def wire(runtime: Runtime) -> None:
    """Register the refund saga and the subscriber that follows the carrier's scans."""
    saga.register(runtime, REFUND)
    runtime.subscribers.add(tracking())

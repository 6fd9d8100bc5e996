"""Events the orders context publishes (past tense), for notifications, analytics and escrow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.kernel.events import DomainEvent
from emporium.kernel.money import Money


@dataclass(frozen=True, kw_only=True)
class OrderEvent(DomainEvent):
    aggregate_type = "order"
    id: uuid.UUID
    number: str
    buyer_id: uuid.UUID
    status: str


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderEvent):
    type = "orders.order_placed"
    checkout_id: uuid.UUID | None
    total: Money
    vendor_ids: list[uuid.UUID]


@dataclass(frozen=True, kw_only=True)
class OrderConfirmed(OrderEvent):
    type = "orders.order_confirmed"
    total: Money


@dataclass(frozen=True, kw_only=True)
class OrderProcessing(OrderEvent):
    type = "orders.order_processing"


@dataclass(frozen=True, kw_only=True)
class OrderShipped(OrderEvent):
    type = "orders.order_shipped"


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(OrderEvent):
    type = "orders.order_delivered"


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(OrderEvent):
    type = "orders.order_cancelled"
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(OrderEvent):
    """Money went back to the buyer; `fully_refunded` once nothing is left to refund."""

    type = "orders.order_refunded"
    refund_id: uuid.UUID
    amount: Money
    refunded_total: Money
    fully_refunded: bool
    reason: str


@dataclass(frozen=True, kw_only=True)
class FulfillmentEvent(DomainEvent):
    aggregate_type = "fulfillment"
    id: uuid.UUID
    order_id: uuid.UUID
    vendor_id: uuid.UUID
    status: str


@dataclass(frozen=True, kw_only=True)
class FulfillmentCreated(FulfillmentEvent):
    type = "orders.fulfillment_created"
    total: Money


@dataclass(frozen=True, kw_only=True)
class FulfillmentShipped(FulfillmentEvent):
    type = "orders.fulfillment_shipped"
    carrier: str | None
    tracking_number: str | None


@dataclass(frozen=True, kw_only=True)
class FulfillmentInTransit(FulfillmentEvent):
    type = "orders.fulfillment_in_transit"


@dataclass(frozen=True, kw_only=True)
class FulfillmentDelivered(FulfillmentEvent):
    type = "orders.fulfillment_delivered"


@dataclass(frozen=True, kw_only=True)
class FulfillmentCancelled(FulfillmentEvent):
    type = "orders.fulfillment_cancelled"


@dataclass(frozen=True, kw_only=True)
class DeliveryConfirmed(FulfillmentEvent):
    """The buyer says the parcel arrived: the signal that releases the vendor's escrow."""

    type = "orders.delivery_confirmed"
    fulfillment_id: uuid.UUID  # the same as id, named for the wallet's escrow lookup
    buyer_id: uuid.UUID
    total: Money  # the fulfillment's: its lines after discounts plus its share of shipping

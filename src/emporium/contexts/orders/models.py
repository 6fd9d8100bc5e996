"""Order tables and their state machines: an order, its lines, one fulfillment per vendor, refunds.

An order's status moves along `pending → confirmed → processing → shipped → delivered`, or
ends `cancelled` or `refunded`; once it is confirmed it follows its fulfillments (all shipped:
shipped; all delivered: delivered). A fulfillment moves `pending → shipped → in_transit →
delivered`, or `pending → cancelled`. Anything else is refused with 409
INVALID_STATE_TRANSITION.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.money import Money
from emporium.kernel.uow import RecordsEvents


class OrderStatus(StrEnum):
    PENDING = "pending"  # created by the checkout saga, which has not finished yet
    CONFIRMED = "confirmed"
    PROCESSING = "processing"  # some fulfillments are on their way, not all
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class FulfillmentStatus(StrEnum):
    PENDING = "pending"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundKind(StrEnum):
    CANCELLATION = "cancellation"
    ADMIN = "admin"


# Forward only; a status may skip ahead (a parcel delivered before anyone saw it in transit).
_ORDER_NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset(
        {
            OrderStatus.PROCESSING,
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
            OrderStatus.CANCELLED,
            OrderStatus.REFUNDED,
        }
    ),
    OrderStatus.PROCESSING: frozenset(
        {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.REFUNDED}
    ),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
# The order's own statuses that follow its fulfillments.
FOLLOWS_FULFILLMENTS = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED}
)
PROGRESSION = (
    FulfillmentStatus.PENDING,
    FulfillmentStatus.SHIPPED,
    FulfillmentStatus.IN_TRANSIT,
    FulfillmentStatus.DELIVERED,
)
ON_ITS_WAY = frozenset(PROGRESSION[1:])


def refuse(what: str, current: str, wanted: str) -> InvalidStateTransition:
    """The 409 for a move the state machine does not allow."""
    return InvalidStateTransition(
        f"A {what} that is {current} cannot become {wanted}",
        details={"status": current, "requested": wanted},
    )


def derived_status(statuses: Sequence[FulfillmentStatus]) -> OrderStatus:
    """What a confirmed order's status is, given its fulfillments' (cancelled ones ignored)."""
    live = [status for status in statuses if status is not FulfillmentStatus.CANCELLED]
    if live and all(status is FulfillmentStatus.DELIVERED for status in live):
        return OrderStatus.DELIVERED
    if live and all(status in ON_ITS_WAY for status in live):
        return OrderStatus.SHIPPED
    if any(status in ON_ITS_WAY for status in live):
        return OrderStatus.PROCESSING
    return OrderStatus.CONFIRMED


class Order(RecordsEvents, Base):
    """An order: the buyer's, in one currency, with its totals as the checkout priced them."""

    __tablename__ = "orders_order"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    checkout_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    shipping: Mapped[int] = mapped_column(BigInteger)
    vat: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    refunded: Mapped[int] = mapped_column(BigInteger)  # refunds done and in flight
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSONType)
    shipping_method_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    payment_method: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    discount_rule_ids: Mapped[list[str]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("refunded >= 0 AND refunded <= total", name="refunded"),)

    def money(self, amount: int) -> Money:
        return Money(amount, self.currency)

    @property
    def refundable(self) -> Money:
        return self.money(self.total - self.refunded)

    def move_to(self, status: OrderStatus, now: datetime) -> OrderStatus:
        """Change status if the machine allows it (409 otherwise); returns the previous one."""
        current = OrderStatus(self.status)
        if status is current:
            return current
        if status not in _ORDER_NEXT[current]:
            raise refuse("order", current, status)
        self.status = status.value
        self.updated_at = now
        if status is OrderStatus.CANCELLED:
            self.cancelled_at = now
        return current


class OrderLine(Base):
    """Units of one variant, with the pricing snapshot taken when the order was placed."""

    __tablename__ = "orders_line"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(UUIDType, ForeignKey("orders_order.id"), index=True)
    fulfillment_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("orders_fulfillment.id"), index=True
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    product_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    sku: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(420))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger)
    vat: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)  # gross, after discounts
    pricing: Mapped[dict[str, Any]] = mapped_column(JSONType)  # never recomputed

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class Fulfillment(Base):
    """What one vendor sends for an order: its lines, their money, its shipment, its status."""

    __tablename__ = "orders_fulfillment"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(UUIDType, ForeignKey("orders_order.id"), index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger)  # its lines, gross after discounts
    shipping: Mapped[int] = mapped_column(BigInteger)  # its share of the order's shipping
    total: Mapped[int] = mapped_column(BigInteger)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("order_id", "vendor_id"),)

    def advance(self, status: FulfillmentStatus, now: datetime) -> bool:
        """Move forward to status (skipping ahead is fine); False when it is there already.

        409 for going back, or for anything but pending → cancelled once cancelled.
        """
        current = FulfillmentStatus(self.status)
        if status is current:
            return False
        if status is FulfillmentStatus.CANCELLED:
            allowed = current is FulfillmentStatus.PENDING
        else:
            allowed = current in PROGRESSION and PROGRESSION.index(status) > PROGRESSION.index(
                current
            )
        if not allowed:
            raise refuse("fulfillment", current, status)
        self.status = status.value
        self.updated_at = now
        if status in ON_ITS_WAY and self.shipped_at is None:
            self.shipped_at = now
        if status is FulfillmentStatus.DELIVERED:
            self.delivered_at = now
        return True


class OrderRefund(Base):
    """Money given back on an order: reserved on the order first, then sent, then settled."""

    __tablename__ = "orders_refund"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(UUIDType, ForeignKey("orders_order.id"), index=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    failure: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

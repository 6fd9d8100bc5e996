"""The status machines, without a database: forward only, the order following its parcels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emporium.contexts.orders.models import (
    Fulfillment,
    FulfillmentStatus,
    Order,
    OrderStatus,
    derived_status,
)
from emporium.kernel.errors import InvalidStateTransition

NOW = datetime(2026, 1, 15, tzinfo=UTC)
F = FulfillmentStatus


@pytest.mark.parametrize(
    ("fulfillments", "expected"),
    [
        ([F.PENDING, F.PENDING], OrderStatus.CONFIRMED),
        ([F.SHIPPED, F.PENDING], OrderStatus.PROCESSING),
        ([F.IN_TRANSIT, F.SHIPPED], OrderStatus.SHIPPED),
        ([F.DELIVERED, F.IN_TRANSIT], OrderStatus.SHIPPED),
        ([F.DELIVERED, F.DELIVERED], OrderStatus.DELIVERED),
        ([F.DELIVERED, F.CANCELLED], OrderStatus.DELIVERED),
    ],
)
def test_an_orders_status_follows_its_fulfillments(
    fulfillments: list[FulfillmentStatus], expected: OrderStatus
) -> None:
    assert derived_status(fulfillments) is expected


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (OrderStatus.PENDING, OrderStatus.SHIPPED),
        (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
        (OrderStatus.PROCESSING, OrderStatus.CANCELLED),
        (OrderStatus.DELIVERED, OrderStatus.SHIPPED),
        (OrderStatus.CANCELLED, OrderStatus.CONFIRMED),
        (OrderStatus.REFUNDED, OrderStatus.DELIVERED),
    ],
)
def test_an_order_refuses_moves_the_machine_does_not_allow(
    current: OrderStatus, wanted: OrderStatus
) -> None:
    order = Order(status=current.value)

    with pytest.raises(InvalidStateTransition):
        order.move_to(wanted, NOW)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (F.SHIPPED, F.PENDING),
        (F.DELIVERED, F.IN_TRANSIT),
        (F.SHIPPED, F.CANCELLED),
        (F.CANCELLED, F.SHIPPED),
    ],
)
def test_a_fulfillment_only_moves_forward(current: FulfillmentStatus, wanted: F) -> None:
    fulfillment = Fulfillment(status=current.value)

    with pytest.raises(InvalidStateTransition):
        fulfillment.advance(wanted, NOW)


def test_a_parcel_may_be_delivered_before_anyone_saw_it_in_transit() -> None:
    fulfillment = Fulfillment(status=F.SHIPPED.value)

    assert fulfillment.advance(F.DELIVERED, NOW)
    assert fulfillment.delivered_at == NOW

"""The happy path: a cart with two vendors becomes one paid order with two shipments."""

from __future__ import annotations

import uuid

import httpx

from emporium.contexts import orders, payments, shipping
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import read_cart
from tests.support.checkout import (
    Shop,
    filled_cart,
    method_id,
    order_body,
    place,
    read_checkout,
    stock,
)
from tests.support.webhooks import events_of


async def test_a_two_vendor_cart_becomes_one_paid_order_with_two_shipments(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])

    response = await place(client, buyer, order_body(cart, await method_id(client)))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "COMPLETED"
    assert "failure" not in body
    order_id = uuid.UUID(body["order_id"])
    async with runtime.db.read() as session:
        order = await orders.get_order_view(session, order_id)
        payment = await payments.payment_for(session, uuid.UUID(body["id"]))
        assert order is not None and payment is not None
        shipments = [await shipping.shipment_of(session, f.id) for f in order.fulfillments]
    assert order.status == "confirmed"
    assert payment.status is payments.PaymentStatus.CAPTURED
    assert payment.amount.amount == order.totals["total"].amount
    assert len(order.fulfillments) == 2
    assert all(s is not None and s.status is shipping.ShipmentStatus.PENDING for s in shipments)
    assert await stock(runtime, shop.variant(0)) == (4, 0)
    assert await stock(runtime, shop.variant(1)) == (3, 0)
    assert (await read_cart(client, cart))["items"] == []


async def test_the_checkout_shows_every_step_done(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    placed = (await place(client, buyer, order_body(cart, await method_id(client)))).json()

    body = await read_checkout(client, buyer, placed["id"])

    assert body["state"] == "COMPLETED"
    assert body["order_id"] == placed["order_id"]
    assert [(s["name"], s["status"]) for s in body["steps"]] == [
        ("validate_cart", "done"),
        ("reserve_inventory", "done"),
        ("take_payment", "done"),
        ("confirm_payment", "done"),
        ("create_order", "done"),
        ("create_shipments", "done"),
        ("complete", "done"),
    ]


async def test_a_completed_checkout_leaves_its_events_in_the_log(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 1)])
    await place(client, buyer, order_body(cart, await method_id(client)))

    types = [
        e.type
        for e in await events_of(
            runtime,
            "checkout.started",
            "payments.payment_captured",
            "orders.order_placed",
            "shipping.shipment_created",
            "orders.order_confirmed",
            "cart.converted",
            "checkout.completed",
        )
    ]

    assert types == [
        "checkout.started",
        "payments.payment_captured",
        "orders.order_placed",
        "shipping.shipment_created",
        "shipping.shipment_created",
        "orders.order_confirmed",
        "cart.converted",
        "checkout.completed",
    ]

"""Each way a checkout can fail, and exactly what it leaves: stock, payment, order, events."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from emporium.contexts import payments
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.checkout.conftest import PAYMENT_TIMEOUT_SECONDS, RESERVATION_TTL_SECONDS
from tests.support.auth import AuthedUser, register_buyer
from tests.support.cart import add_item, buyer_cart, read_cart
from tests.support.checkout import (
    Shop,
    filled_cart,
    method_id,
    order_body,
    order_status,
    payment_of,
    place,
    read_checkout,
    settle,
    stock,
)
from tests.support.webhooks import events_of

Status = payments.PaymentStatus


def compensations(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["step"], c["action"], c["status"]) for c in body["failure"]["compensations"]]


async def checkout_with(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser, **options: Any
) -> dict[str, Any]:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])
    response = await place(client, buyer, order_body(cart, await method_id(client), **options))
    assert response.status_code in (201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_declined_card_fails_the_checkout_and_releases_the_stock(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    body = await checkout_with(client, shop, buyer, token="tok_chargeDeclined")

    assert body["state"] == "FAILED"
    assert body["order_id"] is None
    assert body["failure"]["code"] == "PAYMENT_FAILED"
    assert body["failure"]["details"]["reason"] == "card_declined"
    assert compensations(body) == [
        ("take_payment", "none", "done"),
        ("reserve_inventory", "release", "done"),
        ("validate_cart", "release_cart", "done"),
    ]
    assert await stock(runtime, shop.variant(0)) == (5, 0)
    assert await stock(runtime, shop.variant(1)) == (5, 0)
    payment = await payment_of(runtime, body["id"])
    assert payment is not None and payment.status is Status.FAILED
    assert await events_of(runtime, "orders.order_placed") == []
    assert [e.payload["code"] for e in await events_of(runtime, "checkout.failed")] == [
        "PAYMENT_FAILED"
    ]


async def test_insufficient_funds_fail_the_checkout_with_their_reason(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    body = await checkout_with(client, shop, buyer, token="tok_insufficientFunds")

    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "PAYMENT_FAILED"
    assert body["failure"]["details"]["reason"] == "insufficient_funds"
    assert await stock(runtime, shop.variant(1)) == (5, 0)


async def test_a_failed_checkout_gives_the_cart_back_to_the_buyer(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    failed = await place(
        client, buyer, order_body(cart, await method_id(client), token="tok_chargeDeclined")
    )
    assert failed.json()["state"] == "FAILED"

    again = await place(client, buyer, order_body(cart, await method_id(client)))

    assert again.json()["state"] == "COMPLETED", again.text


async def test_a_carrier_refusal_refunds_the_payment_and_cancels_the_order(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    body = await checkout_with(client, shop, buyer, postal_code="99999")

    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "SHIPPING_UNAVAILABLE"
    assert compensations(body) == [
        ("create_shipments", "none", "done"),
        ("create_order", "cancel", "done"),
        ("take_payment", "refund", "done"),
        ("reserve_inventory", "release", "done"),
        ("validate_cart", "release_cart", "done"),
    ]
    assert body["order_id"] is not None
    assert await order_status(runtime, body["order_id"]) == "cancelled"
    payment = await payment_of(runtime, body["id"])
    assert payment is not None and payment.status is Status.REFUNDED
    assert await stock(runtime, shop.variant(0)) == (5, 0)
    assert await stock(runtime, shop.variant(1)) == (5, 0)
    assert len(await events_of(runtime, "orders.order_cancelled")) == 1
    assert len(await events_of(runtime, "payments.payment_refunded")) == 1


async def test_an_expired_hold_is_taken_again_when_the_stock_is_still_there(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 2)])
    clock.advance(seconds=RESERVATION_TTL_SECONDS + 1)
    await run_due_jobs(runtime)
    assert await stock(runtime, shop.variant(0)) == (5, 0)

    response = await place(client, buyer, order_body(cart, await method_id(client)))

    assert response.json()["state"] == "COMPLETED", response.text
    assert await stock(runtime, shop.variant(0)) == (3, 0)


async def test_an_expired_hold_whose_stock_is_gone_fails_without_an_order_or_a_charge(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 5)])
    clock.advance(seconds=RESERVATION_TTL_SECONDS + 1)
    await run_due_jobs(runtime)
    rival = await register_buyer(client)
    taken = await add_item(client, await buyer_cart(client, rival), shop.variant(0), 4)
    assert taken.status_code == 201, taken.text

    response = await place(client, buyer, order_body(cart, await method_id(client)))

    body = response.json()
    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "INSUFFICIENT_INVENTORY"
    assert body["order_id"] is None
    assert compensations(body) == [
        ("reserve_inventory", "release", "done"),
        ("validate_cart", "release_cart", "done"),
    ]
    assert await payment_of(runtime, body["id"]) is None
    assert await stock(runtime, shop.variant(0)) == (5, 4)
    assert (await read_cart(client, cart))["items"][0]["quantity"] == 5


async def test_three_d_secure_waits_for_the_bank_and_times_out_into_a_void(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, shop: Shop, buyer: AuthedUser
) -> None:
    pending = await checkout_with(client, shop, buyer, token="tok_threeDSecure")
    assert pending["state"] == "PAYMENT_PENDING"
    assert pending["payment"]["status"] == "requires_action"
    assert await stock(runtime, shop.variant(1)) == (5, 2)

    clock.advance(seconds=PAYMENT_TIMEOUT_SECONDS + 1)
    await settle(runtime)

    body = await read_checkout(client, buyer, pending["id"])
    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "PAYMENT_TIMEOUT"
    assert ("take_payment", "void", "done") in compensations(body)
    payment = await payment_of(runtime, pending["id"])
    assert payment is not None and payment.status is Status.VOIDED
    assert await stock(runtime, shop.variant(1)) == (5, 0)
    assert await events_of(runtime, "orders.order_placed") == []


async def test_three_d_secure_confirmed_by_the_signed_webhook_completes_the_order(
    client: httpx.AsyncClient,
    runtime: Runtime,
    app: FastAPI,
    shop: Shop,
    buyer: AuthedUser,
    sandbox_webhooks: SandboxWebhooks,
) -> None:
    pending = await checkout_with(client, shop, buyer, token="tok_threeDSecure")
    reference = pending["payment"]["reference"]

    passed = await client.post(
        f"/api/v1/payments/sandbox/payments/{reference}/complete", json={"outcome": "succeeded"}
    )
    assert passed.status_code == 200, passed.text
    await settle(runtime)

    body = await read_checkout(client, buyer, pending["id"])
    assert body["state"] == "COMPLETED", body
    assert await order_status(runtime, body["order_id"]) == "confirmed"
    payment = await payment_of(runtime, pending["id"])
    assert payment is not None and payment.status is Status.CAPTURED
    assert await stock(runtime, shop.variant(1)) == (3, 0)


async def test_a_failed_bank_challenge_fails_the_checkout(
    client: httpx.AsyncClient,
    runtime: Runtime,
    shop: Shop,
    buyer: AuthedUser,
    sandbox_webhooks: SandboxWebhooks,
) -> None:
    pending = await checkout_with(client, shop, buyer, token="tok_threeDSecure")
    reference = pending["payment"]["reference"]

    await client.post(
        f"/api/v1/payments/sandbox/payments/{reference}/complete", json={"outcome": "failed"}
    )
    await settle(runtime)

    body = await read_checkout(client, buyer, pending["id"])
    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "PAYMENT_FAILED"
    assert body["failure"]["details"]["reason"] == "authentication_failed"
    assert await stock(runtime, shop.variant(1)) == (5, 0)

"""One Idempotency-Key, one checkout, one order: retried, at once, or past the middleware."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from emporium.contexts import checkout
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.checkout import Shop, filled_cart, method_id, order_body, place, stock
from tests.support.webhooks import events_of


async def test_the_same_key_retried_answers_the_same_order(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client))

    first = await place(client, buyer, body, key="checkout-1")
    again = await place(client, buyer, body, key="checkout-1")

    assert again.status_code == first.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert len(await events_of(runtime, "orders.order_placed")) == 1


async def test_concurrent_retries_with_one_key_place_one_order(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 2)])
    body = order_body(cart, await method_id(client))

    answers = await asyncio.gather(*(place(client, buyer, body, key="same") for _ in range(6)))

    statuses = {answer.status_code for answer in answers}
    assert statuses <= {201, 409}, [a.text for a in answers]
    placed = {a.json()["order_id"] for a in answers if a.status_code == 201}
    assert len(placed) == 1 and None not in placed
    assert len(await events_of(runtime, "orders.order_placed")) == 1
    assert await stock(runtime, shop.variant(0)) == (3, 0)


async def test_concurrent_starts_past_the_middleware_find_one_checkout(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    # The key's record in the middleware is gone (a crash between the route's commit and the
    # stored answer, or 24 hours later): the checkout row's own unique key still holds.
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    cmd = checkout.StartCheckout(
        buyer_id=buyer.id,
        idempotency_key="past-the-middleware",
        cart_id=uuid.UUID(cart.id),
        address=order_body(cart, "")["shipping_address"],
        shipping_method_id=uuid.UUID(await method_id(client)),
        payment_method=checkout.PaymentChoice.CARD,
        token="tok_visa",
    )

    rows = await asyncio.gather(*(checkout.start_checkout(runtime, cmd) for _ in range(4)))

    assert len({row.id for row in rows}) == 1
    assert len(await events_of(runtime, "checkout.started")) == 1
    assert len(await events_of(runtime, "orders.order_placed")) == 1


async def test_a_second_key_for_a_cart_under_checkout_is_refused(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client), token="tok_threeDSecure")
    pending = await place(client, buyer, body)
    assert pending.status_code == 202, pending.text

    other = await place(client, buyer, order_body(cart, await method_id(client)))

    assert other.status_code == 409
    assert other.json()["error"]["code"] == "INVALID_STATE_TRANSITION"

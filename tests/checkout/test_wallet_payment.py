"""Paying a checkout from the wallet: the balance pays, or the checkout fails with nothing moved."""

from __future__ import annotations

import httpx

from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.checkout import Shop, filled_cart, method_id, order_body, place, stock

WALLET = "/api/v1/store/wallet"


async def top_up(client: httpx.AsyncClient, buyer: AuthedUser, cents: int) -> None:
    response = await client.post(
        f"{WALLET}/top-up",
        json={"amount": {"amount": cents, "currency": "EUR"}, "token": "tok_visa"},
        headers=buyer.headers,
    )
    assert response.status_code == 201, response.text


async def balance(client: httpx.AsyncClient, buyer: AuthedUser) -> int:
    response = await client.get(WALLET, headers=buyer.headers)
    return int(response.json()["balance"]["amount"])


async def test_a_wallet_with_enough_balance_pays_the_order(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    await top_up(client, buyer, 10_000)
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])

    response = await place(client, buyer, order_body(cart, await method_id(client), token=None))

    assert response.json()["state"] == "COMPLETED", response.text
    # 19.99 for the comic and 4.90 for shipping.
    assert await balance(client, buyer) == 10_000 - 1999 - 490
    assert await stock(runtime, shop.variant(0)) == (4, 0)


async def test_a_short_wallet_fails_the_checkout_and_keeps_its_balance(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    await top_up(client, buyer, 1000)
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])

    response = await place(client, buyer, order_body(cart, await method_id(client), token=None))

    body = response.json()
    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "PAYMENT_FAILED"
    assert body["failure"]["details"]["reason"] == "insufficient_funds"
    assert await balance(client, buyer) == 1000
    assert await stock(runtime, shop.variant(0)) == (5, 0)


async def test_a_wallet_paid_checkout_refused_by_the_carrier_returns_the_money(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    await top_up(client, buyer, 10_000)
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client), token=None, postal_code="99999")

    response = await place(client, buyer, body)

    assert response.json()["failure"]["code"] == "SHIPPING_UNAVAILABLE"
    assert await balance(client, buyer) == 10_000

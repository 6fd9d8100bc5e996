"""Who may see a checkout, and the clear errors for a checkout that cannot start."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser, register_buyer
from tests.support.cart import buyer_cart
from tests.support.checkout import CHECKOUTS, Shop, filled_cart, method_id, order_body, place


async def test_another_buyers_checkout_is_not_found(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    placed = (await place(client, buyer, order_body(cart, await method_id(client)))).json()
    stranger = await register_buyer(client)

    response = await client.get(f"{CHECKOUTS}/{placed['id']}", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_another_buyers_cart_cannot_be_checked_out(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    stranger = await register_buyer(client)

    response = await place(client, stranger, order_body(cart, await method_id(client)))

    assert response.status_code == 404


async def test_a_checkout_needs_a_login(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client))

    response = await client.post(CHECKOUTS, json=body, headers={"Idempotency-Key": "k"})

    assert response.status_code == 401


async def test_a_checkout_needs_an_idempotency_key(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])

    response = await client.post(
        CHECKOUTS, json=order_body(cart, await method_id(client)), headers=buyer.headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "Idempotency-Key"


async def test_an_empty_cart_cannot_be_checked_out(
    client: httpx.AsyncClient, buyer: AuthedUser
) -> None:
    cart = await buyer_cart(client, buyer)

    response = await place(client, buyer, order_body(cart, await method_id(client)))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_country_the_method_does_not_serve_is_refused_before_anything_is_held(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])

    response = await place(client, buyer, order_body(cart, await method_id(client), country="US"))

    assert response.status_code == 422
    again = await place(client, buyer, order_body(cart, await method_id(client)))
    assert again.json()["state"] == "COMPLETED"


async def test_a_payment_without_a_token_is_a_validation_error(
    client: httpx.AsyncClient, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client))
    body["payment"] = {"method": "card"}

    response = await place(client, buyer, body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"

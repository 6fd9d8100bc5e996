"""A guest cart opens with its token, a buyer's cart with that buyer's login; else 404."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser, register_buyer
from tests.support.cart import CARTS, buyer_cart, guest_cart


async def test_a_new_guest_cart_is_empty_and_shows_its_token_once(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(CARTS)
    assert response.status_code == 201
    body = response.json()
    assert body["items"] == [] and body["discounts"] == []
    assert body["totals"]["total"] == {"amount": 0, "currency": "EUR"}
    assert len(body["cart_token"]) >= 40
    read = await client.get(f"{CARTS}/{body['id']}", headers={"X-Cart-Token": body["cart_token"]})
    assert read.status_code == 200
    assert "cart_token" not in read.json()


async def test_a_guest_cart_is_hidden_without_its_token(client: httpx.AsyncClient) -> None:
    cart = await guest_cart(client)
    assert (await client.get(cart.url)).status_code == 404
    wrong = await client.get(cart.url, headers={"X-Cart-Token": "not-the-token"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "NOT_FOUND"
    other = await guest_cart(client)
    assert (await client.get(cart.url, headers=other.headers)).status_code == 404


async def test_a_buyers_cart_opens_for_that_buyer_only(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    buyer, stranger = await register_buyer(client), await register_buyer(client)
    cart = await buyer_cart(client, buyer)
    assert (await client.get(cart.url, headers=buyer.headers)).status_code == 200
    assert (await client.get(cart.url, headers=stranger.headers)).status_code == 404
    assert (await client.get(cart.url)).status_code == 404
    item = await client.post(
        f"{cart.url}/items",
        json={"variant_id": "0190d5e0-0000-7000-8000-000000000000"},
        headers=stranger.headers,
    )
    assert item.status_code == 404
    assert item.json()["error"]["message"] == "Cart not found"


async def test_a_malformed_cart_id_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{CARTS}/nope", headers={"X-Cart-Token": "x"})
    assert response.status_code == 404

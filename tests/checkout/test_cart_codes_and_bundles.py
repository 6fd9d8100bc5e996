"""A checkout charges what the cart showed: its discount codes and its bundles included."""

from __future__ import annotations

from typing import Any

import httpx

from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import buyer_cart, read_cart
from tests.support.checkout import (
    Shop,
    filled_cart,
    method_id,
    order_body,
    payment_of,
    place,
)

ADMIN = "/api/v1/admin"


async def _admin_post(
    client: httpx.AsyncClient, admin: AuthedUser, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{ADMIN}/{path}", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _order(client: httpx.AsyncClient, buyer: AuthedUser, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/store/orders/{order_id}", headers=buyer.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_code_on_the_cart_is_charged_kept_in_the_order_and_counted(
    client: httpx.AsyncClient, runtime: Runtime, admin: AuthedUser, shop: Shop, buyer: AuthedUser
) -> None:
    rule = await _admin_post(
        client,
        admin,
        "discounts",
        {"name": "Ten off", "kind": "percentage", "percent": "10", "code": "TEN"},
    )
    cart = await filled_cart(client, buyer, [(shop.variant(0), 2)])
    entered = await client.post(f"{cart.url}/discounts", json={"code": "ten"}, headers=cart.headers)
    assert entered.status_code == 201, entered.text
    shown = await read_cart(client, cart)

    placed = (await place(client, buyer, order_body(cart, await method_id(client)))).json()

    assert placed["state"] == "COMPLETED", placed
    order = await _order(client, buyer, placed["order_id"])
    assert order["totals"]["discount"] == shown["totals"]["discount"]
    assert order["totals"]["discount"]["amount"] == 400  # 10 % of 2 x 19.99, half-up
    payment = await payment_of(runtime, placed["id"])
    assert payment is not None and payment.amount.amount == order["totals"]["total"]["amount"]
    used = (await client.get(f"{ADMIN}/discounts/{rule['id']}", headers=admin.headers)).json()
    assert used["used"] == 1


async def test_a_bundle_in_the_cart_is_charged_at_the_bundles_price(
    client: httpx.AsyncClient, runtime: Runtime, admin: AuthedUser, shop: Shop, buyer: AuthedUser
) -> None:
    bundle = await _admin_post(
        client,
        admin,
        "bundles",
        {
            "title": "Both comics",
            "pricing": "fixed",
            "price": {"amount": 3000, "currency": "EUR"},
            "sets": [
                {"title": "First", "variant_ids": [shop.variant(0)]},
                {"title": "Second", "variant_ids": [shop.variant(1)]},
            ],
        },
    )
    cart = await buyer_cart(client, buyer)
    choices = [{"set_id": bundle["sets"][n]["id"], "variant_id": shop.variant(n)} for n in range(2)]
    added = await client.post(
        f"{cart.url}/bundles",
        json={"bundle_id": bundle["id"], "choices": choices},
        headers=cart.headers,
    )
    assert added.status_code == 201, added.text

    placed = (await place(client, buyer, order_body(cart, await method_id(client)))).json()

    assert placed["state"] == "COMPLETED", placed
    order = await _order(client, buyer, placed["order_id"])
    assert order["totals"]["subtotal"]["amount"] == 3000
    assert len(order["fulfillments"]) == 2
    payment = await payment_of(runtime, placed["id"])
    assert payment is not None and payment.amount.amount == order["totals"]["total"]["amount"]

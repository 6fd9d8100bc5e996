"""Builders for cart tests: guest and buyer carts, items, and what the store says is left.

cart = await guest_cart(client)
response = await add_item(client, cart, variant_id, quantity=2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.auth import AuthedUser

CARTS = "/api/v1/store/carts"


@dataclass(frozen=True)
class CartHandle:
    """A cart and the headers that open it (its token for a guest, the login for a buyer)."""

    id: str
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None

    @property
    def url(self) -> str:
        return f"{CARTS}/{self.id}"


async def guest_cart(client: httpx.AsyncClient) -> CartHandle:
    """A new guest cart through POST /store/carts."""
    response = await client.post(CARTS)
    assert response.status_code == 201, response.text
    body = response.json()
    return CartHandle(body["id"], {"X-Cart-Token": body["cart_token"]}, body["cart_token"])


async def buyer_cart(client: httpx.AsyncClient, buyer: AuthedUser) -> CartHandle:
    """A new cart of a signed-in buyer."""
    response = await client.post(CARTS, headers=buyer.headers)
    assert response.status_code == 201, response.text
    return CartHandle(response.json()["id"], buyer.headers)


async def add_item(
    client: httpx.AsyncClient, cart: CartHandle, variant_id: str, quantity: int = 1
) -> httpx.Response:
    """POST an item to the cart; the response as it came."""
    return await client.post(
        f"{cart.url}/items",
        json={"variant_id": variant_id, "quantity": quantity},
        headers=cart.headers,
    )


async def read_cart(client: httpx.AsyncClient, cart: CartHandle) -> dict[str, Any]:
    response = await client.get(cart.url, headers=cart.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def available(client: httpx.AsyncClient, product: dict[str, Any], index: int = 0) -> int:
    """What the store shows as available of the product's variant at index."""
    detail = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    return int(detail["variants"][index]["available"])

"""Builders for checkout tests: a shop with two vendors, a buyer's filled cart, a checkout.

shop = await two_vendor_shop(client, admin)
cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])
response = await place(client, buyer, order_body(cart, await method_id(client)))
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from emporium.contexts import inventory, orders, payments
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel import saga
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import CartHandle, add_item, buyer_cart
from tests.support.catalog import approved_seller, published_product, variant

CHECKOUTS = "/api/v1/store/checkouts"


@dataclass(frozen=True)
class Shop:
    """Two approved vendors, each with one published product of one variant."""

    sellers: tuple[AuthedUser, ...]
    products: tuple[dict[str, Any], ...]

    def variant(self, index: int) -> str:
        return str(self.products[index]["variants"][0]["id"])


async def two_vendor_shop(
    client: httpx.AsyncClient, admin: AuthedUser, *, stock: int = 5, unique_first: bool = False
) -> Shop:
    sellers, products = [], []
    for n in range(2):
        seller = await approved_seller(
            client, admin, vendor_name=f"Vendor {n} {uuid.uuid4().hex[:6]}"
        )
        body = variant(
            stock=1 if (unique_first and n == 0) else stock, unique=unique_first and n == 0
        )
        product = await published_product(client, seller, title=f"Comic {n}", variants=[body])
        sellers.append(seller)
        products.append(product)
    return Shop(tuple(sellers), tuple(products))


async def filled_cart(
    client: httpx.AsyncClient, buyer: AuthedUser, items: list[tuple[str, int]]
) -> CartHandle:
    cart = await buyer_cart(client, buyer)
    for variant_id, quantity in items:
        response = await add_item(client, cart, variant_id, quantity)
        assert response.status_code == 201, response.text
    return cart


async def method_id(client: httpx.AsyncClient, country: str = "DE") -> str:
    """The seeded "EU Standard" method."""
    response = await client.get("/api/v1/store/shipping-methods", params={"country": country})
    assert response.status_code == 200, response.text
    return str(response.json()["items"][0]["id"])


def order_body(
    cart: CartHandle,
    shipping_method_id: str,
    *,
    token: str | None = "tok_visa",
    postal_code: str = "10115",
    country: str = "DE",
) -> dict[str, Any]:
    payment = {"method": "card", "token": token} if token else {"method": "wallet"}
    return {
        "cart_id": cart.id,
        "shipping_address": {
            "name": "Ada Buyer",
            "line1": "Hauptstr. 1",
            "city": "Berlin",
            "postal_code": postal_code,
            "country": country,
        },
        "shipping_method_id": shipping_method_id,
        "payment": payment,
    }


async def place(
    client: httpx.AsyncClient, buyer: AuthedUser, body: dict[str, Any], *, key: str | None = None
) -> httpx.Response:
    """POST /store/checkouts with an Idempotency-Key (a new one unless given)."""
    headers = {**buyer.headers, "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(CHECKOUTS, json=body, headers=headers)


async def read_checkout(
    client: httpx.AsyncClient, buyer: AuthedUser, checkout_id: str
) -> dict[str, Any]:
    response = await client.get(f"{CHECKOUTS}/{checkout_id}", headers=buyer.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def stock(runtime: Runtime, variant_id: str) -> tuple[int, int]:
    """(on hand, reserved) of a variant."""
    async with runtime.db.read() as session:
        found = await inventory.availability(session, [uuid.UUID(variant_id)])
    level = found[uuid.UUID(variant_id)]
    return level.on_hand, level.reserved


async def settle(runtime: Runtime) -> None:
    """Deliver events, run due jobs (webhooks, deadlines), let woken sagas finish; until still."""
    webhooks = runtime.services.get(payments.SANDBOX_WEBHOOKS)
    while True:
        moved = await dispatch_until_idle(runtime) + await run_due_jobs(runtime)
        if isinstance(webhooks, SandboxWebhooks):
            await webhooks.drain()
        await saga.drain(runtime)
        if not moved:
            return


async def payment_of(runtime: Runtime, checkout_id: str) -> payments.PaymentOutcome | None:
    async with runtime.db.read() as session:
        return await payments.payment_for(session, uuid.UUID(checkout_id))


async def order_status(runtime: Runtime, order_id: str) -> str:
    async with runtime.db.read() as session:
        view = await orders.get_order_view(session, uuid.UUID(order_id))
    assert view is not None
    return view.status

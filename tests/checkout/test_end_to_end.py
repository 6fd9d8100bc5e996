"""Through HTTP only: browse, cart, checkout, the seller ships, the carrier delivers, it arrives.

Between requests the test runs the worker's part (events, jobs) as `emporium worker` would.
"""

from __future__ import annotations

import httpx

from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer
from tests.support.catalog import approved_seller, published_product, variant
from tests.support.checkout import CHECKOUTS, method_id, settle

STORE = "/api/v1/store"


async def test_a_buyer_orders_a_comic_and_sees_it_delivered(
    client: httpx.AsyncClient,
    runtime: Runtime,
    admin: AuthedUser,
    sandbox_webhooks: SandboxWebhooks,
) -> None:
    seller = await approved_seller(client, admin, vendor_name="Golden Age Comics")
    await published_product(client, seller, title="Detective Comics #27", variants=[variant()])
    buyer = await register_buyer(client)

    listing = (await client.get(f"{STORE}/products", params={"limit": 10})).json()
    product = next(p for p in listing["items"] if p["title"] == "Detective Comics #27")
    detail = (await client.get(f"{STORE}/products/{product['id']}")).json()
    cart = (await client.post(f"{STORE}/carts", headers=buyer.headers)).json()
    added = await client.post(
        f"{STORE}/carts/{cart['id']}/items",
        json={"variant_id": detail["variants"][0]["id"], "quantity": 1},
        headers=buyer.headers,
    )
    assert added.status_code == 201, added.text

    placed = await client.post(
        CHECKOUTS,
        json={
            "cart_id": cart["id"],
            "shipping_address": {
                "name": "Ada Buyer",
                "line1": "Hauptstr. 1",
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DE",
            },
            "shipping_method_id": await method_id(client),
            "payment": {"method": "card", "token": "tok_visa"},
        },
        headers={**buyer.headers, "Idempotency-Key": "e2e-1"},
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    await settle(runtime)

    [fulfillment] = (
        await client.get("/api/v1/seller/fulfillments", headers=seller.headers)
    ).json()["items"]
    shipped = await client.post(
        f"/api/v1/seller/fulfillments/{fulfillment['id']}/ship", json={}, headers=seller.headers
    )
    assert shipped.status_code == 200, shipped.text
    await settle(runtime)
    order = (await client.get(f"{STORE}/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "shipped"
    tracking = order["fulfillments"][0]["shipment"]["tracking_number"]

    scanned = await client.post(
        f"/api/v1/shipping/sandbox/shipments/{tracking}/advance", json={"status": "delivered"}
    )
    assert scanned.status_code == 200, scanned.text
    await settle(runtime)

    order = (await client.get(f"{STORE}/orders/{order_id}", headers=buyer.headers)).json()
    assert order["status"] == "delivered"
    assert order["fulfillments"][0]["status"] == "delivered"
    assert order["fulfillments"][0]["shipment"]["status"] == "delivered"

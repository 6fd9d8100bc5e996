"""What the checkout charges is what it priced; a discount's last use and an archived item."""

from __future__ import annotations

import httpx

from emporium.contexts import payments
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer
from tests.support.checkout import (
    Shop,
    filled_cart,
    method_id,
    order_body,
    payment_of,
    place,
    read_checkout,
    settle,
    stock,
)

ADMIN = "/api/v1/admin"


async def last_use_discount(client: httpx.AsyncClient, admin: AuthedUser) -> dict[str, object]:
    body = {"name": "First buyer only", "kind": "percentage", "percent": "10", "usage_limit": 1}
    response = await client.post(f"{ADMIN}/discounts", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    rule: dict[str, object] = response.json()
    return rule


async def test_an_automatic_discount_is_charged_and_redeemed_with_the_order(
    client: httpx.AsyncClient, runtime: Runtime, admin: AuthedUser, shop: Shop, buyer: AuthedUser
) -> None:
    rule = await last_use_discount(client, admin)
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])

    placed = (await place(client, buyer, order_body(cart, await method_id(client)))).json()

    assert placed["state"] == "COMPLETED", placed
    payment = await payment_of(runtime, placed["id"])
    assert payment is not None
    # 19.99 less 10 % (2.00, half-up), plus 4.90 shipping.
    assert payment.amount.amount == 1999 - 200 + 490
    read = (await client.get(f"{ADMIN}/discounts/{rule['id']}", headers=admin.headers)).json()
    assert read["used"] == 1


async def test_a_discount_used_up_during_payment_fails_the_checkout_and_refunds_it(
    client: httpx.AsyncClient,
    runtime: Runtime,
    admin: AuthedUser,
    shop: Shop,
    buyer: AuthedUser,
    sandbox_webhooks: SandboxWebhooks,
) -> None:
    await last_use_discount(client, admin)
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    body = order_body(cart, await method_id(client), token="tok_threeDSecure")
    pending = (await place(client, buyer, body)).json()
    rival = await register_buyer(client)
    rival_cart = await filled_cart(client, rival, [(shop.variant(1), 1)])
    first = await place(client, rival, order_body(rival_cart, await method_id(client)))
    assert first.json()["state"] == "COMPLETED"

    reference = pending["payment"]["reference"]
    await client.post(
        f"/api/v1/payments/sandbox/payments/{reference}/complete", json={"outcome": "succeeded"}
    )
    await settle(runtime)

    read = await read_checkout(client, buyer, pending["id"])
    assert read["state"] == "FAILED"
    assert read["failure"]["code"] == "DISCOUNT_NOT_APPLICABLE"
    payment = await payment_of(runtime, pending["id"])
    assert payment is not None and payment.status is payments.PaymentStatus.REFUNDED
    assert await stock(runtime, shop.variant(0)) == (5, 0)


async def test_an_item_archived_before_checkout_fails_it_without_a_charge(
    client: httpx.AsyncClient, runtime: Runtime, shop: Shop, buyer: AuthedUser
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1)])
    archived = await client.post(
        f"/api/v1/seller/products/{shop.products[0]['id']}/archive",
        headers=shop.sellers[0].headers,
    )
    assert archived.status_code == 200, archived.text

    body = (await place(client, buyer, order_body(cart, await method_id(client)))).json()

    assert body["state"] == "FAILED"
    assert body["failure"]["code"] == "CONFLICT"
    assert await payment_of(runtime, body["id"]) is None

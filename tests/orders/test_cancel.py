"""The buyer cancels before anything shipped: refunded, restocked, discount use given back."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from emporium.contexts import shipping, wallet
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.pricing.support import discount
from tests.support.auth import AuthedUser, register_buyer
from tests.support.cart import available
from tests.support.orders import (
    book_shipments,
    confirmed,
    paid_order,
    payment_of,
    place,
    stocked_item,
)
from tests.support.webhooks import events_of
from tests.wallet.builders import assert_books_balance, fund_wallet

STORE = "/api/v1/store/orders"


async def test_cancelling_refunds_the_payment_in_full(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 2)], shipping=490)

    response = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["refunds"][0]["status"] == "succeeded"
    payment = await payment_of(runtime, order.id)
    assert payment.refunded.amount == 2 * 1999 + 490
    assert payment.status.value == "refunded"


async def test_cancelling_puts_the_units_back_on_sale(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin, stock=5)
    order = await paid_order(runtime, buyer.id, [(item, 2)])

    await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    product = (await client.get(f"/api/v1/store/products/{item.product_id}")).json()
    assert await available(client, product) == 5


async def test_cancelling_gives_the_discount_use_back(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    rule = await discount(client, admin, kind="percentage", percent="10", usage_limit=1)
    rule_id = uuid.UUID(rule["id"])
    order = await paid_order(runtime, buyer.id, [(item, 1)], discount_rule_ids=(rule_id,))

    await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    read = await client.get(f"/api/v1/admin/discounts/{rule_id}", headers=admin.headers)
    assert read.json()["used"] == 0
    assert len(await events_of(runtime, "pricing.discount_redemption_released")) == 1


async def test_cancelling_cancels_the_booked_shipments(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    [booked] = (await book_shipments(runtime, order)).values()

    await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    async with runtime.db.read() as session:
        shipment = await shipping.get_shipment(session, booked.id)
    assert shipment is not None and shipment.status is shipping.ShipmentStatus.CANCELLED


async def test_cancelling_twice_refunds_once(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    first = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)
    again = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert len(again.json()["refunds"]) == 1
    assert (await payment_of(runtime, order.id)).refunded.amount == 1999
    assert len(await events_of(runtime, "orders.order_cancelled")) == 1


async def test_an_order_with_a_shipped_parcel_cannot_be_cancelled(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    comics, posters = await stocked_item(client, admin), await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(comics, 1), (posters, 1)])
    await client.post(
        f"/api/v1/seller/fulfillments/{order.fulfillments[comics.vendor_id]}/ship",
        json={},
        headers=comics.seller.headers,
    )

    response = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    assert (await payment_of(runtime, order.id)).refunded.amount == 0


async def test_an_order_still_being_paid_for_cannot_be_cancelled_by_the_buyer(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await place(runtime, buyer.id, [(item, 1)])

    response = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    assert response.status_code == 409


@pytest.mark.parametrize("verb", ["get", "cancel"])
async def test_another_buyers_order_is_not_found(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser, verb: str
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    stranger = await register_buyer(client)

    if verb == "get":
        response = await client.get(f"{STORE}/{order.id}", headers=stranger.headers)
    else:
        response = await client.post(f"{STORE}/{order.id}/cancel", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_cancelling_a_wallet_paid_order_puts_the_money_back_in_the_wallet(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    await fund_wallet(runtime, buyer.id, Money(5000, "EUR"))
    checkout_id = uuid.uuid4()
    async with runtime.uow() as uow:
        await wallet.pay_from_wallet(
            uow,
            buyer_id=buyer.id,
            amount=Money(1999, "EUR"),
            cause=wallet.Cause.of("checkout", checkout_id),
        )
        await uow.commit()
    order = await place(
        runtime, buyer.id, [(item, 1)], checkout_id=checkout_id, payment_method="wallet"
    )
    await confirmed(runtime, order.id)

    response = await client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers)

    assert response.json()["refunds"][0]["status"] == "succeeded"
    balance = await client.get("/api/v1/store/wallet", headers=buyer.headers)
    assert balance.json()["balance"] == {"amount": 5000, "currency": "EUR"}
    await assert_books_balance(runtime)


async def test_of_a_cancel_and_a_shipment_at_once_exactly_one_wins(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    fulfillment = order.fulfillments[item.vendor_id]

    cancel, ship = await asyncio.gather(
        client.post(f"{STORE}/{order.id}/cancel", headers=buyer.headers),
        client.post(
            f"/api/v1/seller/fulfillments/{fulfillment}/ship",
            json={},
            headers=item.seller.headers,
        ),
    )

    assert sorted([cancel.status_code, ship.status_code]) == [200, 409]
    body = (await client.get(f"{STORE}/{order.id}", headers=buyer.headers)).json()
    refunded = (await payment_of(runtime, order.id)).refunded.amount
    if cancel.status_code == 200:
        assert (body["status"], body["fulfillments"][0]["status"], refunded) == (
            "cancelled",
            "cancelled",
            1999,
        )
    else:
        assert (body["status"], body["fulfillments"][0]["status"], refunded) == (
            "shipped",
            "shipped",
            0,
        )

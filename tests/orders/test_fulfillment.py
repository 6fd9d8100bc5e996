"""Sellers ship their own fulfillments; the carrier's scans and the buyer move them on."""

from __future__ import annotations

import httpx
import pytest

from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.orders import book_shipments, paid_order, place, stocked_item
from tests.support.webhooks import events_of

SELLER = "/api/v1/seller/fulfillments"
STORE = "/api/v1/store/orders"


async def order_of(client: httpx.AsyncClient, buyer: AuthedUser, order_id: object) -> dict:
    response = await client.get(f"{STORE}/{order_id}", headers=buyer.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_order_follows_its_fulfillments_as_each_vendor_ships(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    comics, posters = await stocked_item(client, admin), await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(comics, 1), (posters, 1)])

    first = await client.post(
        f"{SELLER}/{order.fulfillments[comics.vendor_id]}/ship",
        json={"carrier": "sandbox", "tracking_number": "TRK-1"},
        headers=comics.seller.headers,
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "shipped"
    assert (await order_of(client, buyer, order.id))["status"] == "processing"

    await client.post(
        f"{SELLER}/{order.fulfillments[posters.vendor_id]}/ship",
        json={},
        headers=posters.seller.headers,
    )
    assert (await order_of(client, buyer, order.id))["status"] == "shipped"
    assert len(await events_of(runtime, "orders.fulfillment_shipped")) == 2


async def test_a_seller_cannot_see_or_ship_another_vendors_fulfillment(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    comics, posters = await stocked_item(client, admin), await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(comics, 1)])
    theirs = order.fulfillments[comics.vendor_id]

    read = await client.get(f"{SELLER}/{theirs}", headers=posters.seller.headers)
    ship = await client.post(f"{SELLER}/{theirs}/ship", json={}, headers=posters.seller.headers)
    listed = await client.get(SELLER, headers=posters.seller.headers)

    assert (read.status_code, ship.status_code) == (404, 404)
    assert listed.json()["items"] == []


async def test_a_seller_lists_their_fulfillments_by_status(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    shipped = await paid_order(runtime, buyer.id, [(item, 1)])
    waiting = await paid_order(runtime, buyer.id, [(item, 1)])
    to_ship = shipped.fulfillments[item.vendor_id]
    await client.post(f"{SELLER}/{to_ship}/ship", json={}, headers=item.seller.headers)

    response = await client.get(SELLER, params={"status": "pending"}, headers=item.seller.headers)

    assert [f["id"] for f in response.json()["items"]] == [
        str(waiting.fulfillments[item.vendor_id])
    ]


async def test_an_order_still_being_paid_for_cannot_be_shipped(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await place(runtime, buyer.id, [(item, 1)])

    response = await client.post(
        f"{SELLER}/{order.fulfillments[item.vendor_id]}/ship", json={}, headers=item.seller.headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"


@pytest.mark.usefixtures("carrier_reaches_app")
async def test_the_carriers_scans_deliver_the_fulfillment_and_the_order(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    [shipment] = (await book_shipments(runtime, order)).values()
    fulfillment = order.fulfillments[item.vendor_id]
    await client.post(f"{SELLER}/{fulfillment}/ship", json={}, headers=item.seller.headers)

    for status in ("in_transit", "delivered"):
        scanned = await client.post(
            f"/api/v1/shipping/sandbox/shipments/{shipment.tracking_number}/advance",
            json={"status": status},
        )
        assert scanned.status_code == 200, scanned.text
    await dispatch_until_idle(runtime)

    body = await order_of(client, buyer, order.id)
    assert body["status"] == "delivered"
    assert body["fulfillments"][0]["status"] == "delivered"
    assert body["fulfillments"][0]["shipment"]["status"] == "delivered"
    assert len(await events_of(runtime, "orders.order_delivered")) == 1


async def test_the_buyer_confirms_delivery_of_a_shipped_parcel(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    fulfillment = order.fulfillments[item.vendor_id]
    await client.post(f"{SELLER}/{fulfillment}/ship", json={}, headers=item.seller.headers)

    url = f"{STORE}/{order.id}/fulfillments/{fulfillment}/confirm-delivery"
    first = await client.post(url, headers=buyer.headers)
    again = await client.post(url, headers=buyer.headers)

    assert first.status_code == 200, first.text
    assert again.status_code == 200
    assert first.json()["status"] == "delivered"
    [confirmed] = await events_of(runtime, "orders.delivery_confirmed")
    assert confirmed.payload["order_id"] == str(order.id)
    assert confirmed.payload["fulfillment_id"] == str(fulfillment)
    assert confirmed.payload["vendor_id"] == str(item.vendor_id)


async def test_delivery_cannot_be_confirmed_before_the_parcel_shipped(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    fulfillment = order.fulfillments[item.vendor_id]

    response = await client.post(
        f"{STORE}/{order.id}/fulfillments/{fulfillment}/confirm-delivery", headers=buyer.headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"

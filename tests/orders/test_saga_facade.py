"""What the checkout saga calls after placing: confirm, attach shipments, cancel on failure."""

from __future__ import annotations

import httpx
import pytest

from emporium.contexts import orders
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import available
from tests.support.orders import book_shipments, confirmed, paid_order, place, stocked_item
from tests.support.webhooks import events_of


async def test_confirming_twice_confirms_once(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await place(runtime, buyer.id, [(item, 1)])

    await confirmed(runtime, order.id)
    await confirmed(runtime, order.id)

    assert len(await events_of(runtime, "orders.order_confirmed")) == 1


async def test_an_attached_shipment_shows_on_the_order(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    [booked] = (await book_shipments(runtime, order)).values()

    body = (await client.get(f"/api/v1/store/orders/{order.id}", headers=buyer.headers)).json()
    assert body["fulfillments"][0]["shipment"] == {
        "carrier": "sandbox",
        "tracking_number": booked.tracking_number,
        "status": "pending",
    }


async def test_a_failed_checkouts_order_is_cancelled_with_its_units_back_on_sale(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin, stock=3)
    order = await place(runtime, buyer.id, [(item, 2)])

    for _ in range(2):
        async with runtime.uow() as uow:
            await orders.cancel_order(uow, order_id=order.id, reason="carrier refused")
            await uow.commit()

    product = (await client.get(f"/api/v1/store/products/{item.product_id}")).json()
    assert await available(client, product) == 3
    async with runtime.db.read() as session:
        view = await orders.get_order_view(session, order.id)
    assert view is not None and view.status == "cancelled"
    assert [f.status for f in view.fulfillments] == ["cancelled"]


async def test_an_order_with_a_shipped_parcel_is_not_cancelled_by_the_saga(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    await client.post(
        f"/api/v1/seller/fulfillments/{order.fulfillments[item.vendor_id]}/ship",
        json={},
        headers=item.seller.headers,
    )

    async with runtime.uow() as uow:
        with pytest.raises(InvalidStateTransition):
            await orders.cancel_order(uow, order_id=order.id, reason="too late")

"""Placing an order: one per checkout, numbered, one fulfillment per vendor, units sold."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx

from emporium.contexts import orders
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import available
from tests.support.orders import place, stocked_item
from tests.support.webhooks import events_of


async def test_places_a_pending_order_with_one_fulfillment_per_vendor(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    comics, posters = await stocked_item(client, admin), await stocked_item(client, admin)

    placed = await place(runtime, buyer.id, [(comics, 2), (posters, 1)])

    assert placed.status == "pending"
    assert re.fullmatch(r"EMP-\d{4}-\d{6}", placed.number)
    assert set(placed.fulfillments) == {comics.vendor_id, posters.vendor_id}
    async with runtime.db.read() as session:
        view = await orders.get_order_view(session, placed.id)
    assert view is not None
    assert view.totals["total"].amount == 3 * 1999
    assert [f.status for f in view.fulfillments] == ["pending", "pending"]


async def test_sells_the_held_units_when_placing(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin, stock=5)

    await place(runtime, buyer.id, [(item, 2)])

    product = (await client.get(f"/api/v1/store/products/{item.product_id}")).json()
    assert await available(client, product) == 3


async def test_placing_the_same_checkout_again_returns_the_first_order(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    checkout_id = uuid.uuid4()
    first = await place(runtime, buyer.id, [(item, 1)], checkout_id=checkout_id)

    second = await place(runtime, buyer.id, [(item, 1)], checkout_id=checkout_id)

    assert second == first
    assert len(await events_of(runtime, "orders.order_placed")) == 1


async def test_numbers_are_unique_when_orders_are_placed_at_once(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin, stock=40)

    placed = await asyncio.gather(*(place(runtime, buyer.id, [(item, 1)]) for _ in range(20)))

    assert len({order.number for order in placed}) == 20

"""Buyers read their own orders; admins read and filter everyone's."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import event

from emporium.contexts import orders
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer
from tests.support.orders import paid_order, stocked_item

STORE = "/api/v1/store/orders"
ADMIN = "/api/v1/admin/orders"


async def test_a_buyer_lists_only_their_own_orders_newest_first(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    older = await paid_order(runtime, buyer.id, [(item, 1)])
    newer = await paid_order(runtime, buyer.id, [(item, 1)])
    stranger = await register_buyer(client)
    await paid_order(runtime, stranger.id, [(item, 1)])

    first = await client.get(STORE, params={"limit": 1}, headers=buyer.headers)
    second = await client.get(
        STORE, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=buyer.headers
    )

    assert [o["number"] for o in first.json()["items"]] == [newer.number]
    assert first.json()["items"][0]["totals"]["total"] == {"amount": 1999, "currency": "EUR"}
    assert [o["number"] for o in second.json()["items"]] == [older.number]
    assert second.json()["next_cursor"] is None


async def test_an_order_reads_as_the_contract_says(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 2)], shipping=490)

    body = (await client.get(f"{STORE}/{order.id}", headers=buyer.headers)).json()

    assert {"id", "number", "status", "items", "totals", "fulfillments", "created_at"} <= set(body)
    assert body["totals"]["total"] == {"amount": 2 * 1999 + 490, "currency": "EUR"}
    assert set(body["totals"]) == {"subtotal", "discount", "shipping", "vat", "total"}
    assert body["items"][0]["quantity"] == 2
    [fulfillment] = body["fulfillments"]
    assert fulfillment["vendor_id"] == str(item.vendor_id)
    assert fulfillment["status"] == "pending"
    assert fulfillment["shipment"] is None
    assert body["created_at"].endswith("Z")


async def test_an_admin_filters_orders_by_status_and_vendor(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    comics, posters = await stocked_item(client, admin), await stocked_item(client, admin)
    of_comics = await paid_order(runtime, buyer.id, [(comics, 1)])
    of_posters = await paid_order(runtime, buyer.id, [(posters, 1)])
    await client.post(f"{STORE}/{of_posters.id}/cancel", headers=buyer.headers)

    by_vendor = await client.get(
        ADMIN, params={"vendor_id": str(comics.vendor_id)}, headers=admin.headers
    )
    cancelled = await client.get(ADMIN, params={"status": "cancelled"}, headers=admin.headers)

    assert [o["id"] for o in by_vendor.json()["items"]] == [str(of_comics.id)]
    assert [o["id"] for o in cancelled.json()["items"]] == [str(of_posters.id)]


async def test_buyers_cannot_use_the_admin_order_routes(
    client: httpx.AsyncClient, buyer: AuthedUser
) -> None:
    response = await client.get(ADMIN, headers=buyer.headers)

    assert response.status_code == 403


async def _statements_to_read(runtime: Runtime, order_id: uuid.UUID) -> int:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with runtime.db.read() as session:
            assert await orders.get_order_view(session, order_id) is not None
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


async def test_reading_an_order_takes_as_many_queries_whatever_its_vendors(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    items = [await stocked_item(client, admin) for _ in range(3)]
    small = await paid_order(runtime, buyer.id, [(items[0], 1)])
    large = await paid_order(runtime, buyer.id, [(item, 2) for item in items])

    assert await _statements_to_read(runtime, large.id) == await _statements_to_read(
        runtime, small.id
    )

"""Sellers set and adjust stock with a reason; every change is history and an event."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from emporium.kernel.events import EventRecord
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, variant


async def _events(runtime: Runtime, type_: str) -> list[dict[str, object]]:
    async with runtime.db.read() as session:
        rows = await session.scalars(
            select(EventRecord).where(EventRecord.type == type_).order_by(EventRecord.position)
        )
        return [r.payload for r in rows]


async def test_sets_and_adjusts_stock_with_history(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller, variants=[variant(stock=5)])
    variant_id = product["variants"][0]["id"]
    url = f"/api/v1/seller/variants/{variant_id}/stock"
    response = await client.post(
        url, json={"delta": 3, "reason": "restock from supplier"}, headers=seller.headers
    )
    assert response.json() == {
        "variant_id": variant_id,
        "on_hand": 8,
        "reserved": 0,
        "available": 8,
        "low_stock_threshold": 0,
    }
    response = await client.post(
        url, json={"on_hand": 2, "reason": "stock count"}, headers=seller.headers
    )
    assert response.json()["on_hand"] == 2
    history = (await client.get(f"{url}/history", headers=seller.headers)).json()["items"]
    assert [(h["reason"], h["on_hand_before"], h["on_hand_after"]) for h in history] == [
        ("stock count", 8, 2),
        ("restock from supplier", 5, 8),
        ("initial stock", 0, 5),
    ]
    assert all(h["actor"].startswith("seller:") for h in history)
    adjusted = await _events(runtime, "inventory.stock_adjusted")
    assert [e["on_hand_after"] for e in adjusted] == [5, 8, 2]


async def test_low_and_out_of_stock_are_announced_when_crossed(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller, variants=[variant(stock=10)])
    url = f"/api/v1/seller/variants/{product['variants'][0]['id']}/stock"
    await client.post(
        url,
        json={"delta": 0, "reason": "set threshold", "low_stock_threshold": 3},
        headers=seller.headers,
    )
    await client.post(url, json={"delta": -8, "reason": "sold offline"}, headers=seller.headers)
    await client.post(url, json={"delta": -1, "reason": "sold offline"}, headers=seller.headers)
    await client.post(url, json={"delta": -1, "reason": "sold offline"}, headers=seller.headers)
    assert [e["available"] for e in await _events(runtime, "inventory.low_stock_detected")] == [2]
    assert len(await _events(runtime, "inventory.out_of_stock")) == 1


async def test_stock_cannot_go_negative(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller, variants=[variant(stock=1)])
    url = f"/api/v1/seller/variants/{product['variants'][0]['id']}/stock"
    response = await client.post(url, json={"delta": -2, "reason": "oops"}, headers=seller.headers)
    assert response.status_code == 422
    response = await client.post(url, json={"reason": "neither"}, headers=seller.headers)
    assert response.status_code == 422
    response = await client.post(
        url, json={"delta": 1, "on_hand": 1, "reason": "both"}, headers=seller.headers
    )
    assert response.status_code == 422

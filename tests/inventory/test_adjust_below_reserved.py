"""A seller cannot count stock below what buyers hold in their carts and checkouts."""

from __future__ import annotations

import httpx

from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import events, hold, stock
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, variant


async def test_stock_cannot_be_set_below_what_is_reserved(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller, variants=[variant(stock=5)])
    variant_id = parse_id(product["variants"][0]["id"])
    assert variant_id is not None
    await hold(runtime, variant_id, 3)
    url = f"/api/v1/seller/variants/{variant_id}/stock"
    refused = await client.post(
        url, json={"on_hand": 2, "reason": "stock count"}, headers=seller.headers
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["details"] == {
        "variant_id": str(variant_id),
        "requested_on_hand": 2,
        "reserved": 3,
    }
    allowed = await client.post(
        url, json={"delta": -2, "reason": "damaged"}, headers=seller.headers
    )
    assert allowed.json() == {
        "variant_id": str(variant_id),
        "on_hand": 3,
        "reserved": 3,
        "available": 0,
        "low_stock_threshold": 0,
    }
    history = (await client.get(f"{url}/history", headers=seller.headers)).json()["items"]
    assert [(h["reason"], h["reserved_after"]) for h in history] == [
        ("damaged", 3),
        ("initial stock", 0),
    ]
    assert [e["on_hand_after"] for e in await events(runtime, "inventory.stock_adjusted")] == [5, 3]
    assert len(await events(runtime, "inventory.out_of_stock")) == 1
    assert (await stock(runtime, variant_id)).on_hand == 3

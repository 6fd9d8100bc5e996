"""Many buyers at once, through the real app and database: stock is never promised twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from emporium.contexts import inventory
from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import add_item, guest_cart
from tests.support.catalog import graded_comic, published_product, variant

BUYERS = 200


async def _race(client: httpx.AsyncClient, variant_id: str) -> list[httpx.Response]:
    carts = await asyncio.gather(*(guest_cart(client) for _ in range(BUYERS)))
    return list(await asyncio.gather(*(add_item(client, cart, variant_id) for cart in carts)))


async def _reserved(runtime: Runtime, variant_id: str) -> int:
    key = parse_id(variant_id)
    assert key is not None
    async with runtime.db.read() as session:
        return (await inventory.availability(session, [key]))[key].reserved


async def test_only_one_of_many_simultaneous_buyers_gets_a_unique_item(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime
) -> None:
    product = await published_product(client, seller, variants=[graded_comic()])
    variant_id = product["variants"][0]["id"]
    responses = await _race(client, variant_id)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: BUYERS - 1}
    refused = {r.json()["error"]["code"] for r in responses if r.status_code == 409}
    assert refused == {"INSUFFICIENT_INVENTORY"}
    assert await _reserved(runtime, variant_id) == 1


async def test_simultaneous_buyers_never_get_more_than_the_stock(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=10)])
    variant_id = product["variants"][0]["id"]
    responses = await _race(client, variant_id)
    assert Counter(r.status_code for r in responses) == {201: 10, 409: BUYERS - 10}
    assert await _reserved(runtime, variant_id) == 10

"""At login a guest cart joins the buyer's: lines keep their holds, no unit lost or doubled."""

from __future__ import annotations

from typing import Any

import httpx

from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.inventory.builders import events
from tests.support.auth import AUTH, AuthedUser, register_buyer
from tests.support.cart import CartHandle, add_item, available, buyer_cart, guest_cart, read_cart
from tests.support.catalog import graded_comic, published_product, variant


async def _log_in(client: httpx.AsyncClient, buyer: AuthedUser, guest: CartHandle) -> None:
    response = await client.post(
        f"{AUTH}/login",
        json={"email": buyer.email, "password": buyer.password},
        headers=guest.headers,
    )
    client.cookies.delete("access_token")
    assert response.status_code == 200, response.text


def _lines(cart: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {i["variant_id"]: (i["quantity"], i["expired"]) for i in cart["items"]}


async def test_logging_in_moves_the_guest_lines_with_their_holds(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3), graded_comic()])
    stocked, comic = (v["id"] for v in product["variants"])
    buyer = await register_buyer(client)
    mine = await buyer_cart(client, buyer)
    await add_item(client, mine, stocked, quantity=1)
    guest = await guest_cart(client)
    guest_item = (await add_item(client, guest, comic)).json()
    await _log_in(client, buyer, guest)
    merged = await read_cart(client, mine)
    assert _lines(merged) == {stocked: (1, False), comic: (1, False)}
    assert guest_item["id"] in {i["id"] for i in merged["items"]}
    assert (await available(client, product, 0), await available(client, product, 1)) == (2, 0)
    # Moved, not released and taken again: no other buyer could have slipped in.
    assert await events(runtime, "inventory.released") == []
    assert (await read_cart(client, guest))["status"] == "merged"
    assert (await add_item(client, guest, stocked)).status_code == 409


async def test_the_same_variant_in_both_carts_becomes_one_line_holding_the_sum(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=5)])
    variant_id = product["variants"][0]["id"]
    buyer = await register_buyer(client)
    mine, guest = await buyer_cart(client, buyer), await guest_cart(client)
    await add_item(client, mine, variant_id, quantity=2)
    await add_item(client, guest, variant_id, quantity=3)
    await _log_in(client, buyer, guest)
    assert _lines(await read_cart(client, mine)) == {variant_id: (5, False)}
    assert await available(client, product) == 0


async def test_a_sum_the_stock_cannot_cover_keeps_what_is_held_and_reports_the_rest(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    variant_id = product["variants"][0]["id"]
    buyer = await register_buyer(client)
    mine, guest = await buyer_cart(client, buyer), await guest_cart(client)
    await add_item(client, mine, variant_id, quantity=2)
    clock.advance(minutes=5)
    await run_due_jobs(runtime)  # the buyer's own hold ran out ...
    await add_item(client, guest, variant_id, quantity=2)
    await add_item(client, await guest_cart(client), variant_id, quantity=1)  # ... and went
    response = await client.post(f"{guest.url}/merge", headers={**buyer.headers, **guest.headers})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == mine.id
    assert _lines(body) == {variant_id: (2, False)}
    assert body["conflicts"] == [
        {"variant_id": variant_id, "requested": 4, "quantity": 2, "reserved": 2}
    ]
    assert await available(client, product) == 0
    (merged,) = await events(runtime, "cart.merged")
    assert merged["conflicts"] == [
        {"variant_id": variant_id, "requested": 4, "quantity": 2, "reserved": 2}
    ]


async def test_a_buyer_without_a_cart_takes_the_guest_cart_over(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    buyer = await register_buyer(client)
    guest = await guest_cart(client)
    await add_item(client, guest, product["variants"][0]["id"])
    await _log_in(client, buyer, guest)
    as_buyer = await client.get(guest.url, headers=buyer.headers)
    assert as_buyer.status_code == 200
    assert as_buyer.json()["status"] == "active"
    assert (await client.get(guest.url, headers=guest.headers)).status_code == 404


async def test_logging_in_without_a_cart_token_changes_no_cart(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    buyer = await register_buyer(client)
    guest = await guest_cart(client)
    await _log_in(client, buyer, CartHandle(guest.id, {"X-Cart-Token": "someone-elses"}))
    assert (await read_cart(client, guest))["status"] == "active"


async def test_merging_needs_the_guest_carts_token(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    buyer = await register_buyer(client)
    guest = await guest_cart(client)
    response = await client.post(f"{guest.url}/merge", headers=buyer.headers)
    assert response.status_code == 404
    anonymous = await client.post(f"{guest.url}/merge", headers=guest.headers)
    assert anonymous.status_code == 401

"""A line whose hold ran out says so, and is reserved again when changed if stock allows."""

from __future__ import annotations

import httpx

from emporium.kernel.clock import FakeClock
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.cart import add_item, available, guest_cart, read_cart
from tests.support.catalog import graded_comic, published_product, variant


async def test_a_line_whose_hold_expired_shows_it_and_its_stock_is_back(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    cart = await guest_cart(client)
    await add_item(client, cart, product["variants"][0]["id"], quantity=2)
    clock.advance(minutes=5)
    await run_due_jobs(runtime)
    (item,) = (await read_cart(client, cart))["items"]
    assert item["expired"] is True
    assert item["reserved_until"] == "2026-01-15T10:05:00Z"
    assert item["quantity"] == 2
    assert await available(client, product) == 3


async def test_a_line_past_its_time_shows_expired_before_any_timer_runs(
    client: httpx.AsyncClient, seller: AuthedUser, clock: FakeClock
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    cart = await guest_cart(client)
    await add_item(client, cart, product["variants"][0]["id"])
    clock.advance(minutes=6)
    assert (await read_cart(client, cart))["items"][0]["expired"] is True


async def test_changing_an_expired_line_reserves_it_again(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    cart = await guest_cart(client)
    item = (await add_item(client, cart, product["variants"][0]["id"])).json()
    clock.advance(minutes=5)
    await run_due_jobs(runtime)
    response = await client.patch(
        f"{cart.url}/items/{item['id']}", json={"quantity": 2}, headers=cart.headers
    )
    assert response.status_code == 200
    assert response.json()["expired"] is False
    assert response.json()["reserved_until"] == "2026-01-15T10:10:00Z"
    assert await available(client, product) == 1


async def test_an_expired_line_whose_stock_went_to_another_buyer_cannot_be_renewed(
    client: httpx.AsyncClient, seller: AuthedUser, clock: FakeClock
) -> None:
    product = await published_product(client, seller, variants=[graded_comic()])
    variant_id = product["variants"][0]["id"]
    slow = await guest_cart(client)
    item = (await add_item(client, slow, variant_id)).json()
    clock.advance(minutes=6)  # the timer is late; the next buyer reclaims the comic anyway
    assert (await add_item(client, await guest_cart(client), variant_id)).status_code == 201
    response = await client.patch(
        f"{slow.url}/items/{item['id']}", json={"quantity": 1}, headers=slow.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INSUFFICIENT_INVENTORY"
    assert (await read_cart(client, slow))["items"][0]["expired"] is True


async def test_an_archived_products_line_is_unavailable_and_its_hold_is_given_back(
    client: httpx.AsyncClient, seller: AuthedUser, runtime: Runtime
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=3)])
    cart = await guest_cart(client)
    await add_item(client, cart, product["variants"][0]["id"], quantity=2)
    response = await client.post(
        f"/api/v1/seller/products/{product['id']}/archive", headers=seller.headers
    )
    assert response.status_code == 200
    await dispatch_until_idle(runtime)
    body = await read_cart(client, cart)
    (item,) = body["items"]
    assert item["purchasable"] is False and item["expired"] is True
    assert item["unit_price"] is None
    assert body["totals"]["total"]["amount"] == 0
    seller_view = await client.get(
        f"/api/v1/seller/variants/{product['variants'][0]['id']}/stock", headers=seller.headers
    )
    assert seller_view.json()["reserved"] == 0

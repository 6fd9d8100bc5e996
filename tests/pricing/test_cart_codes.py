"""Discount codes on a cart: entered only when they apply, priced on every read, removable."""

from __future__ import annotations

from typing import Any

import httpx

from tests.pricing.conftest import Shop
from tests.pricing.support import cents, discount, preview
from tests.support.auth import AuthedUser, register_buyer
from tests.support.cart import CartHandle, add_item, buyer_cart, guest_cart, read_cart


async def _cart_with(client: httpx.AsyncClient, *items: tuple[str, int]) -> CartHandle:
    cart = await guest_cart(client)
    for variant_id, quantity in items:
        response = await add_item(client, cart, variant_id, quantity)
        assert response.status_code == 201, response.text
    return cart


async def _enter(client: httpx.AsyncClient, cart: CartHandle, code: str) -> httpx.Response:
    return await client.post(f"{cart.url}/discounts", json={"code": code}, headers=cart.headers)


def _entry(cart: dict[str, Any], code: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in cart["discounts"] if d["code"] == code)
    return found


async def test_a_code_that_applies_takes_its_share_off_the_cart(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    cart = await _cart_with(client, (shop.comic.variant_id, 2))
    response = await _enter(client, cart, "saga10")
    assert response.status_code == 201, response.text
    body = response.json()
    assert cents(body["totals"]["subtotal"]) == 2380
    assert cents(body["totals"]["discount"]) == 238
    assert cents(body["totals"]["total"]) == 2142
    assert _entry(body, "SAGA10")["applied"] is True
    assert cents(body["items"][0]["discount"]) == 238


async def test_an_unknown_code_is_refused_and_the_cart_stays_as_it_was(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    cart = await _cart_with(client, (shop.comic.variant_id, 1))
    response = await _enter(client, cart, "NOPE")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "DISCOUNT_NOT_APPLICABLE"
    assert error["details"]["reason"] == "unknown_code"
    assert (await read_cart(client, cart))["discounts"] == []


async def test_a_code_whose_minimum_is_not_met_is_refused_with_the_reason(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(
        client,
        admin,
        kind="fixed",
        amount={"amount": 500, "currency": "EUR"},
        code="BIG5",
        min_subtotal={"amount": 5000, "currency": "EUR"},
    )
    cart = await _cart_with(client, (shop.comic.variant_id, 1))
    response = await _enter(client, cart, "BIG5")
    assert response.status_code == 409
    assert response.json()["error"]["details"]["reason"] == "min_subtotal_not_met"


async def test_a_code_that_stops_applying_stays_on_the_cart_and_says_why(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(
        client,
        admin,
        kind="fixed",
        amount={"amount": 500, "currency": "EUR"},
        code="GAME5",
        conditions={"product_ids": [shop.game.product_id]},
    )
    cart = await _cart_with(client, (shop.game.variant_id, 1), (shop.comic.variant_id, 1))
    assert (await _enter(client, cart, "GAME5")).status_code == 201
    game_line = next(
        i
        for i in (await read_cart(client, cart))["items"]
        if i["variant_id"] == shop.game.variant_id
    )
    removed = await client.delete(f"{cart.url}/items/{game_line['id']}", headers=cart.headers)
    assert removed.status_code == 204
    body = await read_cart(client, cart)
    entry = _entry(body, "GAME5")
    assert (entry["applied"], entry["reason"]) == (False, "no_matching_items")
    assert cents(body["totals"]["discount"]) == 0
    assert (await add_item(client, cart, shop.game.variant_id)).status_code == 201
    assert _entry(await read_cart(client, cart), "GAME5")["applied"] is True


async def test_removing_a_code_gives_the_full_price_back(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    cart = await _cart_with(client, (shop.comic.variant_id, 1))
    await _enter(client, cart, "SAGA10")
    response = await client.delete(f"{cart.url}/discounts/saga10", headers=cart.headers)
    assert response.status_code == 200, response.text
    assert cents(response.json()["totals"]["total"]) == 1190
    again = await client.delete(f"{cart.url}/discounts/SAGA10", headers=cart.headers)
    assert again.status_code == 404


async def test_entering_a_code_twice_keeps_it_once(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    cart = await _cart_with(client, (shop.comic.variant_id, 1))
    await _enter(client, cart, "SAGA10")
    second = await _enter(client, cart, "Saga10")
    assert second.status_code == 201
    assert [d["code"] for d in second.json()["discounts"]] == ["SAGA10"]


async def test_automatic_rules_show_on_the_cart_without_a_code(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    rule = await discount(client, admin, name="Winter sale", kind="percentage", percent="5")
    body = await read_cart(client, await _cart_with(client, (shop.game.variant_id, 1)))
    assert [(d["rule_id"], d["code"], d["applied"]) for d in body["discounts"]] == [
        (rule["id"], None, True)
    ]
    assert cents(body["totals"]["discount"]) == 298  # 5 % of 59.50, half-up


async def test_the_cart_costs_what_the_pricing_preview_says(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    await discount(
        client,
        admin,
        name="Two games",
        kind="fixed",
        amount={"amount": 700, "currency": "EUR"},
        conditions={"product_ids": [shop.game.product_id]},
    )
    lines = [(shop.comic.variant_id, 3), (shop.book.variant_id, 2), (shop.game.variant_id, 1)]
    cart = await _cart_with(client, *lines)
    await _enter(client, cart, "SAGA10")
    body = await read_cart(client, cart)
    expected = await preview(client, admin, lines, codes=["SAGA10"], country="DE")
    for name in ("subtotal", "discount", "vat", "total"):
        assert cents(body["totals"][name]) == cents(expected["totals"][name]), name


async def test_a_guests_code_comes_along_when_the_cart_merges_at_login(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    buyer = await register_buyer(client)
    mine = await buyer_cart(client, buyer)
    assert (await add_item(client, mine, shop.book.variant_id)).status_code == 201
    guest = await _cart_with(client, (shop.comic.variant_id, 1))
    await _enter(client, guest, "SAGA10")
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": buyer.email, "password": buyer.password},
        headers=guest.headers,
    )
    client.cookies.delete("access_token")
    assert response.status_code == 200, response.text
    body = await read_cart(client, mine)
    assert _entry(body, "SAGA10")["applied"] is True
    assert cents(body["totals"]["discount"]) == 226  # 10 % of 11.90 + 10.70

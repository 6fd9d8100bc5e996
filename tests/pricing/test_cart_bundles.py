"""A bundle in the cart: chosen items reserved all or nothing, priced as the bundle, kept whole."""

from __future__ import annotations

from typing import Any

import httpx

from tests.pricing.conftest import Shop
from tests.pricing.support import cents, create, eur
from tests.support.auth import AuthedUser
from tests.support.cart import CartHandle, add_item, guest_cart, read_cart


async def _starter(client: httpx.AsyncClient, admin: AuthedUser, shop: Shop) -> dict[str, Any]:
    """The comic plus one or two books, for 20.00."""
    return await create(
        client,
        admin,
        "bundles",
        title="Saga starter",
        pricing="fixed",
        price=eur(2000),
        sets=[
            {"title": "The comic", "variant_ids": [shop.comic.variant_id]},
            {
                "title": "A book or two",
                "min_quantity": 1,
                "max_quantity": 2,
                "variant_ids": [shop.book.variant_id],
            },
        ],
    )


async def _add(
    client: httpx.AsyncClient, cart: CartHandle, bundle: dict[str, Any], books: int = 1
) -> httpx.Response:
    choices = [
        {"set_id": bundle["sets"][0]["id"], "variant_id": bundle["sets"][0]["variant_ids"][0]},
        {
            "set_id": bundle["sets"][1]["id"],
            "variant_id": bundle["sets"][1]["variant_ids"][0],
            "quantity": books,
        },
    ]
    return await client.post(
        f"{cart.url}/bundles",
        json={"bundle_id": bundle["id"], "choices": choices},
        headers=cart.headers,
    )


async def _available(client: httpx.AsyncClient, item_product_id: str) -> int:
    detail = (await client.get(f"/api/v1/store/products/{item_product_id}")).json()
    return int(detail["variants"][0]["available"])


async def test_a_bundle_reserves_each_chosen_item_and_costs_the_bundle_price(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    cart = await guest_cart(client)
    response = await _add(client, cart, bundle, books=2)
    assert response.status_code == 201, response.text
    body = response.json()
    assert sorted((i["variant_id"], i["quantity"]) for i in body["items"]) == sorted(
        [(shop.comic.variant_id, 1), (shop.book.variant_id, 2)]
    )
    assert {i["bundle_group_id"] for i in body["items"]} != {None}
    assert cents(body["totals"]["total"]) == 2000
    assert await _available(client, shop.comic.product_id) == 9
    assert await _available(client, shop.book.product_id) == 8


async def test_a_choice_outside_the_bundle_is_refused_and_nothing_is_reserved(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    cart = await guest_cart(client)
    response = await _add(client, cart, bundle, books=3)
    assert response.status_code == 422
    assert (await read_cart(client, cart))["items"] == []
    assert await _available(client, shop.comic.product_id) == 10


async def test_a_bundle_with_one_item_short_reserves_none_of_them(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    other = await guest_cart(client)
    assert (await add_item(client, other, shop.book.variant_id, 10)).status_code == 201
    cart = await guest_cart(client)
    response = await _add(client, cart, bundle)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INSUFFICIENT_INVENTORY"
    assert (await read_cart(client, cart))["items"] == []
    assert await _available(client, shop.comic.product_id) == 10


async def test_removing_one_item_of_a_bundle_removes_the_whole_bundle(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    cart = await guest_cart(client)
    assert (await add_item(client, cart, shop.comic.variant_id)).status_code == 201
    items = (await _add(client, cart, bundle)).json()["items"]
    in_bundle = next(i for i in items if i["bundle_group_id"])
    response = await client.delete(f"{cart.url}/items/{in_bundle['id']}", headers=cart.headers)
    assert response.status_code == 204
    left = (await read_cart(client, cart))["items"]
    assert [(i["variant_id"], i["bundle_group_id"]) for i in left] == [
        (shop.comic.variant_id, None)
    ]
    assert await _available(client, shop.comic.product_id) == 9
    assert await _available(client, shop.book.product_id) == 10


async def test_a_bundle_items_quantity_cannot_change_on_its_own(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    cart = await guest_cart(client)
    items = (await _add(client, cart, bundle)).json()["items"]
    response = await client.patch(
        f"{cart.url}/items/{items[0]['id']}", json={"quantity": 2}, headers=cart.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


async def test_the_same_item_alone_and_in_a_bundle_stays_on_two_lines(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    cart = await guest_cart(client)
    await _add(client, cart, bundle)
    assert (await add_item(client, cart, shop.comic.variant_id)).status_code == 201
    body = await read_cart(client, cart)
    comics = [i for i in body["items"] if i["variant_id"] == shop.comic.variant_id]
    assert sorted(i["bundle_group_id"] is None for i in comics) == [False, True]
    assert cents(body["totals"]["total"]) == 2000 + 1190

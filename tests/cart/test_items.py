"""Adding to a cart reserves the stock; changing or removing an item moves only the difference."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser
from tests.support.cart import add_item, available, guest_cart, read_cart
from tests.support.catalog import create_product, graded_comic, published_product, variant


async def test_adding_an_item_reserves_its_stock(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=5)])
    cart = await guest_cart(client)
    response = await add_item(client, cart, product["variants"][0]["id"], quantity=2)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["quantity"] == 2
    assert item["expired"] is False
    assert item["reserved_until"] == "2026-01-15T10:05:00Z"
    assert item["unit_price"] == {"amount": 1999, "currency": "EUR"}
    assert await available(client, product) == 3


async def test_adding_more_than_is_available_is_refused_with_what_is_left(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=2)])
    variant_id = product["variants"][0]["id"]
    response = await add_item(client, await guest_cart(client), variant_id, quantity=3)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INSUFFICIENT_INVENTORY"
    assert response.json()["error"]["details"] == {
        "variant_id": variant_id,
        "requested": 3,
        "available": 2,
    }
    assert await available(client, product) == 2


async def test_adding_the_same_variant_again_grows_its_line_against_what_is_left(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=5)])
    variant_id = product["variants"][0]["id"]
    cart = await guest_cart(client)
    first = (await add_item(client, cart, variant_id, quantity=3)).json()
    grown = await add_item(client, cart, variant_id, quantity=2)
    assert grown.status_code == 201
    assert grown.json()["id"] == first["id"]
    assert grown.json()["quantity"] == 5
    refused = await add_item(client, cart, variant_id, quantity=1)
    assert refused.json()["error"]["details"]["available"] == 0
    assert [i["quantity"] for i in (await read_cart(client, cart))["items"]] == [5]
    assert await available(client, product) == 0


async def test_a_unique_item_can_sit_in_only_one_cart(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[graded_comic()])
    variant_id = product["variants"][0]["id"]
    assert (await add_item(client, await guest_cart(client), variant_id)).status_code == 201
    response = await add_item(client, await guest_cart(client), variant_id)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INSUFFICIENT_INVENTORY"


async def test_raising_an_items_quantity_reserves_only_the_difference(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=4)])
    cart = await guest_cart(client)
    item = (await add_item(client, cart, product["variants"][0]["id"], quantity=3)).json()
    url = f"{cart.url}/items/{item['id']}"
    response = await client.patch(url, json={"quantity": 4}, headers=cart.headers)
    assert response.status_code == 200
    assert response.json()["quantity"] == 4
    refused = await client.patch(url, json={"quantity": 5}, headers=cart.headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"] == {
        "variant_id": product["variants"][0]["id"],
        "requested": 1,
        "available": 0,
    }
    assert (await read_cart(client, cart))["items"][0]["quantity"] == 4


async def test_lowering_an_items_quantity_gives_the_rest_back(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=4)])
    cart = await guest_cart(client)
    item = (await add_item(client, cart, product["variants"][0]["id"], quantity=4)).json()
    response = await client.patch(
        f"{cart.url}/items/{item['id']}", json={"quantity": 1}, headers=cart.headers
    )
    assert response.json()["quantity"] == 1
    assert await available(client, product) == 3


async def test_removing_an_item_releases_its_stock(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=4)])
    cart = await guest_cart(client)
    item = (await add_item(client, cart, product["variants"][0]["id"], quantity=4)).json()
    response = await client.delete(f"{cart.url}/items/{item['id']}", headers=cart.headers)
    assert response.status_code == 204
    assert (await read_cart(client, cart))["items"] == []
    assert await available(client, product) == 4
    again = await client.delete(f"{cart.url}/items/{item['id']}", headers=cart.headers)
    assert again.status_code == 404


async def test_setting_an_items_quantity_to_zero_removes_it(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(stock=4)])
    cart = await guest_cart(client)
    item = (await add_item(client, cart, product["variants"][0]["id"], quantity=2)).json()
    response = await client.patch(
        f"{cart.url}/items/{item['id']}", json={"quantity": 0}, headers=cart.headers
    )
    assert response.status_code == 204
    assert (await read_cart(client, cart))["items"] == []
    assert await available(client, product) == 4


async def test_a_product_not_for_sale_cannot_be_added(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    draft = await create_product(client, seller)
    response = await add_item(client, await guest_cart(client), draft["variants"][0]["id"])
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "This product is not for sale right now"


async def test_an_unknown_variant_is_not_found(client: httpx.AsyncClient) -> None:
    cart = await guest_cart(client)
    response = await add_item(client, cart, "0190d5e0-0000-7000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_quantities_must_be_sane(client: httpx.AsyncClient, seller: AuthedUser) -> None:
    product = await published_product(client, seller)
    cart = await guest_cart(client)
    variant_id = product["variants"][0]["id"]
    for quantity in (0, -1, 1000):
        response = await add_item(client, cart, variant_id, quantity=quantity)
        assert response.status_code == 422, quantity
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    response = await client.post(
        f"{cart.url}/items", json={"variant_id": "not-an-id"}, headers=cart.headers
    )
    assert response.status_code == 422

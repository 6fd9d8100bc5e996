"""Prices by weight and by order value, free shipping over a threshold, and who ships where."""

from __future__ import annotations

import uuid

import httpx
import pytest

from emporium.contexts import shipping
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.shipping.builders import create_method, create_zone, eur
from tests.support.auth import AuthedUser

STORE = "/api/v1/store/shipping-methods"


async def quote(
    runtime: Runtime, method_id: str, *, country: str = "AT", grams: int = 0, subtotal: int = 0
) -> Money:
    async with runtime.db.read() as session:
        return await shipping.quote(
            session,
            method_id=uuid.UUID(method_id),
            country=country,
            weight_grams=grams,
            subtotal=Money(subtotal, "EUR"),
        )


async def test_a_new_shop_ships_to_the_eu_out_of_the_box(client: httpx.AsyncClient) -> None:
    response = await client.get(STORE, params={"country": "DE"})
    assert response.status_code == 200
    [method] = response.json()["items"]
    assert (method["name"], method["carrier"], method["price"]) == (
        "EU Standard",
        "sandbox",
        eur(490),
    )
    for country in ("FR", "IE", "MT", "SE"):
        listed = await client.get(STORE, params={"country": country})
        assert [m["name"] for m in listed.json()["items"]] == ["EU Standard"]


async def test_the_store_quotes_a_real_cart_by_weight(client: httpx.AsyncClient) -> None:
    heavy = await client.get(STORE, params={"country": "FR", "weight_grams": 5000})
    assert heavy.json()["items"][0]["price"] == eur(990)
    very_heavy = await client.get(STORE, params={"country": "FR", "weight_grams": 25000})
    assert very_heavy.json()["items"][0]["price"] == eur(1990)


async def test_countries_outside_every_zone_get_no_methods(client: httpx.AsyncClient) -> None:
    response = await client.get(STORE, params={"country": "US"})
    assert response.json() == {"items": []}


@pytest.mark.parametrize("country", ["XX", "12"])
async def test_an_unknown_country_is_a_validation_error(
    client: httpx.AsyncClient, country: str
) -> None:
    response = await client.get(STORE, params={"country": country})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_weight_brackets_price_by_the_heaviest_bound_reached(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    method = await create_method(client, admin, zone["id"])
    assert await quote(runtime, method["id"], grams=0) == Money(500, "EUR")
    assert await quote(runtime, method["id"], grams=1000) == Money(500, "EUR")
    assert await quote(runtime, method["id"], grams=1001) == Money(800, "EUR")
    with pytest.raises(shipping.NoRateForCart):
        await quote(runtime, method["id"], grams=5001)


async def test_value_brackets_price_by_the_subtotal(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    rate = {
        "basis": "value",
        "brackets": [{"up_to": 2999, "price": eur(690)}, {"up_to": None, "price": eur(290)}],
    }
    method = await create_method(client, admin, zone["id"], rate=rate)
    assert await quote(runtime, method["id"], subtotal=2999, grams=90000) == Money(690, "EUR")
    assert await quote(runtime, method["id"], subtotal=3000) == Money(290, "EUR")


async def test_orders_over_the_threshold_ship_free(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    method = await create_method(client, admin, zone["id"], free_shipping_threshold=eur(5000))
    assert await quote(runtime, method["id"], subtotal=4999) == Money(500, "EUR")
    assert await quote(runtime, method["id"], subtotal=5000) == Money(0, "EUR")
    listed = await client.get(STORE, params={"country": "AT", "subtotal": 5000})
    prices = {m["name"]: m["price"] for m in listed.json()["items"]}
    assert prices[method["name"]] == eur(0)


async def test_a_method_does_not_quote_for_a_country_outside_its_zone(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    method = await create_method(client, admin, zone["id"])
    with pytest.raises(shipping.MethodDoesNotServe) as raised:
        await quote(runtime, method["id"], country="JP")
    assert raised.value.details["country"] == "JP"
    with pytest.raises(shipping.UnknownCountry):
        await quote(runtime, method["id"], country="ZZ")


async def test_inactive_methods_are_neither_offered_nor_quoted(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["IS"])
    method = await create_method(client, admin, zone["id"], active=False)
    listed = await client.get(STORE, params={"country": "IS"})
    assert listed.json() == {"items": []}
    with pytest.raises(shipping.MethodNotFound):
        await quote(runtime, method["id"], country="IS")

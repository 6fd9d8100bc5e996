"""Sellers manage their own vendor's catalog; slugs are readable, unique and stable."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, published_product, variant


async def test_creates_a_draft_product_with_its_variants(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(
        client,
        seller,
        title="Catan",
        variants=[
            variant(sku="CATAN-DE", attributes={"language": "de"}, stock=4),
            variant(sku="CATAN-EN", attributes={"language": "en"}, stock=0),
        ],
    )
    assert product["status"] == "draft"
    assert product["slug"] == "catan"
    assert [v["sku"] for v in product["variants"]] == ["CATAN-DE", "CATAN-EN"]
    assert [v["stock"]["on_hand"] for v in product["variants"]] == [4, 0]


async def test_slugs_are_made_unique_with_a_number(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    first = await create_product(client, seller, title="Batman: The Killing Joke")
    second = await create_product(client, seller, title="Batman — The Killing Joke!")
    assert first["slug"] == "batman-the-killing-joke"
    assert second["slug"] == "batman-the-killing-joke-2"


async def test_renaming_keeps_the_slug_stable(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    seller = await approved_seller(client, admin)
    product = await create_product(client, seller, title="Watchmen")
    response = await client.patch(
        f"/api/v1/seller/products/{product['id']}",
        json={"title": "Watchmen (Absolute Edition)"},
        headers=seller.headers,
    )
    assert response.status_code == 200
    assert response.json()["slug"] == "watchmen"
    assert response.json()["title"] == "Watchmen (Absolute Edition)"


async def test_an_explicit_slug_change_must_be_free(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    await create_product(client, seller, title="Saga")
    other = await create_product(client, seller, title="Saga Volume 2")
    response = await client.patch(
        f"/api/v1/seller/products/{other['id']}", json={"slug": "saga"}, headers=seller.headers
    )
    assert response.status_code == 409


async def test_another_vendors_product_is_not_found(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    owner = await approved_seller(client, admin, vendor_name="KeyVault Comics")
    intruder = await approved_seller(client, admin, vendor_name="Other Shop")
    product = await create_product(client, owner)
    variant_id = product["variants"][0]["id"]
    for method, url, body in [
        ("GET", f"/api/v1/seller/products/{product['id']}", None),
        ("PATCH", f"/api/v1/seller/products/{product['id']}", {"title": "Mine now"}),
        ("POST", f"/api/v1/seller/products/{product['id']}/publish", None),
        ("DELETE", f"/api/v1/seller/products/{product['id']}", None),
        ("PATCH", f"/api/v1/seller/variants/{variant_id}", {"title": "x"}),
        ("POST", f"/api/v1/seller/variants/{variant_id}/stock", {"delta": 5, "reason": "x"}),
        ("POST", f"/api/v1/seller/products/{product['id']}/variants", variant()),
    ]:
        response = await client.request(method, url, json=body, headers=intruder.headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    own = await client.get(f"/api/v1/seller/products/{product['id']}", headers=owner.headers)
    assert own.json()["title"] == "The Amazing Spider-Man #300"


async def test_sellers_list_only_their_own_products(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    mine = await approved_seller(client, admin, vendor_name="Mine")
    theirs = await approved_seller(client, admin, vendor_name="Theirs")
    await create_product(client, mine, title="Mine")
    await create_product(client, theirs, title="Theirs")
    listing = (await client.get("/api/v1/seller/products", headers=mine.headers)).json()
    assert [p["title"] for p in listing["items"]] == ["Mine"]
    everything = (await client.get("/api/v1/seller/products", headers=admin.headers)).json()
    assert sorted(p["title"] for p in everything["items"]) == ["Mine", "Theirs"]


async def test_skus_are_unique_per_vendor(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    one = await approved_seller(client, admin, vendor_name="One")
    two = await approved_seller(client, admin, vendor_name="Two")
    await create_product(client, one, variants=[variant(sku="TSHIRT-M")])
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "Shirt", "variants": [variant(sku="TSHIRT-M")]},
        headers=one.headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"
    await create_product(client, two, variants=[variant(sku="TSHIRT-M")])


async def test_price_changes_are_seen_by_the_store_at_once(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    variant_id = product["variants"][0]["id"]
    before = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert before["variants"][0]["price"]["amount"] == 1999
    response = await client.patch(
        f"/api/v1/seller/variants/{variant_id}",
        json={"price": {"amount": 2499, "currency": "EUR"}},
        headers=seller.headers,
    )
    assert response.status_code == 200
    after = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert after["variants"][0]["price"]["amount"] == 2499


async def test_prices_in_another_currency_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "Import", "variants": [variant(price={"amount": 100, "currency": "USD"})]},
        headers=seller.headers,
    )
    assert response.status_code == 422


async def test_bad_product_input_is_a_validation_error(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    for body in [
        {"title": ""},
        {"title": "x", "attributes": {"Bad Key": 1}},
        {"title": "x", "variants": [variant(price={"amount": -1, "currency": "EUR"})]},
        {"title": "x", "variants": [variant(sku="A"), variant(sku="A")]},
        {"title": "x", "unknown": 1},
    ]:
        response = await client.post("/api/v1/seller/products", json=body, headers=seller.headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_deleting_archives_and_hides_the_product(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    response = await client.delete(
        f"/api/v1/seller/products/{product['id']}", headers=seller.headers
    )
    assert response.status_code == 204
    assert (await client.get(f"/api/v1/store/products/{product['id']}")).status_code == 404
    own = await client.get(f"/api/v1/seller/products/{product['id']}", headers=seller.headers)
    assert own.json()["status"] == "archived"

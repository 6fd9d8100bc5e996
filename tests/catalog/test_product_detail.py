"""Product detail by id or slug: variants, availability, VAT; cached but never stale."""

from __future__ import annotations

import uuid

import httpx

from emporium.contexts.catalog.models import Product
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, graded_comic, published_product, variant


async def test_detail_by_id_and_by_slug_is_the_same(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    by_id = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    by_slug = (await client.get(f"/api/v1/store/products/{product['slug']}")).json()
    assert by_id == by_slug
    assert set(by_id) >= {
        "id",
        "slug",
        "title",
        "description",
        "vendor",
        "category",
        "attributes",
        "images",
        "rating",
        "variants",
    }
    assert by_id["rating"] == {"average": 0.0, "count": 0}


async def test_shows_the_vat_part_for_the_default_country_and_another(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(
        client,
        seller,
        variants=[
            variant(price={"amount": 11900, "currency": "EUR"}, tax_category="standard"),
            variant(price={"amount": 10700, "currency": "EUR"}, tax_category="reduced"),
            variant(price={"amount": 5000, "currency": "EUR"}, tax_category="zero"),
        ],
    )
    germany = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert [v["vat"]["amount"] for v in germany["variants"]] == [1900, 700, 0]
    france = (await client.get(f"/api/v1/store/products/{product['id']}?country=FR")).json()
    # 119.00 gross at 20 %: net 99.17, VAT 19.83 (half-up on the net).
    assert [v["vat"]["amount"] for v in france["variants"]] == [1983, 558, 0]
    assert [v["price"]["amount"] for v in france["variants"]] == [11900, 10700, 5000]


async def test_availability_follows_stock_changes(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller, variants=[variant(stock=3)])
    variant_id = product["variants"][0]["id"]
    first = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert first["variants"][0]["available"] == 3
    await client.post(
        f"/api/v1/seller/variants/{variant_id}/stock",
        json={"delta": -2, "reason": "damaged"},
        headers=seller.headers,
    )
    second = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert second["variants"][0]["available"] == 1


async def test_an_update_is_never_served_stale_from_the_cache(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    url = f"/api/v1/store/products/{product['id']}"
    assert (await client.get(url)).json()["title"] == "The Amazing Spider-Man #300"
    assert await runtime.services["cache"].get(f"product:{product['id']}") is not None
    # No dispatcher runs here: the cache entry is still there, yet the read is fresh.
    await client.patch(
        f"/api/v1/seller/products/{product['id']}",
        json={"title": "ASM #300 (Venom)"},
        headers=seller.headers,
    )
    variant_id = product["variants"][0]["id"]
    await client.patch(
        f"/api/v1/seller/variants/{variant_id}",
        json={"price": {"amount": 2999, "currency": "EUR"}},
        headers=seller.headers,
    )
    detail = (await client.get(url)).json()
    assert detail["title"] == "ASM #300 (Venom)"
    assert detail["variants"][0]["price"]["amount"] == 2999


async def test_vendor_renames_show_in_product_detail(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    url = f"/api/v1/store/products/{product['id']}"
    await client.get(url)
    await client.patch(
        "/api/v1/seller/vendor", json={"name": "KeyVault Rare Comics"}, headers=seller.headers
    )
    assert (await client.get(url)).json()["vendor"]["name"] == "KeyVault Rare Comics"


async def test_unknown_products_are_not_found(client: httpx.AsyncClient) -> None:
    for key in ["no-such-slug", "00000000-0000-0000-0000-000000000000", "x" * 500]:
        response = await client.get(f"/api/v1/store/products/{key}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_unique_item_detail_shows_one_available(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller, variants=[graded_comic()])
    detail = (await client.get(f"/api/v1/store/products/{product['id']}")).json()
    assert detail["variants"][0]["available"] == 1


async def test_a_vat_rate_edit_shows_in_product_detail_at_once(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(
        client, seller, variants=[variant(price={"amount": 11900, "currency": "EUR"})]
    )
    url = f"/api/v1/store/products/{product['id']}"
    assert (await client.get(url)).json()["variants"][0]["vat"]["amount"] == 1900
    response = await client.put(
        "/api/v1/admin/vat-rates/DE/standard", json={"rate": "0.16"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    # 119.00 gross at 16 %: net 102.59, VAT 16.41.
    assert (await client.get(url)).json()["variants"][0]["vat"]["amount"] == 1641


async def test_detail_answers_from_the_last_commit_while_a_change_is_still_uncommitted(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    url = f"/api/v1/store/products/{product['id']}"
    async with runtime.uow() as uow:
        row = await uow.session.get(Product, uuid.UUID(product["id"]))
        assert row is not None
        row.title, row.version = "ASM #300 (Venom)", row.version + 1
        await uow.session.flush()
        # The writer holds its transaction (on SQLite, the database's write lock) open.
        during = await client.get(url)
        await uow.commit()
    after = await client.get(url)
    assert during.status_code == 200
    assert during.json()["title"] == "The Amazing Spider-Man #300"
    assert after.json()["title"] == "ASM #300 (Venom)"

"""Unique graded comics: quantity never above 1, one certification number per item."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, graded_comic, published_product


async def test_a_unique_item_carries_its_grade_and_certificate(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    comic = graded_comic(certification="CGC-1234567")
    product = await published_product(client, seller, variants=[comic])
    detail = (await client.get(f"/api/v1/store/products/{product['slug']}")).json()
    (item,) = detail["variants"]
    assert item["unique"] is True
    assert item["grade"] == "CGC 9.8"
    assert item["certification"] == "CGC-1234567"
    assert item["available"] == 1


async def test_a_unique_item_cannot_be_stocked_above_one(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "ASM 300", "variants": [graded_comic(stock=2)]},
        headers=seller.headers,
    )
    assert response.status_code == 422
    product = await create_product(client, seller, variants=[graded_comic()])
    variant_id = product["variants"][0]["id"]
    for change in ({"delta": 1, "reason": "found another"}, {"on_hand": 5, "reason": "typo"}):
        response = await client.post(
            f"/api/v1/seller/variants/{variant_id}/stock", json=change, headers=seller.headers
        )
        assert response.status_code == 422, response.text
    stock = await client.get(f"/api/v1/seller/variants/{variant_id}/stock", headers=seller.headers)
    assert stock.json()["on_hand"] == 1


async def test_certification_numbers_are_unique_across_vendors(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    one = await approved_seller(client, admin, vendor_name="One")
    two = await approved_seller(client, admin, vendor_name="Two")
    await create_product(client, one, variants=[graded_comic(certification="CGC-777")])
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "Same slab?", "variants": [graded_comic(certification="CGC-777")]},
        headers=two.headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


async def test_only_unique_items_carry_a_certificate(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "Reader copy", "variants": [graded_comic(unique=False)]},
        headers=seller.headers,
    )
    assert response.status_code == 422


async def test_a_unique_item_needs_its_condition(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    comic = graded_comic()
    del comic["condition"]
    response = await client.post(
        "/api/v1/seller/products",
        json={"title": "No condition", "variants": [comic]},
        headers=seller.headers,
    )
    assert response.status_code == 422

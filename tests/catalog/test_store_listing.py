"""The store listing: only visible products, filters, sorts, and pages stable under inserts."""

from __future__ import annotations

from typing import Any

import httpx

from emporium.kernel.clock import FakeClock
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, published_product, variant


async def _category(
    client: httpx.AsyncClient, admin: AuthedUser, name: str, parent: str | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/admin/categories", json={"name": name, "parent_id": parent}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _titles(client: httpx.AsyncClient, query: str = "") -> list[str]:
    response = await client.get(f"/api/v1/store/products{query}")
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_lists_only_published_products_of_approved_vendors(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    await published_product(client, seller, title="Live")
    await create_product(client, seller, title="Draft")
    assert await _titles(client) == ["Live"]


async def test_filters_by_category_including_descendants(
    client: httpx.AsyncClient, admin: AuthedUser, clock: FakeClock
) -> None:
    seller = await approved_seller(client, admin)
    comics = await _category(client, admin, "Comics")
    marvel = await _category(client, admin, "Marvel", comics["id"])
    games = await _category(client, admin, "Board Games")
    await published_product(client, seller, title="Spider-Man", category_id=marvel["id"])
    clock.advance(seconds=1)
    await published_product(client, seller, title="Comics Guide", category_id=comics["id"])
    clock.advance(seconds=1)
    await published_product(client, seller, title="Catan", category_id=games["id"])
    assert await _titles(client, "?category=comics") == ["Comics Guide", "Spider-Man"]
    assert await _titles(client, "?category=marvel") == ["Spider-Man"]
    assert await _titles(client, "?category=no-such-category") == []


async def test_filters_by_vendor_price_range_and_attributes(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    comics = await approved_seller(client, admin, vendor_name="Comics")
    shirts = await approved_seller(client, admin, vendor_name="Shirts")
    await published_product(
        client,
        comics,
        title="Cheap",
        attributes={"publisher": "Marvel"},
        variants=[variant(price={"amount": 500, "currency": "EUR"})],
    )
    await published_product(
        client,
        comics,
        title="Dear",
        attributes={"publisher": "DC"},
        variants=[variant(price={"amount": 90000, "currency": "EUR"})],
    )
    await published_product(
        client,
        shirts,
        title="Tee",
        attributes={"garment": "T-Shirt"},
        variants=[
            variant(attributes={"size": "M", "colour": "Black"}),
            variant(attributes={"size": "L", "colour": "White"}),
        ],
    )
    shirts_vendor = (await client.get("/api/v1/seller/vendor", headers=shirts.headers)).json()
    assert await _titles(client, f"?vendor_id={shirts_vendor['id']}") == ["Tee"]
    assert sorted(await _titles(client, "?max_price=1000")) == ["Cheap"]
    assert sorted(await _titles(client, "?min_price=50000")) == ["Dear"]
    assert await _titles(client, "?attr=publisher:marvel") == ["Cheap"]
    assert await _titles(client, "?attr=size:L&attr=colour:white") == ["Tee"]
    assert await _titles(client, "?attr=size:L&attr=colour:black") == ["Tee"]
    assert await _titles(client, "?attr=size:XL") == []


async def test_filters_to_products_in_stock(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    seller = await approved_seller(client, admin)
    await published_product(client, seller, title="Sold out", variants=[variant(stock=0)])
    await published_product(client, seller, title="Available", variants=[variant(stock=3)])
    assert await _titles(client, "?in_stock=true") == ["Available"]


async def test_sorts_by_price_newest_and_rating(
    client: httpx.AsyncClient, admin: AuthedUser, clock: FakeClock
) -> None:
    seller = await approved_seller(client, admin)
    for title, amount in [("B", 300), ("A", 100), ("C", 200)]:
        await published_product(
            client,
            seller,
            title=title,
            variants=[variant(price={"amount": amount, "currency": "EUR"})],
        )
        clock.advance(seconds=1)
    assert await _titles(client, "?sort=price_asc") == ["A", "C", "B"]
    assert await _titles(client, "?sort=price_desc") == ["B", "C", "A"]
    assert await _titles(client, "?sort=newest") == ["C", "A", "B"]
    assert len(await _titles(client, "?sort=rating")) == 3


async def test_pages_do_not_repeat_or_skip_when_products_are_added(
    client: httpx.AsyncClient, admin: AuthedUser, clock: FakeClock
) -> None:
    seller = await approved_seller(client, admin)
    for i in range(5):
        await published_product(
            client,
            seller,
            title=f"P{i}",
            variants=[variant(price={"amount": 100 * (i + 1), "currency": "EUR"})],
        )
        clock.advance(seconds=1)
    for sort in ("newest", "price_asc", "price_desc"):
        first = (await client.get(f"/api/v1/store/products?sort={sort}&limit=2")).json()
        # Someone publishes cheaper and newer products while the buyer reads page one.
        await published_product(
            client,
            seller,
            title=f"New-{sort}",
            variants=[variant(price={"amount": 1, "currency": "EUR"})],
        )
        clock.advance(seconds=1)
        seen = [p["title"] for p in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = (
                await client.get(f"/api/v1/store/products?sort={sort}&limit=2&cursor={cursor}")
            ).json()
            seen += [p["title"] for p in page["items"]]
            cursor = page["next_cursor"]
        old = [t for t in seen if t.startswith("P")]
        assert sorted(old) == [f"P{i}" for i in range(5)], (sort, seen)
        assert len(seen) == len(set(seen)), (sort, seen)


async def test_a_forged_cursor_is_a_validation_error(client: httpx.AsyncClient) -> None:
    for cursor in ["garbage", "WyJ4Il0", "WyJ4IiwgIm5vdC1hLXV1aWQiXQ"]:
        response = await client.get(f"/api/v1/store/products?cursor={cursor}")
        assert response.status_code == 422, cursor
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_malformed_attribute_filter_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/store/products?attr=nocolon")
    assert response.status_code == 422

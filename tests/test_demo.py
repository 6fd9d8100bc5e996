"""`emporium demo` builds a believable marketplace once; running it again changes nothing."""

from __future__ import annotations

import httpx

from emporium.demo import PASSWORD, load_demo
from emporium.kernel.runtime import Runtime


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_demo_marketplace_is_browsable_and_searchable(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    summary = await load_demo(runtime, products=120)
    assert summary.loaded and summary.products == 120

    listing = (await client.get("/api/v1/store/products?limit=100")).json()
    vendors = {item["vendor"]["name"] for item in listing["items"]}
    assert vendors == {"KeyVault Comics", "Dice & Dragons", "Panel & Thread"}
    comics = (await client.get("/api/v1/store/products?category=graded-comics")).json()
    detail = (await client.get(f"/api/v1/store/products/{comics['items'][0]['slug']}")).json()
    graded = detail["variants"][0]
    assert graded["unique"] and graded["grade"].startswith(("CGC", "CBCS"))
    assert graded["certification"]

    found = (await client.get("/api/v1/store/search?q=catan")).json()
    assert found["total"] >= 1
    collections = (await client.get("/api/v1/store/collections")).json()["items"]
    assert {c["slug"] for c in collections} >= {"key-issues", "staff-picks"}

    seller = await _login(client, "seller@example.com")
    vendor = (await client.get("/api/v1/seller/vendor", headers=seller)).json()
    assert (vendor["name"], vendor["status"]) == ("KeyVault Comics", "approved")
    await _login(client, "buyer@example.com")
    admin = await _login(client, "admin@example.com")
    events = await client.get(
        "/api/v1/admin/events?type=catalog.product_created&limit=5", headers=admin
    )
    assert len(events.json()["items"]) == 5


async def test_loading_the_demo_twice_changes_nothing(runtime: Runtime) -> None:
    await load_demo(runtime, products=10)
    again = await load_demo(runtime, products=10)
    assert not again.loaded

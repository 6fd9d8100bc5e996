"""Search through the store: the index follows the catalog's events, on each database's engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from emporium.contexts import search
from emporium.contexts.search.embedded import EmbeddedSearchEngine
from emporium.kernel.clock import FakeClock
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, published_product, variant


async def _search(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/store/search?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _titles(client: httpx.AsyncClient, query: str) -> list[str]:
    return [hit["title"] for hit in (await _search(client, query))["hits"]]


async def _shop(client: httpx.AsyncClient, admin: AuthedUser, clock: FakeClock) -> AuthedUser:
    seller = await approved_seller(client, admin)
    await published_product(
        client, seller, title="The Amazing Spider-Man #300", attributes={"publisher": "Marvel"}
    )
    clock.advance(seconds=1)  # browsing lists newest first: give them distinct times
    await published_product(
        client,
        seller,
        title="Batman: The Killing Joke",
        attributes={"publisher": "DC"},
        variants=[variant(price={"amount": 2499, "currency": "EUR"})],
    )
    await create_product(client, seller, title="Batman Beyond (draft)")
    return seller


async def test_finds_published_products_with_typos_and_prefixes(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    await _shop(client, admin, clock)
    await dispatch_until_idle(runtime)
    assert await _titles(client, "q=spidreman") == ["The Amazing Spider-Man #300"]
    assert await _titles(client, "q=amazng") == ["The Amazing Spider-Man #300"]
    assert await _titles(client, "q=batm") == ["Batman: The Killing Joke"]
    body = await _search(client, "q=batman")
    assert body["total"] == 1
    assert body["hits"][0]["price"] == {"amount": 2499, "currency": "EUR"}
    assert set(body["facets"]) == {"category", "vendor", "price_range"}


async def test_updates_and_archiving_reach_the_index(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller, title="Watchmen")
    await dispatch_until_idle(runtime)
    await client.patch(
        f"/api/v1/seller/products/{product['id']}",
        json={"title": "Watchmen Absolute"},
        headers=seller.headers,
    )
    await dispatch_until_idle(runtime)
    assert await _titles(client, "q=absolute") == ["Watchmen Absolute"]
    await client.delete(f"/api/v1/seller/products/{product['id']}", headers=seller.headers)
    await dispatch_until_idle(runtime)
    assert await _titles(client, "q=watchmen") == []


async def test_a_suspended_vendor_leaves_search_at_once(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    seller = await _shop(client, admin, clock)
    await dispatch_until_idle(runtime)
    vendor = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()
    await client.post(f"/api/v1/admin/vendors/{vendor['id']}/suspend", headers=admin.headers)
    # Before the indexer has seen the suspension:
    assert await _titles(client, "q=batman") == []
    await dispatch_until_idle(runtime)
    assert (await _search(client, "q=batman"))["total"] == 0


async def test_reindex_gives_the_same_results_as_incremental_indexing(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    await _shop(client, admin, clock)
    await dispatch_until_idle(runtime)
    queries = ["q=spider", "q=batman", "q=joke", "q=", "q=marvel", "q=killing+jok"]
    before = [await _search(client, q) for q in queries]
    engine = runtime.services[search.SEARCH]
    assert await search.reindex(runtime, engine) == 2
    after = [await _search(client, q) for q in queries]
    for query, one, two in zip(queries, before, after, strict=True):
        first = [(h["title"], h["score"]) for h in one["hits"]]
        second = [(h["title"], h["score"]) for h in two["hits"]]
        assert first == second, query
        assert one["facets"] == two["facets"]
        assert one["total"] == two["total"]


async def test_reindex_in_a_child_process_finds_what_one_in_this_process_found(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    await _shop(client, admin, clock)
    here = EmbeddedSearchEngine(tmp_path / "here")
    child = EmbeddedSearchEngine(tmp_path / "child", process_threshold=1)
    assert await search.reindex(runtime, here) == await search.reindex(runtime, child) == 2
    for text in ["spider", "batman", "joke", "", "marvel", "killing jok"]:
        one, two = [await engine.search(search.SearchQuery(text=text)) for engine in (here, child)]
        assert [(h.title, h.score) for h in one.hits] == [(h.title, h.score) for h in two.hits]
        assert (one.total, one.facets) == (two.total, two.facets)


async def test_the_listing_filters_by_text_through_the_index(
    client: httpx.AsyncClient, admin: AuthedUser, runtime: Runtime, clock: FakeClock
) -> None:
    await _shop(client, admin, clock)
    await dispatch_until_idle(runtime)
    listing = (await client.get("/api/v1/store/products?q=killing")).json()
    assert [p["title"] for p in listing["items"]] == ["Batman: The Killing Joke"]


async def test_odd_input_gets_results_or_a_validation_error(client: httpx.AsyncClient) -> None:
    for query in [
        'q="unclosed',
        "q=AND OR NOT",
        "q='; DROP TABLE catalog_product;--",
        "q=*?~^:",
        "q=%F0%9F%A6%B8",
        "limit=0",
        "limit=101",
        "min_price=-1",
        "q=" + "x" * 10_240,
        "min_price=10&max_price=5",
    ]:
        response = await client.get(f"/api/v1/store/search?{query}")
        assert response.status_code in (200, 422), (query, response.text)
        if response.status_code == 422:
            assert response.json()["error"]["code"] == "VALIDATION_ERROR"

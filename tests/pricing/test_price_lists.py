"""Price lists through the API: group prices, quantity breaks, windows, and strict entries."""

from __future__ import annotations

import httpx

from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, cents, create, eur, line_of, preview
from tests.support.auth import AuthedUser, register_buyer


async def _entries(
    client: httpx.AsyncClient, admin: AuthedUser, price_list_id: str, *entries: dict[str, object]
) -> httpx.Response:
    return await client.post(
        f"{ADMIN}/price-lists/{price_list_id}/entries",
        json={"entries": list(entries)},
        headers=admin.headers,
    )


async def test_a_group_price_applies_to_members_only(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    member, stranger = await register_buyer(client), await register_buyer(client)
    await client.post(
        f"{ADMIN}/customer-groups/{club['id']}/members",
        json={"customer_ids": [str(member.id)]},
        headers=admin.headers,
    )
    prices = await create(client, admin, "price-lists", name="Club", customer_group_id=club["id"])
    await _entries(
        client, admin, prices["id"], {"variant_id": shop.game.variant_id, "price": eur(4990)}
    )
    items = [(shop.game.variant_id, 1)]
    theirs = await preview(client, admin, items, customer_id=str(member.id))
    others = await preview(client, admin, items, customer_id=str(stranger.id))
    assert line_of(theirs, shop.game.variant_id)["unit_price"] == eur(4990)
    assert line_of(theirs, shop.game.variant_id)["price_list_name"] == "Club"
    assert line_of(others, shop.game.variant_id)["unit_price"] == eur(5950)
    rejected = others["explanation"]["price_lists"][0]["rejected"]
    assert [(r["name"], r["reason"]) for r in rejected] == [("Club", "wrong_customer_group")]


async def test_quantity_breaks_lower_the_unit_price(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    trade = await create(client, admin, "price-lists", name="Volume")
    await _entries(
        client,
        admin,
        trade["id"],
        {"variant_id": shop.comic.variant_id, "price": eur(1090), "min_quantity": 5},
        {"variant_id": shop.comic.variant_id, "price": eur(990), "min_quantity": 10},
    )
    for quantity, unit in [(4, 1190), (5, 1090), (12, 990)]:
        result = await preview(client, admin, [(shop.comic.variant_id, quantity)])
        assert cents(line_of(result, shop.comic.variant_id)["unit_price"]) == unit


async def test_a_price_list_outside_its_window_does_not_apply(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    later = await create(
        client, admin, "price-lists", name="Summer", starts_at="2026-06-01T00:00:00Z"
    )
    await _entries(
        client, admin, later["id"], {"variant_id": shop.game.variant_id, "price": eur(100)}
    )
    result = await preview(client, admin, [(shop.game.variant_id, 1)])
    assert line_of(result, shop.game.variant_id)["unit_price"] == eur(5950)
    assert result["explanation"]["price_lists"][0]["rejected"][0]["reason"] == "not_started"


async def test_entries_for_unknown_variants_or_in_another_currency_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    prices = await create(client, admin, "price-lists", name="Sale")
    response = await _entries(
        client,
        admin,
        prices["id"],
        {"variant_id": prices["id"], "price": eur(100)},
        {"variant_id": shop.comic.variant_id, "price": {"amount": 100, "currency": "USD"}},
    )
    assert response.status_code == 422
    messages = [p["message"] for p in response.json()["error"]["details"]["problems"]]
    assert messages == ["unknown variant", "price must be in EUR"]


async def test_a_window_that_ends_before_it_starts_is_refused(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    response = await client.post(
        f"{ADMIN}/price-lists",
        json={
            "name": "Backwards",
            "starts_at": "2026-02-01T00:00:00Z",
            "ends_at": "2026-01-01T00:00:00Z",
        },
        headers=admin.headers,
    )
    assert response.status_code == 422


async def test_entries_are_replaced_by_variant_and_quantity(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    prices = await create(client, admin, "price-lists", name="Sale")
    first = {"variant_id": shop.comic.variant_id, "price": eur(1000)}
    await _entries(client, admin, prices["id"], first)
    await _entries(client, admin, prices["id"], {**first, "price": eur(900)})
    listed = await client.get(f"{ADMIN}/price-lists/{prices['id']}/entries", headers=admin.headers)
    assert [e["price"] for e in listed.json()["items"]] == [eur(900)]


async def test_a_deleted_entry_no_longer_prices_its_variant(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    prices = await create(client, admin, "price-lists", name="Sale")
    saved = await _entries(
        client, admin, prices["id"], {"variant_id": shop.comic.variant_id, "price": eur(500)}
    )
    entry_id = saved.json()["items"][0]["id"]
    response = await client.delete(
        f"{ADMIN}/price-lists/{prices['id']}/entries/{entry_id}", headers=admin.headers
    )
    assert response.status_code == 204
    result = await preview(client, admin, [(shop.comic.variant_id, 1)])
    assert line_of(result, shop.comic.variant_id)["price_list_id"] is None

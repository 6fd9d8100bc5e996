"""Customer groups: admins create them and put customers in; a customer is in at most one."""

from __future__ import annotations

import httpx

from tests.pricing.support import ADMIN, create
from tests.support.auth import AuthedUser, register_buyer


async def _join(
    client: httpx.AsyncClient, admin: AuthedUser, group: dict[str, str], buyer: AuthedUser
) -> httpx.Response:
    return await client.post(
        f"{ADMIN}/customer-groups/{group['id']}/members",
        json={"customer_ids": [str(buyer.id)]},
        headers=admin.headers,
    )


async def test_customers_join_a_group(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    buyer = await register_buyer(client)
    response = await _join(client, admin, club, buyer)
    assert response.status_code == 200
    assert response.json()["member_count"] == 1
    members = await client.get(
        f"{ADMIN}/customer-groups/{club['id']}/members", headers=admin.headers
    )
    assert [m["customer_id"] for m in members.json()["items"]] == [str(buyer.id)]


async def test_a_customer_in_one_group_cannot_join_another(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    trade = await create(client, admin, "customer-groups", name="Wholesale")
    buyer = await register_buyer(client)
    await _join(client, admin, club, buyer)
    response = await _join(client, admin, trade, buyer)
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"customer_ids": [str(buyer.id)]}


async def test_a_customer_who_left_a_group_can_join_another(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    trade = await create(client, admin, "customer-groups", name="Wholesale")
    buyer = await register_buyer(client)
    await _join(client, admin, club, buyer)
    left = await client.delete(
        f"{ADMIN}/customer-groups/{club['id']}/members/{buyer.id}", headers=admin.headers
    )
    joined = await _join(client, admin, trade, buyer)
    assert (left.status_code, joined.status_code) == (204, 200)


async def test_unknown_customers_cannot_join(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    response = await client.post(
        f"{ADMIN}/customer-groups/{club['id']}/members",
        json={"customer_ids": [club["id"]]},
        headers=admin.headers,
    )
    assert response.status_code == 404


async def test_group_names_are_unique_whatever_their_case(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    await create(client, admin, "customer-groups", name="Wholesale")
    response = await client.post(
        f"{ADMIN}/customer-groups", json={"name": "WHOLESALE"}, headers=admin.headers
    )
    assert response.status_code == 409


async def test_a_group_a_price_list_uses_cannot_be_deleted(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    club = await create(client, admin, "customer-groups", name="Collectors club")
    prices = await create(
        client, admin, "price-lists", name="Club prices", customer_group_id=club["id"]
    )
    response = await client.delete(f"{ADMIN}/customer-groups/{club['id']}", headers=admin.headers)
    assert response.status_code == 409
    assert response.json()["error"]["details"]["price_list_ids"] == [prices["id"]]


async def test_an_unused_group_can_be_renamed_and_deleted(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    club = await create(client, admin, "customer-groups", name="Club")
    path = f"{ADMIN}/customer-groups/{club['id']}"
    renamed = await client.patch(path, json={"name": "Collectors club"}, headers=admin.headers)
    assert renamed.json()["name"] == "Collectors club"
    assert (await client.delete(path, headers=admin.headers)).status_code == 204
    assert (await client.get(path, headers=admin.headers)).status_code == 404

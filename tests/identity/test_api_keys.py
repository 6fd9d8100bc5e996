"""API keys: created and shown once, used as X-API-Key or Bearer emp_…, listed, revoked."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from emporium.contexts.identity.models import ApiKey
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import AUTH, AuthedUser, register_buyer, register_seller

KEYS = f"{AUTH}/api-keys"


async def _create_key(
    client: httpx.AsyncClient, user: AuthedUser, name: str = "ERP"
) -> dict[str, Any]:
    response = await client.post(KEYS, json={"name": name}, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_creates_a_key_and_shows_it_once(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    created = await _create_key(client, seller)
    assert created["key"].startswith("emp_")
    assert created["key"].startswith(created["prefix"])
    listed = (await client.get(KEYS, headers=seller.headers)).json()
    assert [k["id"] for k in listed["items"]] == [created["id"]]
    assert "key" not in listed["items"][0]
    assert listed["next_cursor"] is None


async def test_stores_only_a_hash_of_the_key(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seller = await register_seller(client)
    created = await _create_key(client, seller)
    async with runtime.db.read() as session:
        stored = (await session.execute(select(ApiKey.key_hash, ApiKey.prefix))).one()
    assert created["key"] not in stored


async def test_a_key_authenticates_as_its_user_in_either_header(
    client: httpx.AsyncClient,
) -> None:
    seller = await register_seller(client)
    key = (await _create_key(client, seller))["key"]
    by_header = await client.get(f"{AUTH}/me", headers={"X-API-Key": key})
    by_bearer = await client.get(f"{AUTH}/me", headers={"Authorization": f"Bearer {key}"})
    assert by_header.json()["id"] == by_bearer.json()["id"] == str(seller.id)


async def test_remembers_when_a_key_was_last_used(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    seller = await register_seller(client)
    key = (await _create_key(client, seller))["key"]
    clock.advance(minutes=5)
    await client.get(f"{AUTH}/me", headers={"X-API-Key": key})
    listed = (await client.get(KEYS, headers=seller.headers)).json()
    assert listed["items"][0]["last_used_at"] == "2026-01-15T10:05:00Z"


async def test_a_revoked_key_stops_working(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    created = await _create_key(client, seller)
    response = await client.delete(f"{KEYS}/{created['id']}", headers=seller.headers)
    assert response.status_code == 204
    me = await client.get(f"{AUTH}/me", headers={"X-API-Key": created["key"]})
    assert_envelope(me, 401, "AUTHENTICATION_ERROR")
    assert (await client.get(KEYS, headers=seller.headers)).json()["items"] == []


async def test_refuses_an_unknown_key(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{AUTH}/me", headers={"X-API-Key": "emp_nope"})
    assert_envelope(response, 401, "AUTHENTICATION_ERROR")


async def test_cannot_revoke_someone_elses_key(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    buyer = await register_buyer(client)
    created = await _create_key(client, seller)
    response = await client.delete(f"{KEYS}/{created['id']}", headers=buyer.headers)
    assert_envelope(response, 404, "NOT_FOUND")
    me = await client.get(f"{AUTH}/me", headers={"X-API-Key": created["key"]})
    assert me.status_code == 200


async def test_a_key_cannot_mint_more_keys(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    key = (await _create_key(client, seller))["key"]
    response = await client.post(KEYS, json={"name": "more"}, headers={"X-API-Key": key})
    assert_envelope(response, 403, "AUTHORIZATION_ERROR")


async def test_lists_keys_a_page_at_a_time(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    ids = [(await _create_key(client, seller, name=f"k{i}"))["id"] for i in range(3)]
    first = (await client.get(KEYS, params={"limit": 2}, headers=seller.headers)).json()
    rest = (
        await client.get(
            KEYS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=seller.headers
        )
    ).json()
    assert [k["id"] for k in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None

"""Refresh tokens rotate; a used one coming back revokes its whole family; logout revokes too."""

from __future__ import annotations

import asyncio

import httpx

from emporium.kernel.clock import FakeClock
from emporium.kernel.events import read_after
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import AUTH, login, register_buyer


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(f"{AUTH}/refresh", json={"refresh_token": token})


async def test_trades_a_refresh_token_for_a_new_pair(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await _refresh(client, buyer.refresh_token)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["refresh_token"] != buyer.refresh_token
    me = await client.get(f"{AUTH}/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.json()["id"] == str(buyer.id)


async def test_an_old_refresh_token_stops_working_after_rotation(
    client: httpx.AsyncClient,
) -> None:
    buyer = await register_buyer(client)
    await _refresh(client, buyer.refresh_token)
    assert_envelope(await _refresh(client, buyer.refresh_token), 401, "AUTHENTICATION_ERROR")


async def test_reusing_a_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient,
) -> None:
    buyer = await register_buyer(client)
    newest = (await _refresh(client, buyer.refresh_token)).json()["refresh_token"]
    await _refresh(client, buyer.refresh_token)  # a thief replays the stolen, used token
    assert_envelope(await _refresh(client, newest), 401, "AUTHENTICATION_ERROR")


async def test_reuse_leaves_the_users_other_sessions_alone(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    other = (await login(client, buyer.email, buyer.password)).json()["refresh_token"]
    await _refresh(client, buyer.refresh_token)
    await _refresh(client, buyer.refresh_token)
    assert (await _refresh(client, other)).status_code == 200


async def test_reuse_is_recorded_in_the_event_log(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    buyer = await register_buyer(client)
    await _refresh(client, buyer.refresh_token)
    await _refresh(client, buyer.refresh_token)
    async with runtime.db.read() as session:
        events = await read_after(
            session, 0, limit=10, types=["identity.refresh_token_reuse_detected"]
        )
    assert [e.aggregate_id for e in events] == [str(buyer.id)]


async def test_refuses_an_expired_refresh_token(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    buyer = await register_buyer(client)
    clock.advance(days=31)
    assert_envelope(await _refresh(client, buyer.refresh_token), 401, "TOKEN_EXPIRED")


async def test_refuses_a_refresh_token_it_never_issued(client: httpx.AsyncClient) -> None:
    assert_envelope(await _refresh(client, "made-up-token"), 401, "AUTHENTICATION_ERROR")


async def test_logout_revokes_the_refresh_token_family(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    newest = (await _refresh(client, buyer.refresh_token)).json()["refresh_token"]
    response = await client.post(f"{AUTH}/logout", json={"refresh_token": newest})
    assert response.status_code == 204
    assert_envelope(await _refresh(client, newest), 401, "AUTHENTICATION_ERROR")


async def test_logout_clears_the_access_cookie(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    await client.post(f"{AUTH}/login", json={"email": buyer.email, "password": buyer.password})
    assert (await client.get(f"{AUTH}/me")).status_code == 200  # signed in by the cookie
    response = await client.post(f"{AUTH}/logout", json={})
    assert response.status_code == 204
    assert 'access_token=""' in response.headers["set-cookie"]
    assert_envelope(await client.get(f"{AUTH}/me"), 401, "AUTHENTICATION_ERROR")


async def test_logout_without_a_body_still_succeeds(client: httpx.AsyncClient) -> None:
    assert (await client.post(f"{AUTH}/logout")).status_code == 204


async def test_of_two_simultaneous_refreshes_with_one_token_only_one_succeeds(
    client: httpx.AsyncClient,
) -> None:
    buyer = await register_buyer(client)
    responses = await asyncio.gather(*(_refresh(client, buyer.refresh_token) for _ in range(2)))
    assert sorted(r.status_code for r in responses) == [200, 401]

"""POST /auth/login: tokens and an HttpOnly cookie; one answer for every kind of miss."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from emporium.kernel.events import read_after
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import AUTH, register_buyer, unique_email


async def test_logs_in_with_email_and_password(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.post(
        f"{AUTH}/login", json={"email": buyer.email.upper(), "password": buyer.password}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == 900
    me = await client.get(f"{AUTH}/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.json()["id"] == str(buyer.id)


async def test_sets_an_http_only_same_site_cookie(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.post(
        f"{AUTH}/login", json={"email": buyer.email, "password": buyer.password}
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"access_token={response.json()['access_token']}")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; https requests get Secure


async def test_marks_the_cookie_secure_over_https(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.test") as client:
        buyer = await register_buyer(client)
        response = await client.post(
            f"{AUTH}/login", json={"email": buyer.email, "password": buyer.password}
        )
    assert "Secure" in response.headers["set-cookie"]


async def test_refuses_a_wrong_password(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.post(
        f"{AUTH}/login", json={"email": buyer.email, "password": "not-the-password"}
    )
    error = assert_envelope(response, 401, "INVALID_CREDENTIALS")
    assert error["message"] == "Email or password is wrong"
    assert "set-cookie" not in response.headers


async def test_answers_an_unknown_email_exactly_like_a_wrong_password(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"{AUTH}/login", json={"email": unique_email(), "password": "whatever-password"}
    )
    error = assert_envelope(response, 401, "INVALID_CREDENTIALS")
    assert error["message"] == "Email or password is wrong"


async def test_records_each_login_in_the_event_log(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    buyer = await register_buyer(client)
    await client.post(f"{AUTH}/login", json={"email": buyer.email, "password": buyer.password})
    async with runtime.db.read() as session:
        events = await read_after(session, 0, limit=10, types=["identity.user_logged_in"])
    assert [e.aggregate_id for e in events] == [str(buyer.id)]

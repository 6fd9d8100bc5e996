"""POST /auth/register: buyers and sellers sign up; admins never do."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from emporium.kernel.events import read_after
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import AUTH, DEFAULT_PASSWORD, register_buyer, register_seller, unique_email


def _bad_fields(response: httpx.Response) -> list[str]:
    error = assert_envelope(response, 422, "VALIDATION_ERROR")
    details: dict[str, Any] = error["details"]  # type: ignore[assignment]
    return [f["field"] for f in details["fields"]]


def _body(**overrides: object) -> dict[str, object]:
    return {"email": unique_email(), "password": DEFAULT_PASSWORD, "name": "Ada", **overrides}


async def test_registers_a_buyer_by_default_and_signs_them_in(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json=_body(email="Ada@Example.COM "))
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["user"]["email"] == "ada@example.com"
    assert data["user"]["role"] == "buyer"
    assert data["user"]["vendor_id"] is None
    assert data["token_type"] == "bearer"
    me = await client.get(f"{AUTH}/me", headers={"Authorization": f"Bearer {data['access_token']}"})
    assert me.json()["email"] == "ada@example.com"


async def test_registers_a_seller_with_the_vendor_they_ask_for(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client, vendor_name="KeyVault Comics")
    assert seller.role == "seller"
    assert seller.vendor_name == "KeyVault Comics"


async def test_refuses_an_email_that_is_already_registered_in_any_case(
    client: httpx.AsyncClient,
) -> None:
    buyer = await register_buyer(client)
    response = await client.post(f"{AUTH}/register", json=_body(email=buyer.email.upper()))
    assert_envelope(response, 409, "CONFLICT")


async def test_refuses_a_password_shorter_than_ten_characters(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json=_body(password="short-pw1"))
    assert _bad_fields(response) == ["password"]


async def test_refuses_an_email_that_is_not_one(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json=_body(email="ada-at-example.com"))
    assert _bad_fields(response) == ["email"]


async def test_never_registers_an_admin(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AUTH}/register", json=_body(role="admin"))
    assert _bad_fields(response) == ["role"]


async def test_records_the_registration_in_the_event_log(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seller = await register_seller(client, vendor_name="Panel Shop")
    async with runtime.db.read() as session:
        events = await read_after(session, 0, limit=10, types=["identity.user_registered"])
    assert [e.payload["vendor_name"] for e in events] == ["Panel Shop"]
    assert events[0].aggregate_id == str(seller.id)
    assert "password" not in str(events[0].payload)


async def test_of_two_simultaneous_registrations_with_one_email_only_one_succeeds(
    client: httpx.AsyncClient,
) -> None:
    body = _body()
    responses = await asyncio.gather(
        *(client.post(f"{AUTH}/register", json=body) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]

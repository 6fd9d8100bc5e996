"""GET /auth/me with a Bearer token or the cookie; tampered and expired tokens are refused."""

from __future__ import annotations

import base64
import json

import httpx
import jwt

from emporium.kernel.clock import FakeClock
from tests.http.test_envelope import assert_envelope
from tests.support.auth import AUTH, register_buyer, register_seller


async def test_me_answers_with_a_bearer_token(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client)
    response = await client.get(f"{AUTH}/me", headers=seller.headers)
    assert response.status_code == 200, response.text
    me = response.json()
    vendor = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()
    assert {k: me[k] for k in ("id", "email", "role", "vendor_id")} == {
        "id": str(seller.id),
        "email": seller.email,
        "role": "seller",
        "vendor_id": vendor["id"],
    }
    assert me["name"] == "Test Seller"


async def test_me_answers_with_the_access_token_cookie(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.get(
        f"{AUTH}/me", headers={"Cookie": f"access_token={buyer.access_token}"}
    )
    assert response.json()["id"] == str(buyer.id)


async def test_me_needs_credentials(client: httpx.AsyncClient) -> None:
    assert_envelope(await client.get(f"{AUTH}/me"), 401, "AUTHENTICATION_ERROR")


async def test_refuses_a_token_whose_claims_were_changed(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    header, payload, signature = buyer.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    response = await client.get(
        f"{AUTH}/me", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"}
    )
    assert_envelope(response, 401, "AUTHENTICATION_ERROR")


async def test_refuses_a_token_signed_with_another_key(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    claims = jwt.decode(buyer.access_token, options={"verify_signature": False})
    forged = jwt.encode(claims, "someone-elses-secret-key-of-enough-length", algorithm="HS256")
    response = await client.get(f"{AUTH}/me", headers={"Authorization": f"Bearer {forged}"})
    assert_envelope(response, 401, "AUTHENTICATION_ERROR")


async def test_refuses_garbage_in_place_of_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{AUTH}/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert_envelope(response, 401, "AUTHENTICATION_ERROR")


async def test_refuses_a_scheme_other_than_bearer(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{AUTH}/me", headers={"Authorization": "Basic YTpi"})
    assert_envelope(response, 401, "AUTHENTICATION_ERROR")


async def test_refuses_an_expired_token_as_expired(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    buyer = await register_buyer(client)
    clock.advance(seconds=899)
    assert (await client.get(f"{AUTH}/me", headers=buyer.headers)).status_code == 200
    clock.advance(seconds=1)
    assert_envelope(await client.get(f"{AUTH}/me", headers=buyer.headers), 401, "TOKEN_EXPIRED")


async def test_an_expired_cookie_is_expired_too(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    buyer = await register_buyer(client)
    clock.advance(minutes=16)
    response = await client.get(
        f"{AUTH}/me", headers={"Cookie": f"access_token={buyer.access_token}"}
    )
    assert_envelope(response, 401, "TOKEN_EXPIRED")

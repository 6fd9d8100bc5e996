"""Builders for signed-in users, for every context's tests.

    buyer = await register_buyer(client)
    response = await client.get("/api/v1/store/orders", headers=buyer.headers)

The helpers leave no `access_token` cookie in the client's jar, so a request without
`headers=` stays anonymous. Logins count against the login rate limit (5 a minute per IP,
and every test client has the same IP): `make_admin` logs in once, registering does not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from emporium.contexts.identity import create_admin
from emporium.contexts.identity.api import PASSWORDS
from emporium.contexts.identity.passwords import Passwords
from emporium.kernel.runtime import Runtime

AUTH = "/api/v1/auth"
DEFAULT_PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class AuthedUser:
    id: uuid.UUID
    email: str
    password: str
    role: str
    access_token: str
    refresh_token: str
    vendor_name: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header that makes a request this user's."""
        return {"Authorization": f"Bearer {self.access_token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


async def register(client: httpx.AsyncClient, **overrides: Any) -> AuthedUser:
    """A new account through POST /auth/register (a buyer unless role= says otherwise)."""
    role = overrides.get("role", "buyer")
    body: dict[str, Any] = {
        "email": unique_email(role),
        "password": DEFAULT_PASSWORD,
        "name": f"Test {role.title()}",
        "role": role,
    }
    body.update(overrides)
    response = await client.post(f"{AUTH}/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    user = data["user"]
    return AuthedUser(
        id=uuid.UUID(user["id"]),
        email=user["email"],
        password=body["password"],
        role=user["role"],
        access_token=data["access_token"],
        refresh_token=data["refresh_token"],
        vendor_name=user.get("vendor_name"),
    )


async def register_buyer(client: httpx.AsyncClient, **overrides: Any) -> AuthedUser:
    """A new buyer, signed in."""
    return await register(client, **{**overrides, "role": "buyer"})


async def register_seller(
    client: httpx.AsyncClient, vendor_name: str = "Test Vendor", **overrides: Any
) -> AuthedUser:
    """A new seller asking for vendor_name (the catalog creates the vendor), signed in."""
    return await register(client, **{**overrides, "role": "seller", "vendor_name": vendor_name})


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    """POST /auth/login, leaving no cookie behind in the client."""
    response = await client.post(f"{AUTH}/login", json={"email": email, "password": password})
    client.cookies.delete("access_token")
    return response


async def make_admin(
    runtime: Runtime, client: httpx.AsyncClient, *, email: str | None = None
) -> AuthedUser:
    """An admin created through identity's facade (as the CLI does), then logged in over HTTP."""
    email = email or unique_email("admin")
    async with runtime.uow() as uow:
        admin = await create_admin(
            uow,
            email,
            DEFAULT_PASSWORD,
            "Test Admin",
            passwords=runtime.service(PASSWORDS, Passwords),
        )
        await uow.commit()
    response = await login(client, email, DEFAULT_PASSWORD)
    assert response.status_code == 200, response.text
    tokens = response.json()
    return AuthedUser(
        id=admin.id,
        email=admin.email,
        password=DEFAULT_PASSWORD,
        role="admin",
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )

"""HTTP helpers for pricing tests: create rules and lists as an admin, preview a pricing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.auth import AuthedUser

ADMIN = "/api/v1/admin"


def eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


async def create(
    client: httpx.AsyncClient, admin: AuthedUser, path: str, **body: Any
) -> dict[str, Any]:
    """POST an admin resource and return it (asserting 201)."""
    response = await client.post(f"{ADMIN}/{path}", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def discount(client: httpx.AsyncClient, admin: AuthedUser, **body: Any) -> dict[str, Any]:
    return await create(client, admin, "discounts", **{"name": "A discount", **body})


async def preview(
    client: httpx.AsyncClient,
    admin: AuthedUser,
    items: list[tuple[str, int]],
    **body: Any,
) -> dict[str, Any]:
    """How the admin preview prices these (variant id, quantity) lines."""
    payload = {"items": [{"variant_id": v, "quantity": q} for v, q in items], **body}
    response = await client.post(f"{ADMIN}/pricing/preview", json=payload, headers=admin.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def line_of(result: dict[str, Any], variant_id: str) -> dict[str, Any]:
    line: dict[str, Any] = next(x for x in result["lines"] if x["variant_id"] == variant_id)
    return line


def cents(money: dict[str, Any]) -> int:
    return int(money["amount"])


def skipped(result: dict[str, Any], rule_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in result["explanation"]["not_applied"] if s["rule_id"] == rule_id
    )
    return found

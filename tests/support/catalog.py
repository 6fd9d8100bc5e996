"""Builders for catalog tests: approved sellers, products and their variants, over HTTP."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support.auth import AuthedUser, register_seller

_counter = itertools.count(1)


def variant(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    body: dict[str, Any] = {
        "sku": f"SKU-{n}",
        "title": "Standard",
        "attributes": {},
        "price": {"amount": 1999, "currency": "EUR"},
        "weight_grams": 200,
        "tax_category": "standard",
        "stock": 10,
    }
    body.update(overrides)
    return body


def graded_comic(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    body = variant(
        sku=f"ASM-300-{n}",
        title="CGC 9.8",
        unique=True,
        condition="Near Mint/Mint",
        grade="CGC 9.8",
        certification=f"CGC-{4000000 + n}",
        stock=1,
        price={"amount": 250000, "currency": "EUR"},
        tax_category="reduced",
    )
    body.update(overrides)
    return body


async def approved_seller(
    client: httpx.AsyncClient, admin: AuthedUser, vendor_name: str = "KeyVault Comics"
) -> AuthedUser:
    seller = await register_seller(client, vendor_name=vendor_name)
    me = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()
    response = await client.post(f"/api/v1/admin/vendors/{me['id']}/approve", headers=admin.headers)
    assert response.status_code == 200, response.text
    return seller


async def create_product(
    client: httpx.AsyncClient, seller: AuthedUser, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "The Amazing Spider-Man #300",
        "description": "First full appearance of Venom.",
        "attributes": {"publisher": "Marvel", "year": 1988},
        "variants": [variant()],
    }
    body.update(overrides)
    response = await client.post("/api/v1/seller/products", json=body, headers=seller.headers)
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product


async def published_product(
    client: httpx.AsyncClient, seller: AuthedUser, **overrides: Any
) -> dict[str, Any]:
    product = await create_product(client, seller, **overrides)
    response = await client.post(
        f"/api/v1/seller/products/{product['id']}/publish", headers=seller.headers
    )
    assert response.status_code == 200, response.text
    return product

"""Builders for shipping tests: zones and methods over the admin API, shipments via the facade."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

from emporium.contexts import shipping
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser

ZONES = "/api/v1/admin/shipping/zones"
METHODS = "/api/v1/admin/shipping/methods"
_names = itertools.count(1)


def eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def weight_rate() -> dict[str, Any]:
    """Up to 1 kg 5.00, up to 5 kg 8.00, heavier not shipped."""
    return {
        "basis": "weight",
        "brackets": [{"up_to": 1000, "price": eur(500)}, {"up_to": 5000, "price": eur(800)}],
    }


async def create_zone(
    client: httpx.AsyncClient, admin: AuthedUser, countries: list[str], name: str | None = None
) -> dict[str, Any]:
    body = {"name": name or f"Zone {next(_names)}", "countries": countries}
    response = await client.post(ZONES, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_method(
    client: httpx.AsyncClient, admin: AuthedUser, zone_id: str, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "zone_id": zone_id,
        "name": f"Method {next(_names)}",
        "carrier": "sandbox",
        "rate": weight_rate(),
    }
    body.update(overrides)
    response = await client.post(METHODS, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def address(postal_code: str = "10115", country: str = "DE") -> shipping.Address:
    return shipping.Address(
        name="Bea Buyer",
        line1="Invalidenstr. 1",
        city="Berlin",
        postal_code=postal_code,
        country=country,
    )


async def book(
    runtime: Runtime, *, postal_code: str = "10115", fulfillment_id: uuid.UUID | None = None
) -> shipping.ShipmentInfo:
    fulfillment = fulfillment_id or uuid.uuid4()
    return await shipping.create_shipment(
        runtime,
        fulfillment_id=fulfillment,
        address=address(postal_code),
        parcels=[shipping.Parcel(weight_grams=700)],
        key=f"{fulfillment}:create_shipment",
    )

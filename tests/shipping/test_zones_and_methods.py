"""Admins manage zones and methods; bad input gets a clear error, never a half-saved method."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emporium.kernel.runtime import Runtime
from tests.shipping.builders import METHODS, ZONES, create_method, create_zone, eur, weight_rate
from tests.support.auth import AuthedUser, register_buyer
from tests.support.webhooks import events_of


async def test_an_admin_creates_a_zone_with_its_countries(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["fr", "BE", "FR"], name="Benelux+")
    assert zone["countries"] == ["BE", "FR"]
    listed = await client.get(ZONES, headers=admin.headers)
    assert "Benelux+" in [z["name"] for z in listed.json()["items"]]


async def test_a_zone_is_renamed_and_given_new_countries(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["FR"])
    response = await client.patch(
        f"{ZONES}/{zone['id']}",
        json={"name": "Iberia", "countries": ["ES", "PT"]},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["countries"]) == ("Iberia", ["ES", "PT"])
    assert len(await events_of(runtime, "shipping.zone_changed")) == 2


@pytest.mark.parametrize("countries", [["XX"], ["DEU"], []])
async def test_unknown_countries_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, countries: list[str]
) -> None:
    response = await client.post(
        ZONES, json={"name": "Nowhere", "countries": countries}, headers=admin.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_zone_name_is_taken_once(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    response = await client.post(
        ZONES, json={"name": "EU", "countries": ["DE"]}, headers=admin.headers
    )
    assert response.status_code == 409


async def test_a_zone_with_methods_cannot_be_deleted(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    method = await create_method(client, admin, zone["id"])
    refused = await client.delete(f"{ZONES}/{zone['id']}", headers=admin.headers)
    assert refused.status_code == 409
    await client.delete(f"{METHODS}/{method['id']}", headers=admin.headers)
    deleted = await client.delete(f"{ZONES}/{zone['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"{ZONES}/{zone['id']}", headers=admin.headers)
    assert gone.status_code == 404


async def test_an_admin_creates_and_changes_a_method(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    method = await create_method(
        client, admin, zone["id"], free_shipping_threshold=eur(10000), name="Austria Post"
    )
    assert method["rate"] == weight_rate() | {"basis": "weight"}
    assert method["free_shipping_threshold"] == eur(10000)
    response = await client.patch(
        f"{METHODS}/{method['id']}",
        json={"active": False, "remove_free_shipping_threshold": True},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["free_shipping_threshold"]) == (False, None)


def _rate(*brackets: tuple[int | None, dict[str, Any]], basis: str = "weight") -> dict[str, Any]:
    return {"basis": basis, "brackets": [{"up_to": up, "price": p} for up, p in brackets]}


def _bad_rates() -> list[dict[str, Any]]:
    usd = {"amount": 1, "currency": "USD"}
    return [
        _rate(),  # no bracket
        _rate((500, eur(1)), (500, eur(2))),  # overlapping
        _rate((900, eur(1)), (100, eur(2))),  # descending
        _rate((None, eur(1)), (100, eur(2))),  # unbounded before the end
        _rate((100, eur(-1))),  # negative price
        _rate((100, usd), (200, eur(2))),  # two currencies
        _rate((100, eur(1)), basis="volume"),  # unknown basis
    ]


@pytest.mark.parametrize("rate", _bad_rates())
async def test_bad_rates_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, rate: dict[str, Any]
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    response = await client.post(
        METHODS,
        json={"zone_id": zone["id"], "name": "Bad", "carrier": "sandbox", "rate": rate},
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_threshold_in_another_currency_is_refused(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    zone = await create_zone(client, admin, ["AT"])
    body = {
        "zone_id": zone["id"],
        "name": "Mixed",
        "carrier": "sandbox",
        "rate": weight_rate(),
        "free_shipping_threshold": {"amount": 100, "currency": "USD"},
    }
    response = await client.post(METHODS, json=body, headers=admin.headers)
    assert response.status_code == 422


async def test_an_unknown_carrier_is_refused(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    zone = await create_zone(client, admin, ["AT"])
    body = {"zone_id": zone["id"], "name": "X", "carrier": "owl-post", "rate": weight_rate()}
    response = await client.post(METHODS, json=body, headers=admin.headers)
    assert response.status_code == 404
    assert response.json()["error"]["details"]["known"] == ["sandbox"]


async def test_buyers_cannot_manage_shipping(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.post(
        ZONES, json={"name": "Mine", "countries": ["DE"]}, headers=buyer.headers
    )
    assert response.status_code == 403

"""Admins create, read, change and delete discount rules; bad combinations are refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, discount, eur, preview
from tests.support.auth import AuthedUser, register_buyer

SOME_PRODUCT = "01890000-0000-7000-8000-000000000001"


async def test_a_created_discount_reads_back_as_it_was_given(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    created = await discount(
        client,
        admin,
        name="Spring sale",
        kind="percentage",
        percent="12.5",
        code="spring-26",
        priority=5,
        usage_limit=100,
        starts_at="2026-03-01T00:00:00Z",
        ends_at="2026-04-01T00:00:00Z",
    )
    read = (await client.get(f"{ADMIN}/discounts/{created['id']}", headers=admin.headers)).json()
    assert read["percent"] == "12.50"
    assert read["code"] == "SPRING-26"  # codes are kept in upper case
    assert (read["priority"], read["usage_limit"], read["used"]) == (5, 100, 0)
    assert read["starts_at"] == "2026-03-01T00:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "percentage", "percent": "100.01"},
        {"kind": "percentage", "percent": "0"},
        {"kind": "fixed", "amount": {"amount": -100, "currency": "EUR"}},
        {"kind": "fixed", "amount": eur(0)},
        {"kind": "fixed"},
        {"kind": "fixed", "amount": eur(100), "percent": "10"},
        {
            "kind": "cart",
            "amount": eur(100),
            "conditions": {"product_ids": [SOME_PRODUCT]},
        },
        {"kind": "tiered", "tier_basis": "spend", "tiers": []},
        {
            "kind": "tiered",
            "tier_basis": "spend",
            "tiers": [{"threshold": 1, "amount": eur(1), "percent": "5"}],
        },
        {"kind": "buy_x_get_y", "buy_quantity": 2},
        {
            "kind": "percentage",
            "percent": "10",
            "starts_at": "2026-03-02T00:00:00Z",
            "ends_at": "2026-03-01T00:00:00Z",
        },
        {"kind": "percentage", "percent": "10", "starts_at": "2026-03-01T00:00:00"},
        {"kind": "percentage", "percent": "10", "usage_limit": 1, "usage_limit_per_customer": 2},
        {"kind": "percentage", "percent": "10", "code": "no spaces"},
        {"kind": "percentage", "percent": "10", "surprise": True},
    ],
)
async def test_inconsistent_discounts_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, body: dict[str, Any]
) -> None:
    response = await client.post(
        f"{ADMIN}/discounts", json={"name": "Bad", **body}, headers=admin.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_discount_for_an_unknown_vendor_is_refused(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    response = await client.post(
        f"{ADMIN}/discounts",
        json={"name": "Ghost", "kind": "percentage", "percent": "5", "vendor_id": str(admin.id)},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"][0]["message"] == "unknown vendor"


async def test_codes_are_unique_whatever_their_case(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    await discount(client, admin, kind="percentage", percent="5", code="Welcome")
    response = await client.post(
        f"{ADMIN}/discounts",
        json={"name": "Again", "kind": "fixed", "amount": eur(100), "code": "WELCOME"},
        headers=admin.headers,
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"code": "WELCOME"}


async def test_a_patch_changes_only_what_it_names(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    created = await discount(client, admin, kind="percentage", percent="5", code="PATCHME")
    response = await client.patch(
        f"{ADMIN}/discounts/{created['id']}",
        json={"percent": "7.5", "code": None},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["percent"], response.json()["code"]) == ("7.50", None)
    assert response.json()["name"] == created["name"]


async def test_a_patch_that_would_break_the_rule_is_refused(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    created = await discount(client, admin, kind="percentage", percent="5")
    response = await client.patch(
        f"{ADMIN}/discounts/{created['id']}", json={"kind": "fixed"}, headers=admin.headers
    )
    assert response.status_code == 422
    listed = (await client.get(f"{ADMIN}/discounts", headers=admin.headers)).json()["items"]
    assert [d["kind"] for d in listed] == ["percentage"]


async def test_an_unused_discount_can_be_deleted(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    created = await discount(client, admin, kind="free_shipping")
    path = f"{ADMIN}/discounts/{created['id']}"
    assert (await client.delete(path, headers=admin.headers)).status_code == 204
    assert (await client.get(path, headers=admin.headers)).status_code == 404


async def test_only_admins_manage_discounts(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.get(f"{ADMIN}/discounts", headers=buyer.headers)
    assert response.status_code == 403


async def test_a_deactivated_discount_stops_applying(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    created = await discount(client, admin, kind="percentage", percent="10")
    await client.patch(
        f"{ADMIN}/discounts/{created['id']}", json={"active": False}, headers=admin.headers
    )
    result = await preview(client, admin, [(shop.comic.variant_id, 1)])
    assert result["totals"]["discount"] == eur(0)

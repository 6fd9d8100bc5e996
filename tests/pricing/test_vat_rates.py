"""VAT by destination and tax category: seeded EU rates, edited by admins, applied per line."""

from __future__ import annotations

import httpx
import pytest

from emporium.kernel.events import read_after
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, cents, line_of, preview
from tests.support.auth import AuthedUser


async def test_every_eu_country_has_its_rates_seeded(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    everything = (await client.get(f"{ADMIN}/vat-rates", headers=admin.headers)).json()["items"]
    germany = (await client.get(f"{ADMIN}/vat-rates?country=de", headers=admin.headers)).json()
    assert len({r["country"] for r in everything}) == 27
    assert {r["tax_category"]: r["rate"] for r in germany["items"]} == {
        "reduced": "0.0700",
        "standard": "0.1900",
        "zero": "0.0000",
    }


async def test_vat_follows_the_destination_and_the_tax_category(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    items = [(shop.book.variant_id, 1), (shop.game.variant_id, 1)]
    germany = await preview(client, admin, items, country="DE")
    france = await preview(client, admin, items, country="FR")
    assert cents(line_of(germany, shop.book.variant_id)["vat"]) == 70  # 10.70 at 7%
    assert cents(line_of(france, shop.book.variant_id)["vat"]) == 56  # 10.70 at 5.5%
    assert cents(line_of(germany, shop.game.variant_id)["vat"]) == 950  # 59.50 at 19%
    assert cents(line_of(france, shop.game.variant_id)["vat"]) == 992  # 59.50 at 20%
    assert germany["totals"]["total"] == france["totals"]["total"]  # gross prices stay put


async def test_an_edited_rate_applies_at_once_and_is_recorded(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    response = await client.put(
        f"{ADMIN}/vat-rates/DE/standard", json={"rate": "0.16"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["rate"] == "0.1600"
    result = await preview(client, admin, [(shop.comic.variant_id, 1)], country="DE")
    assert cents(line_of(result, shop.comic.variant_id)["vat"]) == 164  # 11.90 at 16%
    async with runtime.db.read() as session:
        events = await read_after(session, 0, limit=1000, types=["pricing.vat_rate_changed"])
    assert [e.payload for e in events] == [
        {"country": "DE", "tax_category": "standard", "old_rate": "0.1900", "new_rate": "0.1600"}
    ]


@pytest.mark.parametrize(
    ("path", "rate"),
    [
        ("DE/standard", "1"),
        ("DE/standard", "-0.01"),
        ("DE/standard", "0.123456"),
        ("XX/standard", "0.2"),
        ("DE/luxury", "0.2"),
        ("DE/zero", "0.05"),
    ],
)
async def test_impossible_rates_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, path: str, rate: str
) -> None:
    response = await client.put(
        f"{ADMIN}/vat-rates/{path}", json={"rate": rate}, headers=admin.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_destination_without_rates_cannot_be_priced(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    response = await client.post(
        f"{ADMIN}/pricing/preview",
        json={"items": [{"variant_id": shop.comic.variant_id, "quantity": 1}], "country": "US"},
        headers=admin.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"country": "US", "tax_category": "standard"}

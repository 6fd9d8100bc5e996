"""What an order line stores is a copy: later catalog, rule or VAT changes never alter it."""

from __future__ import annotations

import json
import uuid

import httpx

from emporium.contexts.pricing import LineRequest, PricingResult, build_input, price, snapshot
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, create, discount, eur
from tests.support.auth import AuthedUser

LINE = new_id()


async def _price(runtime: Runtime, shop: Shop, codes: list[str]) -> PricingResult:
    async with runtime.db.read() as session:
        data = await build_input(
            session,
            [LineRequest(LINE, uuid.UUID(shop.game.variant_id), 2)],
            customer_id=None,
            codes=codes,
            country="DE",
            shipping=Money(0, "EUR"),
            now=runtime.clock.now(),
        )
    return price(data)


async def test_a_snapshot_holds_how_the_line_was_priced(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    sale = await create(client, admin, "price-lists", name="Winter sale")
    await client.post(
        f"{ADMIN}/price-lists/{sale['id']}/entries",
        json={"entries": [{"variant_id": shop.game.variant_id, "price": eur(5000)}]},
        headers=admin.headers,
    )
    rule = await discount(
        client, admin, name="Ten off", kind="percentage", percent="10", code="TEN"
    )
    taken = snapshot(await _price(runtime, shop, ["TEN"]), LINE)
    assert taken["unit_price"] == eur(5000)
    assert taken["price_list"] == {"id": sale["id"], "name": "Winter sale"}
    assert taken["discounts"] == [
        {
            "rule_id": rule["id"],
            "name": "Ten off",
            "code": "TEN",
            "kind": "percentage",
            "amount": eur(1000),
        }
    ]
    assert (taken["vat_rate"], taken["gross"], taken["vat"], taken["net"]) == (
        "0.1900",
        eur(9000),
        eur(1437),
        eur(7563),
    )


async def test_later_changes_never_alter_a_stored_snapshot(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    rule = await discount(client, admin, kind="percentage", percent="10", code="TEN")
    stored = json.dumps(snapshot(await _price(runtime, shop, ["TEN"]), LINE))
    await client.patch(
        f"/api/v1/seller/variants/{shop.game.variant_id}",
        json={"price": eur(6950)},
        headers=shop.seller.headers,
    )
    await client.patch(
        f"{ADMIN}/discounts/{rule['id']}", json={"percent": "30"}, headers=admin.headers
    )
    await client.put(f"{ADMIN}/vat-rates/DE/standard", json={"rate": "0.16"}, headers=admin.headers)
    now = snapshot(await _price(runtime, shop, ["TEN"]), LINE)
    kept = json.loads(stored)
    assert (now["unit_price"], now["vat_rate"], now["discount"]) == (eur(6950), "0.1600", eur(4170))
    assert (kept["unit_price"], kept["vat_rate"], kept["discount"]) == (
        eur(5950),
        "0.1900",
        eur(1190),
    )

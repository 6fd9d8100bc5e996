"""Bundles through the API: admins define them; buyers see them and price their choices."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from emporium.contexts.pricing import LineRequest, build_input, price
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, create, discount, eur
from tests.support.auth import AuthedUser

STORE = "/api/v1/store/bundles"


async def _starter(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop, **body: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Saga starter",
        "pricing": "fixed",
        "price": eur(2000),
        "sets": [
            {"title": "The comic", "variant_ids": [shop.comic.variant_id]},
            {
                "title": "A book or two",
                "min_quantity": 1,
                "max_quantity": 2,
                "variant_ids": [shop.book.variant_id],
            },
        ],
    }
    values.update(body)
    return await create(client, admin, "bundles", **values)


def _choice(
    bundle: dict[str, Any], set_index: int, variant_id: str, quantity: int = 1
) -> dict[str, Any]:
    return {
        "set_id": bundle["sets"][set_index]["id"],
        "variant_id": variant_id,
        "quantity": quantity,
    }


async def test_an_admin_defines_a_bundle_buyers_can_see(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    seen = (await client.get(f"{STORE}/{bundle['id']}")).json()
    assert [(s["title"], s["min_quantity"], s["max_quantity"]) for s in seen["sets"]] == [
        ("The comic", 1, 1),
        ("A book or two", 1, 2),
    ]
    assert seen["price"] == eur(2000)


async def test_a_quote_shares_the_bundle_price_over_the_chosen_items(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    choices = [
        _choice(bundle, 0, shop.comic.variant_id),
        _choice(bundle, 1, shop.book.variant_id, 2),
    ]
    response = await client.post(f"{STORE}/{bundle['id']}/quote", json={"choices": choices})
    assert response.status_code == 200, response.text
    quote = response.json()
    assert (quote["items_total"], quote["price"], quote["saving"]) == (
        eur(3330),
        eur(2000),
        eur(1330),
    )
    assert [line["amount"] for line in quote["lines"]] == [eur(715), eur(1285)]


async def test_an_invalid_choice_is_refused_with_every_problem(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    choices = [
        _choice(bundle, 0, shop.game.variant_id),
        _choice(bundle, 1, shop.book.variant_id, 3),
    ]
    response = await client.post(f"{STORE}/{bundle['id']}/quote", json={"choices": choices})
    assert response.status_code == 422
    problems = response.json()["error"]["details"]["problems"]
    assert [p["problem"] for p in problems] == ["not_in_set", "too_few", "too_many"]


async def test_an_inactive_bundle_is_not_for_sale(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop, active=False)
    assert (await client.get(f"{STORE}/{bundle['id']}")).status_code == 404
    assert (await client.get(STORE)).json()["items"] == []


async def test_bundles_that_cannot_be_sold_are_refused(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    for body in (
        {"pricing": "fixed", "price": None},
        {"pricing": "percentage", "price": None, "percent": "120"},
        {
            "sets": [
                {
                    "title": "Odd",
                    "min_quantity": 3,
                    "max_quantity": 2,
                    "variant_ids": [shop.comic.variant_id],
                }
            ]
        },
        {"sets": [{"title": "Ghost", "variant_ids": [str(uuid.uuid4())]}]},
    ):
        response = await client.post(
            f"{ADMIN}/bundles",
            json={"title": "Bad", "pricing": "fixed", "price": eur(100), "sets": [], **body},
            headers=admin.headers,
        )
        assert response.status_code == 422, body


async def test_a_bundle_can_be_changed_and_deleted(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    bundle = await _starter(client, admin, shop)
    path = f"{ADMIN}/bundles/{bundle['id']}"
    changed = await client.patch(
        path, json={"pricing": "percentage", "price": None, "percent": "15"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["percent"], changed.json()["price"]) == ("15.00", None)
    assert len(changed.json()["sets"]) == 2
    assert (await client.delete(path, headers=admin.headers)).status_code == 204
    assert (await client.get(path, headers=admin.headers)).status_code == 404


async def test_bundle_lines_keep_their_share_and_take_no_further_discount(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="50")
    bundle_id = new_id()
    lines = [
        LineRequest(new_id(), uuid.UUID(shop.comic.variant_id), 1, bundle_id, Money(715, "EUR")),
        LineRequest(new_id(), uuid.UUID(shop.book.variant_id), 2, bundle_id, Money(1285, "EUR")),
    ]
    async with runtime.db.read() as session:
        data = await build_input(
            session,
            lines,
            customer_id=None,
            codes=[],
            country="DE",
            shipping=Money(0, "EUR"),
            now=runtime.clock.now(),
        )
    result = price(data)
    assert result.totals.subtotal == Money(2000, "EUR")
    assert result.totals.discount == Money(0, "EUR")
    assert [line.vat.amount for line in result.lines] == [114, 84]  # 19% and 7% of the shares

"""Each kind of discount, created by an admin and applied to real catalog items."""

from __future__ import annotations

import httpx

from tests.pricing.conftest import Shop
from tests.pricing.support import cents, discount, eur, line_of, preview, skipped
from tests.support.auth import AuthedUser


async def test_a_fixed_amount_comes_off_the_named_products(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(
        client,
        admin,
        kind="fixed",
        amount=eur(300),
        conditions={"product_ids": [shop.comic.product_id]},
    )
    result = await preview(client, admin, [(shop.comic.variant_id, 2), (shop.game.variant_id, 1)])
    assert cents(line_of(result, shop.comic.variant_id)["discount"]) == 300
    assert cents(line_of(result, shop.game.variant_id)["discount"]) == 0
    assert cents(result["totals"]["total"]) == 2 * 1190 + 5950 - 300


async def test_a_percentage_comes_off_a_vendors_items(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", vendor_id=shop.vendor_id)
    result = await preview(client, admin, [(shop.game.variant_id, 1)])
    assert cents(result["totals"]["discount"]) == 595


async def test_buy_two_get_one_free_makes_the_cheapest_item_free(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="buy_x_get_y", buy_quantity=2, get_quantity=1)
    items = [(shop.game.variant_id, 2), (shop.book.variant_id, 1)]
    result = await preview(client, admin, items)
    assert cents(line_of(result, shop.book.variant_id)["gross"]) == 0
    assert cents(result["totals"]["discount"]) == 1070


async def test_spend_tiers_give_more_off_a_larger_order(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(
        client,
        admin,
        kind="tiered",
        tier_basis="spend",
        tiers=[{"threshold": 5000, "percent": "5"}, {"threshold": 10000, "percent": "10"}],
    )
    small = await preview(client, admin, [(shop.game.variant_id, 1)])
    large = await preview(client, admin, [(shop.game.variant_id, 2)])
    assert cents(small["totals"]["discount"]) == 298  # 5% of 59.50, half-up
    assert cents(large["totals"]["discount"]) == 1190


async def test_a_cart_discount_needs_its_minimum_order(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    rule = await discount(client, admin, kind="cart", amount=eur(1000), min_subtotal=eur(5000))
    below = await preview(client, admin, [(shop.comic.variant_id, 1)])
    above = await preview(client, admin, [(shop.comic.variant_id, 1), (shop.game.variant_id, 1)])
    assert skipped(below, rule["id"])["reason"] == "min_subtotal_not_met"
    assert cents(above["totals"]["discount"]) == 1000
    shares = [cents(line["discount"]) for line in above["lines"]]
    assert shares == [167, 833]  # spread over the lines by their gross


async def test_free_shipping_takes_off_the_shipping(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="free_shipping", min_subtotal=eur(1000))
    result = await preview(client, admin, [(shop.comic.variant_id, 1)], shipping=eur(495))
    assert result["shipping"]["gross"] == eur(0)
    assert cents(result["totals"]["total"]) == 1190

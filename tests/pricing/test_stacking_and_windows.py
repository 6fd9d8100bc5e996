"""Stacking, priority and exclusivity on real rules; validity windows follow the clock."""

from __future__ import annotations

import httpx

from emporium.kernel.clock import FakeClock
from tests.pricing.conftest import Shop
from tests.pricing.support import cents, discount, eur, preview, skipped
from tests.support.auth import AuthedUser


async def test_combinable_discounts_apply_by_priority_on_what_is_left(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    later = await discount(client, admin, kind="percentage", percent="10", priority=1)
    first = await discount(client, admin, kind="fixed", amount=eur(950), priority=9)
    result = await preview(client, admin, [(shop.game.variant_id, 1)])
    applied = [(a["rule_id"], cents(a["amount"])) for a in result["explanation"]["applied"]]
    assert applied == [(first["id"], 950), (later["id"], 500)]


async def test_an_exclusive_code_replaces_the_automatic_discounts(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    automatic = await discount(client, admin, kind="percentage", percent="10")
    vip = await discount(client, admin, kind="percentage", percent="25", code="VIP", exclusive=True)
    result = await preview(client, admin, [(shop.game.variant_id, 1)], codes=["vip"])
    assert [a["rule_id"] for a in result["explanation"]["applied"]] == [vip["id"]]
    excluded = skipped(result, automatic["id"])
    assert excluded["reason"] == "excluded_by_exclusive_rule"
    assert excluded["details"] == {"rule_id": vip["id"]}


async def test_of_two_exclusive_discounts_the_higher_priority_wins(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="50", exclusive=True, priority=1)
    chosen = await discount(
        client, admin, kind="fixed", amount=eur(100), exclusive=True, priority=2
    )
    result = await preview(client, admin, [(shop.game.variant_id, 1)])
    assert [a["rule_id"] for a in result["explanation"]["applied"]] == [chosen["id"]]


async def test_a_discount_applies_only_within_its_window(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop, clock: FakeClock
) -> None:
    rule = await discount(
        client,
        admin,
        kind="percentage",
        percent="10",
        starts_at="2026-01-15T10:05:00Z",  # the clock starts at 10:00
        ends_at="2026-01-15T10:10:00Z",
    )
    items = [(shop.comic.variant_id, 1)]
    assert skipped(await preview(client, admin, items), rule["id"])["reason"] == "not_started"
    clock.advance(minutes=5)
    assert cents((await preview(client, admin, items))["totals"]["discount"]) == 119
    clock.advance(minutes=5)
    result = await preview(client, admin, items)
    assert result["totals"]["discount"] == eur(0)
    assert rule["id"] not in [s["rule_id"] for s in result["explanation"]["not_applied"]]


async def test_an_expired_code_says_when_it_ended(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop, clock: FakeClock
) -> None:
    rule = await discount(
        client, admin, kind="fixed", amount=eur(100), code="JAN", ends_at="2026-01-15T10:01:00Z"
    )
    clock.advance(minutes=2)
    result = await preview(client, admin, [(shop.comic.variant_id, 1)], codes=["JAN"])
    why = skipped(result, rule["id"])
    assert why["reason"] == "expired"
    assert why["message"] == "This discount ended at 2026-01-15T10:01:00Z"

"""Entering a code: it applies, or 409 DISCOUNT_NOT_APPLICABLE says why in details.reason."""

from __future__ import annotations

import uuid

import httpx
import pytest

from emporium.contexts.pricing import (
    DiscountNotApplicable,
    LineRequest,
    PricingInput,
    build_input,
    check_code,
)
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import discount, eur
from tests.support.auth import AuthedUser


async def _input(runtime: Runtime, variant_id: str, quantity: int = 1) -> PricingInput:
    async with runtime.db.read() as session:
        return await build_input(
            session,
            [LineRequest(new_id(), uuid.UUID(variant_id), quantity)],
            customer_id=None,
            codes=[],
            country="DE",
            shipping=Money(495, "EUR"),
            now=runtime.clock.now(),
        )


async def _refusal(runtime: Runtime, code: str, data: PricingInput) -> DiscountNotApplicable:
    with pytest.raises(DiscountNotApplicable) as raised:
        async with runtime.db.read() as session:
            await check_code(session, code, data)
    return raised.value


async def test_a_code_that_applies_is_accepted_whatever_its_case(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="10", code="SAGA10")
    data = await _input(runtime, shop.comic.variant_id)
    async with runtime.db.read() as session:
        assert await check_code(session, "saga10", data) is None


async def test_an_unknown_code_is_refused(runtime: Runtime, shop: Shop) -> None:
    error = await _refusal(runtime, "NOSUCH", await _input(runtime, shop.comic.variant_id))
    assert (error.status, error.code) == (409, "DISCOUNT_NOT_APPLICABLE")
    assert error.details == {"reason": "unknown_code", "code": "NOSUCH"}


async def test_a_code_below_its_minimum_says_how_much_to_spend(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="fixed", amount=eur(500), code="BIG", min_subtotal=eur(5000))
    error = await _refusal(runtime, "BIG", await _input(runtime, shop.comic.variant_id))
    assert error.details["reason"] == "min_subtotal_not_met"
    assert error.message == "Spend at least 50.00 EUR on qualifying items (now 11.90 EUR)"


async def test_a_code_for_other_items_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(
        client,
        admin,
        kind="percentage",
        percent="20",
        code="GAMES",
        conditions={"product_ids": [shop.game.product_id]},
    )
    error = await _refusal(runtime, "GAMES", await _input(runtime, shop.comic.variant_id))
    assert error.details["reason"] == "no_matching_items"


async def test_a_combinable_code_under_an_exclusive_discount_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="30", exclusive=True)
    await discount(client, admin, kind="percentage", percent="5", code="SMALL")
    error = await _refusal(runtime, "SMALL", await _input(runtime, shop.comic.variant_id))
    assert error.details["reason"] == "excluded_by_exclusive_rule"


async def test_an_inactive_code_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="free_shipping", code="SHIPFREE", active=False)
    error = await _refusal(runtime, "shipfree", await _input(runtime, shop.comic.variant_id))
    assert error.details == {"reason": "inactive", "code": "SHIPFREE"}

"""The demo's discounts are ready to try: a welcome code, free shipping, a club discount."""

from __future__ import annotations

import uuid

import httpx

from emporium.contexts.pricing import seed_demo_pricing
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import cents, eur, preview
from tests.support.auth import AuthedUser, register_buyer


async def test_the_demo_discounts_apply_to_a_club_member(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    member = await register_buyer(client)
    async with runtime.uow() as uow:
        made = await seed_demo_pricing(
            uow, comics_vendor_id=uuid.UUID(shop.vendor_id), club_member_ids=[member.id]
        )
        await uow.commit()
    result = await preview(
        client,
        admin,
        [(shop.game.variant_id, 1)],
        customer_id=str(member.id),
        codes=["welcome10"],
        shipping=eur(495),
    )
    applied = [a["name"] for a in result["explanation"]["applied"]]
    assert made == 4
    assert applied == [
        "Welcome: 10% off your first order",
        "Free shipping from 50 EUR",
        "Collectors club: 5% off every order",
    ]
    assert cents(result["totals"]["total"]) == 5950 - 595 - 268  # 5% of what was left, half-up

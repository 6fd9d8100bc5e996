"""Demo pricing: a collectors' club and a few discounts a visitor can try at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from emporium.contexts.pricing.customer_groups import (
    CustomerGroupCreate,
    add_members,
    create_group,
)
from emporium.contexts.pricing.discount_schemas import DiscountCreate
from emporium.contexts.pricing.discounts import save_discount
from emporium.contexts.pricing.models import DiscountRuleRecord
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork


def _rules(comics_vendor_id: uuid.UUID, club_id: uuid.UUID, currency: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "Welcome: 10% off your first order",
            "kind": "percentage",
            "percent": "10",
            "code": "WELCOME10",
            "usage_limit_per_customer": 1,
        },
        {
            "name": "Free shipping from 50 EUR",
            "kind": "free_shipping",
            "min_subtotal": {"amount": 5000, "currency": currency},
        },
        {
            "name": "Comics: buy 2, get the cheapest of 3 free",
            "kind": "buy_x_get_y",
            "buy_quantity": 2,
            "get_quantity": 1,
            "vendor_id": comics_vendor_id,
        },
        {
            "name": "Collectors club: 5% off every order",
            "kind": "cart",
            "percent": "5",
            "conditions": {"customer_group_ids": [club_id]},
            "priority": -1,
        },
    ]


async def seed_demo_pricing(
    uow: UnitOfWork,
    *,
    comics_vendor_id: uuid.UUID,
    club_member_ids: Sequence[uuid.UUID],
    currency: str = "EUR",
) -> int:
    """The club with its members, and the demo discounts; returns how many rules it made."""
    club = await create_group(
        uow, CustomerGroupCreate(name="Collectors club", description="Regulars of the shop")
    )
    if club_member_ids:
        await add_members(uow, club, list(club_member_ids))
    rules = _rules(comics_vendor_id, club.id, currency)
    for body in rules:
        row = DiscountRuleRecord(id=new_id(), used=0, created_at=uow.clock.now())
        uow.session.add(row)
        await save_discount(uow, row, DiscountCreate.model_validate(body), currency=currency)
    return len(rules)

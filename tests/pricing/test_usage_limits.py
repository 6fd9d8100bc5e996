"""Uses are counted when orders are placed, atomically: racing buyers never overspend a limit."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from emporium.contexts.pricing import DiscountNotApplicable, redeem, release_redemption
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, discount, preview, skipped
from tests.support.auth import AuthedUser


async def _place(
    runtime: Runtime,
    rule_id: str,
    *,
    customer: uuid.UUID | None = None,
    order: uuid.UUID | None = None,
) -> None:
    async with runtime.uow() as uow:
        await redeem(
            uow,
            rule_ids=[uuid.UUID(rule_id)],
            customer_id=customer or new_id(),
            order_id=order or new_id(),
        )
        await uow.commit()


async def _used(client: httpx.AsyncClient, admin: AuthedUser, rule_id: str) -> int:
    read = (await client.get(f"{ADMIN}/discounts/{rule_id}", headers=admin.headers)).json()
    return int(read["used"])


async def test_placing_an_order_counts_one_use(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(client, admin, kind="percentage", percent="10", usage_limit=5)
    await _place(runtime, rule["id"])
    assert await _used(client, admin, rule["id"]) == 1


async def test_of_buyers_racing_for_the_last_use_exactly_one_wins(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(
        client, admin, kind="percentage", percent="10", code="LAST1", usage_limit=1
    )
    outcomes = await asyncio.gather(
        *(_place(runtime, rule["id"]) for _ in range(8)), return_exceptions=True
    )
    losers = [o for o in outcomes if o is not None]
    assert len(losers) == 7
    assert all(isinstance(o, DiscountNotApplicable) for o in losers)
    error = losers[0]
    assert isinstance(error, DiscountNotApplicable)
    assert (error.status, error.code) == (409, "DISCOUNT_NOT_APPLICABLE")
    assert error.details["reason"] == "usage_limit_reached"
    assert await _used(client, admin, rule["id"]) == 1


async def test_one_customer_racing_two_orders_for_their_last_use_gets_one(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(
        client, admin, kind="percentage", percent="10", usage_limit_per_customer=1
    )
    customer = new_id()
    outcomes = await asyncio.gather(
        *(_place(runtime, rule["id"], customer=customer) for _ in range(4)), return_exceptions=True
    )
    losers = [o for o in outcomes if o is not None]
    assert len(losers) == 3
    assert {o.details["reason"] for o in losers if isinstance(o, DiscountNotApplicable)} == {
        "customer_usage_limit_reached"
    }
    assert await _used(client, admin, rule["id"]) == 1


async def test_other_customers_still_have_their_own_uses(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(
        client, admin, kind="percentage", percent="10", usage_limit_per_customer=1
    )
    await _place(runtime, rule["id"], customer=new_id())
    await _place(runtime, rule["id"], customer=new_id())
    assert await _used(client, admin, rule["id"]) == 2


async def test_redeeming_the_same_order_again_counts_nothing_twice(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(client, admin, kind="percentage", percent="10", usage_limit=1)
    order = new_id()
    await _place(runtime, rule["id"], order=order)
    await _place(runtime, rule["id"], order=order)
    assert await _used(client, admin, rule["id"]) == 1


async def test_a_cancelled_order_gives_its_use_back(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(client, admin, kind="percentage", percent="10", usage_limit=1)
    customer, order = new_id(), new_id()
    await _place(runtime, rule["id"], customer=customer, order=order)
    async with runtime.uow() as uow:
        released = await release_redemption(uow, order)
        await uow.commit()
    assert released == [uuid.UUID(rule["id"])]
    await _place(runtime, rule["id"], customer=customer)
    assert await _used(client, admin, rule["id"]) == 1


async def test_a_used_up_code_is_explained_as_used_up(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    rule = await discount(
        client, admin, kind="percentage", percent="10", code="ONCE", usage_limit=1
    )
    await _place(runtime, rule["id"])
    result = await preview(client, admin, [(shop.comic.variant_id, 1)], codes=["once"])
    assert skipped(result, rule["id"])["reason"] == "usage_limit_reached"


async def test_a_used_discount_cannot_be_deleted(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(client, admin, kind="percentage", percent="10")
    await _place(runtime, rule["id"])
    response = await client.delete(f"{ADMIN}/discounts/{rule['id']}", headers=admin.headers)
    assert response.status_code == 409


async def test_a_guest_cannot_redeem_a_rule_limited_per_customer(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    rule = await discount(
        client, admin, kind="percentage", percent="10", usage_limit_per_customer=2
    )
    with pytest.raises(DiscountNotApplicable) as raised:
        async with runtime.uow() as uow:
            await redeem(uow, rule_ids=[uuid.UUID(rule["id"])], customer_id=None, order_id=new_id())
    assert raised.value.details["reason"] == "sign_in_required"
    assert await _used(client, admin, rule["id"]) == 0

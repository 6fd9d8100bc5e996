"""Escrow holds: locked per fulfillment, released once (confirmation or timer) minus commission."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, HoldAlreadyResolved, HoldStatus, ReleaseReason
from emporium.kernel.clock import FakeClock
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_seller
from tests.support.webhooks import events_of
from tests.wallet.builders import WEEK, balance_of, eur, hold, release, seller_wallet, vendor_of


async def confirm(runtime: Runtime, hold_id: uuid.UUID, vendor_id: uuid.UUID) -> None:
    """The buyer confirms delivery: release at the vendor's own commission rate."""
    async with runtime.uow() as uow:
        rate = await wallet.commission_rate_for(
            uow.session, vendor_id, runtime.settings.commission_rate
        )
        await wallet.release_hold(uow, hold_id, commission_rate=rate)
        await uow.commit()


async def test_a_two_vendor_order_pays_each_vendor_minus_its_commission_to_the_cent(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock, admin: AuthedUser
) -> None:
    comics = await register_seller(client, vendor_name="Comics")
    games = await register_seller(client, vendor_name="Games")
    comics_id, games_id = await vendor_of(client, comics), await vendor_of(client, games)
    response = await client.patch(
        f"/api/v1/admin/vendors/{games_id}",
        json={"commission_rate": "0.125"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    order = uuid.uuid4()
    first = await hold(runtime, vendor_id=comics_id, amount=eur(12345), order_id=order)
    second = await hold(runtime, vendor_id=games_id, amount=eur(8765), order_id=order)
    assert await seller_wallet(client, comics) == {
        "available": 0,
        "pending": 12345,
        "in_transit": 0,
        "debt": 0,
    }

    await confirm(runtime, first.id, comics_id)
    # 12345 * 10 % = 1234.5 → 1235 (half-up to the cent).
    assert await seller_wallet(client, comics) == {
        "available": 12345 - 1235,
        "pending": 0,
        "in_transit": 0,
        "debt": 0,
    }
    clock.advance(WEEK)  # the sellers' access tokens expire too: read through the facade
    await run_due_jobs(runtime)

    # 8765 * 12.5 % = 1095.625 → 1096.
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, games_id) == eur(8765 - 1096)
    assert await balance_of(runtime, AccountKind.ESCROW, games_id) == eur(0)
    assert await balance_of(runtime, AccountKind.PLATFORM_COMMISSION, None) == eur(1235 + 1096)
    async with runtime.db.read() as session:
        holds = {h.id: h for h in await wallet.holds_of_order(session, order)}
    assert holds[first.id].release_reason is ReleaseReason.CONFIRMED
    assert holds[second.id].release_reason is ReleaseReason.TIMER
    released = await events_of(runtime, "wallet.funds_released")
    assert [e.payload["amount"]["amount"] for e in released] == [11110, 7669]
    assert [e.payload["commission"]["amount"] for e in released] == [1235, 1096]


async def test_the_timer_leaves_a_hold_alone_until_it_is_due(
    runtime: Runtime, clock: FakeClock
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(5000))

    clock.advance(WEEK - timedelta(seconds=1))
    await run_due_jobs(runtime)
    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(5000)

    clock.advance(seconds=1)
    await run_due_jobs(runtime)
    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(0)
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(4500)
    async with runtime.db.read() as session:
        view = await wallet.get_hold(session, held.id)
    assert view is not None
    assert view.status is HoldStatus.RELEASED


async def test_confirmation_and_timer_racing_release_the_hold_once(
    runtime: Runtime, clock: FakeClock
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))
    clock.advance(WEEK)

    async def confirmation() -> None:
        with contextlib.suppress(HoldAlreadyResolved):
            await release(runtime, held.id)

    await asyncio.gather(confirmation(), run_due_jobs(runtime))

    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(9000)
    assert await balance_of(runtime, AccountKind.PLATFORM_COMMISSION, None) == eur(1000)
    assert len(await events_of(runtime, "wallet.funds_released")) == 1


async def test_a_released_hold_cannot_be_released_again(runtime: Runtime) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))
    await release(runtime, held.id)

    with pytest.raises(HoldAlreadyResolved) as refused:
        await release(runtime, held.id)

    assert refused.value.code == "INVALID_STATE_TRANSITION"
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(9000)


async def test_a_hold_with_no_commission_goes_to_the_vendor_whole(runtime: Runtime) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(777))

    await release(runtime, held.id, rate="0")

    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(777)


async def test_a_disputed_hold_waits_for_its_resolution_past_the_timer(
    runtime: Runtime, clock: FakeClock
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(4000))
    async with runtime.uow() as uow:
        await wallet.dispute_hold(uow, held.id)
        await uow.commit()

    clock.advance(WEEK * 2)
    await run_due_jobs(runtime)
    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(4000)

    await release(runtime, held.id)
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(3600)


async def test_holding_the_same_fulfillment_again_holds_it_once(runtime: Runtime) -> None:
    vendor, fulfillment = uuid.uuid4(), uuid.uuid4()

    for _ in range(2):
        async with runtime.uow() as uow:
            await wallet.hold_in_escrow(
                uow,
                fulfillment_id=fulfillment,
                vendor_id=vendor,
                amount=eur(2500),
                locked_until=runtime.clock.now() + WEEK,
            )
            await uow.commit()

    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(2500)
    assert len(await events_of(runtime, "wallet.funds_locked")) == 1


async def test_holding_a_fulfillment_again_for_another_amount_is_refused(
    runtime: Runtime,
) -> None:
    vendor, fulfillment = uuid.uuid4(), uuid.uuid4()

    async def hold_it(amount: Money) -> None:
        async with runtime.uow() as uow:
            await wallet.hold_in_escrow(
                uow,
                fulfillment_id=fulfillment,
                vendor_id=vendor,
                amount=amount,
                locked_until=runtime.clock.now() + WEEK,
            )
            await uow.commit()

    await hold_it(eur(2500))
    with pytest.raises(wallet.CauseConflict):
        await hold_it(eur(2600))


async def test_a_commission_rate_outside_zero_to_one_is_refused(runtime: Runtime) -> None:
    held = await hold(runtime, vendor_id=uuid.uuid4(), amount=eur(1000))
    async with runtime.uow() as uow:
        with pytest.raises(ValidationFailed):
            await wallet.release_hold(uow, held.id, commission_rate=Decimal("1.5"))

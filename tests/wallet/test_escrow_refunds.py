"""Refunds of escrow holds: from escrow before release, from the vendor (or its debt) after."""

from __future__ import annotations

import uuid

import httpx
import pytest

from emporium.contexts.wallet import (
    AccountKind,
    HoldAlreadyResolved,
    HoldStatus,
    RefundExceedsHold,
)
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.support.auth import register_seller
from tests.support.webhooks import events_of
from tests.wallet.builders import (
    GOOD_IBAN,
    WEEK,
    balance_of,
    eur,
    fund_wallet,
    hold,
    pay,
    refund,
    release,
    seller_wallet,
    vendor_of,
)


async def test_a_full_refund_before_release_returns_the_money_and_stops_the_timer(
    runtime: Runtime, clock: FakeClock
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(6000))

    view = await refund(runtime, held.id, eur(6000))
    clock.advance(WEEK)
    await run_due_jobs(runtime)

    assert view.status is HoldStatus.REFUNDED
    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(0)
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(0)
    # Clearing is back where it was before the capture: the card refund goes out from there.
    assert await balance_of(runtime, AccountKind.GATEWAY_CLEARING, None) == eur(0)
    [event] = await events_of(runtime, "wallet.refunded")
    assert event.payload["after_release"] is False


async def test_a_partial_refund_splits_the_hold_and_the_rest_is_released(
    runtime: Runtime,
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))

    split = await refund(runtime, held.id, eur(2500))
    assert (split.status, split.held, split.refunded) == (
        HoldStatus.PARTIALLY_REFUNDED,
        eur(7500),
        eur(2500),
    )
    released = await release(runtime, held.id)

    # The commission is on what was left: 7500 * 10 %.
    assert (released.released, released.commission) == (eur(6750), eur(750))
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(6750)
    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(0)


async def test_partial_refunds_that_add_up_to_the_hold_refund_it_fully(runtime: Runtime) -> None:
    held = await hold(runtime, vendor_id=uuid.uuid4(), amount=eur(3000))

    await refund(runtime, held.id, eur(1000))
    view = await refund(runtime, held.id, eur(2000))

    assert view.status is HoldStatus.REFUNDED
    with pytest.raises(HoldAlreadyResolved):
        await release(runtime, held.id)


async def test_a_refunded_hold_cannot_be_refunded_again(runtime: Runtime) -> None:
    held = await hold(runtime, vendor_id=uuid.uuid4(), amount=eur(3000))
    await refund(runtime, held.id, eur(3000))

    with pytest.raises(HoldAlreadyResolved):
        await refund(runtime, held.id, eur(1))


async def test_a_refund_larger_than_what_is_left_is_refused(runtime: Runtime) -> None:
    held = await hold(runtime, vendor_id=uuid.uuid4(), amount=eur(3000))
    await refund(runtime, held.id, eur(1000))

    with pytest.raises(RefundExceedsHold) as refused:
        await refund(runtime, held.id, eur(2001))

    assert refused.value.details["refundable"] == {"amount": 2000, "currency": "EUR"}


async def test_the_same_refund_is_made_once(runtime: Runtime) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(3000))

    for _ in range(2):
        await refund(runtime, held.id, eur(1000), refund_id="refund-1")

    assert await balance_of(runtime, AccountKind.ESCROW, vendor) == eur(2000)


async def test_a_wallet_paid_order_is_refunded_to_the_wallet(runtime: Runtime) -> None:
    buyer, vendor = uuid.uuid4(), uuid.uuid4()
    await fund_wallet(runtime, buyer, eur(5000))
    await pay(runtime, buyer, eur(4000))
    held = await hold(runtime, vendor_id=vendor, amount=eur(4000))

    await refund(runtime, held.id, eur(4000), to_wallet_of=buyer)

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(5000)


async def test_a_refund_after_release_takes_it_back_from_the_vendor_with_the_commission(
    runtime: Runtime,
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))
    await release(runtime, held.id)  # vendor 9000, commission 1000

    view = await refund(runtime, held.id, eur(5000))

    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(4500)
    assert await balance_of(runtime, AccountKind.PLATFORM_COMMISSION, None) == eur(500)
    assert (view.released, view.commission, view.refunded) == (eur(4500), eur(500), eur(5000))
    [event] = await events_of(runtime, "wallet.refunded")
    assert event.payload["after_release"] is True
    assert event.payload["vendor_debited"] == {"amount": 4500, "currency": "EUR"}
    assert event.payload["commission_returned"] == {"amount": 500, "currency": "EUR"}


async def test_refunds_after_release_in_parts_return_exactly_the_commission_paid(
    runtime: Runtime,
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(999))
    await release(runtime, held.id)  # commission 99.9 → 100, vendor 899

    for part in (333, 333, 333):
        await refund(runtime, held.id, eur(part))

    assert await balance_of(runtime, AccountKind.PLATFORM_COMMISSION, None) == eur(0)
    assert await balance_of(runtime, AccountKind.VENDOR_AVAILABLE, vendor) == eur(0)
    with pytest.raises(HoldAlreadyResolved):
        await refund(runtime, held.id, eur(1))


async def test_a_refund_after_release_the_vendor_cannot_cover_becomes_its_debt(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller = await register_seller(client, vendor_name="Paid Out Comics")
    vendor = await vendor_of(client, seller)
    sold = await hold(runtime, vendor_id=vendor, amount=eur(5000))
    await release(runtime, sold.id, rate="0")
    response = await client.post(
        "/api/v1/seller/payouts",
        json={"amount": {"amount": 4000, "currency": "EUR"}, "iban": GOOD_IBAN},
        headers={**seller.headers, "Idempotency-Key": "payout-1"},
    )
    assert response.status_code == 201, response.text

    await refund(runtime, sold.id, eur(3000))

    assert await seller_wallet(client, seller) == {
        "available": 0,
        "pending": 0,
        "in_transit": 4000,
        "debt": 2000,
    }
    [event] = await events_of(runtime, "wallet.refunded")
    assert event.payload["debt_recorded"] == {"amount": 2000, "currency": "EUR"}

    # The vendor's next release pays the debt off first.
    later = await hold(runtime, vendor_id=vendor, amount=eur(2500))
    await release(runtime, later.id, rate="0")
    wallet_now = await seller_wallet(client, seller)
    assert (wallet_now["available"], wallet_now["debt"]) == (500, 0)

"""Real orders through escrow: placed through the checkout saga, then held, released, refunded.

Each test places checkouts over HTTP, then runs the worker's part (`dispatch_until_idle`,
`run_due_jobs` at the fake clock's now). Hold seconds are shorter than an access token's
life, so a test can see a timer release and still call the API.

The shop's order: one comic (19.99) from the first vendor, two from the second, 4.90 of
shipping shared 1 : 2, so the holds are 21.62 and 43.25 (64.87 in all).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from emporium.contexts import orders, payments, wallet
from emporium.contexts.wallet import AccountKind, HoldStatus, HoldView, ReleaseReason
from emporium.contexts.wallet.models import Account, LedgerTransaction
from emporium.kernel import dispatcher
from emporium.kernel.clock import FakeClock
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.support.auth import AuthedUser, register_buyer
from tests.support.checkout import Shop, filled_cart, method_id, order_body, place, two_vendor_shop
from tests.support.webhooks import events_of
from tests.wallet.builders import balance_of, eur, fund_wallet, vendor_of

HOLD_SECONDS = 600
STORE = "/api/v1/store"
FIRST, SECOND, TOTAL = 2162, 4325, 6487


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"escrow_hold_seconds": HOLD_SECONDS})


@dataclass(frozen=True)
class Market:
    """A two-vendor shop, a buyer and an admin, and what they do to orders."""

    client: httpx.AsyncClient
    runtime: Runtime
    clock: FakeClock
    admin: AuthedUser
    shop: Shop
    buyer: AuthedUser
    vendors: tuple[uuid.UUID, uuid.UUID]

    async def checkout(self, **options: Any) -> dict[str, Any]:
        """Place the shop's order; then the worker's part."""
        items = [(self.shop.variant(0), 1), (self.shop.variant(1), 2)]
        cart = await filled_cart(self.client, self.buyer, items)
        body = order_body(cart, await method_id(self.client), **options)
        response = await place(self.client, self.buyer, body)
        assert response.status_code in (201, 422), response.text
        await dispatch_until_idle(self.runtime)
        placed: dict[str, Any] = response.json()
        return placed

    async def confirm_first(self, order_id: str) -> None:
        """The first vendor ships its parcel and the buyer confirms it arrived."""
        order = await self.client.get(f"{STORE}/orders/{order_id}", headers=self.buyer.headers)
        ours = str(self.vendors[0])
        fulfillment = next(f for f in order.json()["fulfillments"] if f["vendor_id"] == ours)
        shipped = await self.client.post(
            f"/api/v1/seller/fulfillments/{fulfillment['id']}/ship",
            json={},
            headers=self.shop.sellers[0].headers,
        )
        assert shipped.status_code == 200, shipped.text
        url = f"{STORE}/orders/{order_id}/fulfillments/{fulfillment['id']}/confirm-delivery"
        confirmed = await self.post(url, self.buyer)
        assert confirmed.status_code == 200, confirmed.text

    async def refund(self, order_id: str, cents: int | None = None) -> None:
        """An admin refunds cents of the order (None: all that is left)."""
        body: dict[str, Any] = {"reason": "damaged in transit"}
        if cents is not None:
            body["amount"] = {"amount": cents, "currency": "EUR"}
        response = await self.post(f"/api/v1/admin/orders/{order_id}/refund", self.admin, body)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "succeeded", response.text
        await dispatch_until_idle(self.runtime)

    async def cancel(self, order_id: str) -> None:
        response = await self.post(f"{STORE}/orders/{order_id}/cancel", self.buyer)
        assert response.status_code == 200, response.text
        await dispatch_until_idle(self.runtime)

    async def release_due(self) -> None:
        """Events first, then the hold time passes and the timers run."""
        await dispatch_until_idle(self.runtime)
        self.clock.advance(seconds=HOLD_SECONDS)
        await run_due_jobs(self.runtime)

    async def post(
        self, url: str, user: AuthedUser, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        headers = {**user.headers, "Idempotency-Key": str(uuid.uuid4())}
        return await self.client.post(url, json=body, headers=headers)

    async def holds(self, order_id: str) -> list[HoldView]:
        """The order's holds, the first vendor's first."""
        async with self.runtime.db.read() as session:
            found = await wallet.holds_of_order(session, uuid.UUID(order_id))
        return sorted(found, key=lambda h: self.vendors.index(h.vendor_id))

    async def balance(self, kind: AccountKind, owner: uuid.UUID | None = None) -> Money:
        return await balance_of(self.runtime, kind, owner)

    async def available(self) -> list[Money]:
        return [await self.balance(AccountKind.VENDOR_AVAILABLE, v) for v in self.vendors]

    async def in_escrow(self) -> Money:
        return eur(sum([(await self.balance(AccountKind.ESCROW, v)).amount for v in self.vendors]))


@pytest.fixture
async def market(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock, admin: AuthedUser
) -> Market:
    shop = await two_vendor_shop(client, admin)
    first, second = [await vendor_of(client, seller) for seller in shop.sellers]
    buyer = await register_buyer(client)
    return Market(client, runtime, clock, admin, shop, buyer, (first, second))


async def test_a_two_vendor_order_pays_each_vendor_its_hold_minus_commission_to_the_cent(
    market: Market,
) -> None:
    second = market.vendors[1]
    await market.client.patch(
        f"/api/v1/admin/vendors/{second}",
        json={"commission_rate": "0.125"},
        headers=market.admin.headers,
    )
    placed = await market.checkout()
    assert [h.amount for h in await market.holds(placed["order_id"])] == [eur(FIRST), eur(SECOND)]
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(-TOTAL)

    await market.confirm_first(placed["order_id"])
    await market.release_due()

    holds = await market.holds(placed["order_id"])
    assert [h.release_reason for h in holds] == [ReleaseReason.CONFIRMED, ReleaseReason.TIMER]
    # 21.62 * 10 % = 2.162 → 2.16; 43.25 * 12.5 % = 5.40625 → 5.41.
    assert await market.available() == [eur(FIRST - 216), eur(SECOND - 541)]
    assert await market.balance(AccountKind.PLATFORM_COMMISSION) == eur(216 + 541)
    assert await market.in_escrow() == eur(0)
    async with market.runtime.db.read() as session:
        assert await wallet.trial_balance(session) == {"EUR": 0}


async def test_a_refund_before_release_comes_out_of_escrow_in_proportion(market: Market) -> None:
    placed = await market.checkout()

    await market.refund(placed["order_id"], 1000)

    # 10.00 over holds of 21.62 and 43.25: 3.33 and 6.67.
    assert [h.refunded for h in await market.holds(placed["order_id"])] == [eur(333), eur(667)]
    assert await market.in_escrow() == eur(TOTAL - 1000)
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(-TOTAL + 1000)
    await market.release_due()
    # What is left of each hold is released, the commission taken on that rest only.
    assert await market.available() == [eur(1829 - 183), eur(3658 - 366)]


async def test_a_full_refund_before_release_leaves_nothing_for_the_timer(market: Market) -> None:
    placed = await market.checkout()

    await market.refund(placed["order_id"])
    await market.release_due()

    assert {h.status for h in await market.holds(placed["order_id"])} == {HoldStatus.REFUNDED}
    assert await market.in_escrow() == eur(0)
    assert await market.available() == [eur(0), eur(0)]
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(0)
    assert await events_of(market.runtime, wallet.FundsReleased.type) == []


async def test_a_refund_after_release_takes_the_money_back_from_the_vendors(
    market: Market,
) -> None:
    placed = await market.checkout()
    await market.confirm_first(placed["order_id"])
    await market.release_due()

    await market.refund(placed["order_id"])

    assert {h.status for h in await market.holds(placed["order_id"])} == {HoldStatus.REFUNDED}
    assert await market.available() == [eur(0), eur(0)]
    for vendor in market.vendors:
        assert await market.balance(AccountKind.VENDOR_RECEIVABLE, vendor) == eur(0)
    assert await market.balance(AccountKind.PLATFORM_COMMISSION) == eur(0)
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(0)


async def test_a_checkout_refused_by_the_carrier_leaves_no_money_in_escrow(
    market: Market,
) -> None:
    failed = await market.checkout(postal_code="99999")
    await market.release_due()

    assert failed["failure"]["code"] == "SHIPPING_UNAVAILABLE"
    assert {h.status for h in await market.holds(failed["order_id"])} == {HoldStatus.REFUNDED}
    assert await market.in_escrow() == eur(0)
    assert await market.available() == [eur(0), eur(0)]
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(0)


async def test_a_buyer_cancellation_takes_each_hold_back_once(market: Market) -> None:
    placed = await market.checkout()

    await market.cancel(placed["order_id"])

    refunded = await events_of(market.runtime, wallet.Refunded.type)
    assert sorted(e.payload["amount"]["amount"] for e in refunded) == [FIRST, SECOND]
    assert await market.in_escrow() == eur(0)
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(0)
    async with market.runtime.db.read() as session:
        view = await orders.get_order_view(session, uuid.UUID(placed["order_id"]))
        assert view is not None and view.payment_id is not None
        payment = await payments.get_payment(session, view.payment_id)
    assert payment is not None and payment.status is payments.PaymentStatus.REFUNDED


async def test_a_cancellation_after_a_partial_refund_returns_only_the_rest(
    market: Market,
) -> None:
    placed = await market.checkout()
    await market.refund(placed["order_id"], 1000)

    await market.cancel(placed["order_id"])

    refunded = await events_of(market.runtime, wallet.Refunded.type)
    assert sum(e.payload["amount"]["amount"] for e in refunded) == TOTAL
    assert {h.status for h in await market.holds(placed["order_id"])} == {HoldStatus.REFUNDED}
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(0)


async def test_a_wallet_paid_order_moves_the_wallet_through_escrow_to_the_vendors(
    market: Market,
) -> None:
    await fund_wallet(market.runtime, market.buyer.id, eur(10_000))

    placed = await market.checkout(token=None)
    assert await market.balance(AccountKind.BUYER_WALLET, market.buyer.id) == eur(10_000 - TOTAL)
    assert await market.in_escrow() == eur(TOTAL)
    await market.confirm_first(placed["order_id"])
    await market.release_due()

    assert await market.available() == [eur(FIRST - 216), eur(SECOND - 433)]
    # The gateway still holds the top-up: it paid the vendors and the platform through escrow.
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(-10_000)


async def test_a_cancelled_wallet_paid_order_returns_the_money_to_the_wallet_once(
    market: Market,
) -> None:
    await fund_wallet(market.runtime, market.buyer.id, eur(10_000))
    placed = await market.checkout(token=None)

    await market.cancel(placed["order_id"])

    assert await market.balance(AccountKind.BUYER_WALLET, market.buyer.id) == eur(10_000)
    assert await market.in_escrow() == eur(0)
    assert await market.balance(AccountKind.GATEWAY_CLEARING) == eur(-10_000)


async def test_a_confirmation_racing_the_timer_releases_the_hold_once(market: Market) -> None:
    placed = await market.checkout()
    await market.confirm_first(placed["order_id"])
    market.clock.advance(seconds=HOLD_SECONDS)

    await asyncio.gather(dispatch_until_idle(market.runtime), run_due_jobs(market.runtime))

    first = (await market.holds(placed["order_id"]))[0]
    released = await events_of(market.runtime, wallet.FundsReleased.type)
    assert [e.payload["hold_id"] for e in released].count(str(first.id)) == 1
    assert (await market.available())[0] == eur(FIRST - 216)
    assert await market.balance(AccountKind.ESCROW, market.vendors[0]) == eur(0)


async def ledger_snapshot(runtime: Runtime) -> tuple[object, ...]:
    """Every account's balance and version, how many transactions, how many wallet events."""
    async with runtime.db.read() as session:
        accounts = (
            await session.execute(
                select(Account.code, Account.balance, Account.version).order_by(Account.code)
            )
        ).all()
        transactions = await session.scalar(select(func.count()).select_from(LedgerTransaction))
    wallet_events = await events_of(
        runtime, wallet.FundsLocked.type, wallet.FundsReleased.type, wallet.Refunded.type
    )
    return tuple(accounts), transactions, len(wallet_events)


async def test_replaying_the_escrow_subscriber_changes_nothing(market: Market) -> None:
    placed = await market.checkout()
    await market.refund(placed["order_id"], 500)
    await market.confirm_first(placed["order_id"])
    await market.checkout(postal_code="99999")
    await market.release_due()
    await market.refund(placed["order_id"], 700)
    before = await ledger_snapshot(market.runtime)

    await dispatcher.replay(market.runtime, wallet.ORDER_ESCROW)
    replayed = await dispatch_until_idle(market.runtime)

    assert replayed > 0
    assert await ledger_snapshot(market.runtime) == before


async def test_the_escrow_subscriber_follows_the_orders_events(runtime: Runtime) -> None:
    subscriber = runtime.subscribers.get(wallet.ORDER_ESCROW)

    assert subscriber is not None and subscriber.replayable
    assert set(subscriber.types or ()) == {
        orders.FulfillmentCreated.type,
        orders.FulfillmentCancelled.type,
        orders.DeliveryConfirmed.type,
        orders.OrderRefunded.type,
    }

"""Builders for wallet tests: money, funded wallets, holds, vendors with funds, balances."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import httpx

from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, Cause, HoldView
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_seller

WEEK = timedelta(days=7)
GOOD_IBAN = "DE89370400440532013000"
CLOSED_IBAN = "DE52370400440532013666"
UNREACHABLE_IBAN = "DE88370400440532013503"


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


async def assert_books_balance(runtime: Runtime) -> None:
    """The trial balance is zero in every currency and every balance is its entries' sum."""
    async with runtime.db.read() as session:
        totals = await wallet.trial_balance(session)
        mismatches = await wallet.check_balances(session)
    assert not any(totals.values()), totals
    assert mismatches == []


async def drain_payouts(runtime: Runtime) -> None:
    await wallet.payout_sender(runtime).drain()


async def fund_wallet(runtime: Runtime, buyer_id: uuid.UUID, amount: Money) -> wallet.TopUpView:
    """Top the buyer's wallet up by card (the sandbox's tok_visa), through the facade."""
    return await wallet.top_up(
        runtime,
        wallet.TopUpWallet(
            buyer_id=buyer_id, amount=amount, token="tok_visa", key=str(uuid.uuid4())
        ),
    )


async def hold(
    runtime: Runtime,
    *,
    vendor_id: uuid.UUID,
    amount: Money,
    order_id: uuid.UUID | None = None,
    lock_for: timedelta = WEEK,
) -> HoldView:
    """A captured fulfillment's money held in escrow (as the checkout will do)."""
    async with runtime.uow() as uow:
        view = await wallet.hold_in_escrow(
            uow,
            fulfillment_id=uuid.uuid4(),
            vendor_id=vendor_id,
            amount=amount,
            locked_until=runtime.clock.now() + lock_for,
            order_id=order_id,
        )
        await uow.commit()
    return view


async def release(runtime: Runtime, hold_id: uuid.UUID, rate: str = "0.10") -> HoldView:
    async with runtime.uow() as uow:
        view = await wallet.release_hold(uow, hold_id, commission_rate=Decimal(rate))
        await uow.commit()
    return view


async def refund(
    runtime: Runtime,
    hold_id: uuid.UUID,
    amount: Money,
    *,
    to_wallet_of: uuid.UUID | None = None,
    refund_id: str | None = None,
) -> HoldView:
    async with runtime.uow() as uow:
        view = await wallet.refund_hold(
            uow,
            hold_id,
            amount,
            refund_id=refund_id or str(uuid.uuid4()),
            to_wallet_of=to_wallet_of,
        )
        await uow.commit()
    return view


async def pay(runtime: Runtime, buyer_id: uuid.UUID, amount: Money) -> wallet.TransactionView:
    """A wallet payment for a new checkout."""
    async with runtime.uow() as uow:
        txn = await wallet.pay_from_wallet(
            uow, buyer_id=buyer_id, amount=amount, cause=Cause.of("checkout", uuid.uuid4())
        )
        await uow.commit()
    return txn


async def balance_of(
    runtime: Runtime, kind: AccountKind, owner_id: uuid.UUID | None, currency: str = "EUR"
) -> Money:
    """An account's balance (zero when it does not exist yet)."""
    async with runtime.db.read() as session:
        account = await wallet.find_account(session, kind, owner_id, currency)
        if account is None:
            return Money.zero(currency)
        return await wallet.balance(session, account)


async def vendor_of(client: httpx.AsyncClient, seller: AuthedUser) -> uuid.UUID:
    response = await client.get("/api/v1/seller/vendor", headers=seller.headers)
    assert response.status_code == 200, response.text
    return uuid.UUID(response.json()["id"])


async def seller_with_funds(
    runtime: Runtime, client: httpx.AsyncClient, available: Money
) -> tuple[AuthedUser, uuid.UUID]:
    """A seller whose vendor has `available` to pay out (a hold released at zero commission)."""
    seller = await register_seller(client, vendor_name=f"Vendor {uuid.uuid4().hex[:6]}")
    vendor_id = await vendor_of(client, seller)
    held = await hold(runtime, vendor_id=vendor_id, amount=available)
    await release(runtime, held.id, rate="0")
    return seller, vendor_id


async def seller_wallet(client: httpx.AsyncClient, seller: AuthedUser) -> dict[str, int]:
    response = await client.get("/api/v1/seller/wallet", headers=seller.headers)
    assert response.status_code == 200, response.text
    return {name: money["amount"] for name, money in response.json().items()}

"""Paying a checkout from the wallet: all or nothing, once per cause, never below zero."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, Cause
from emporium.kernel.errors import PaymentFailed
from emporium.kernel.runtime import Runtime
from tests.support.webhooks import events_of
from tests.wallet.builders import balance_of, eur, fund_wallet, pay


async def test_a_wallet_payment_moves_the_money_to_clearing(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    await fund_wallet(runtime, buyer, eur(5000))

    await pay(runtime, buyer, eur(3250))

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(1750)
    # Top-up and payment both went through clearing: what is left there is the top-up only.
    assert await balance_of(runtime, AccountKind.GATEWAY_CLEARING, None) == eur(-1750)
    [event] = await events_of(runtime, "wallet.paid")
    assert event.payload["amount"] == {"amount": 3250, "currency": "EUR"}


async def test_a_wallet_payment_without_enough_balance_fails_and_moves_nothing(
    runtime: Runtime,
) -> None:
    buyer = uuid.uuid4()
    await fund_wallet(runtime, buyer, eur(1000))

    with pytest.raises(PaymentFailed) as failed:
        await pay(runtime, buyer, eur(1001))

    assert failed.value.status == 402
    assert failed.value.details["reason"] == "insufficient_funds"
    assert failed.value.details["balance"] == {"amount": 1000, "currency": "EUR"}
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(1000)
    assert await events_of(runtime, "wallet.paid") == []


async def test_a_buyer_without_a_wallet_cannot_pay_from_it(runtime: Runtime) -> None:
    with pytest.raises(PaymentFailed):
        await pay(runtime, uuid.uuid4(), eur(1))


async def test_the_same_checkout_is_paid_once(runtime: Runtime) -> None:
    buyer, checkout = uuid.uuid4(), Cause.of("checkout", uuid.uuid4())
    await fund_wallet(runtime, buyer, eur(5000))

    for _ in range(2):
        async with runtime.uow() as uow:
            await wallet.pay_from_wallet(uow, buyer_id=buyer, amount=eur(2000), cause=checkout)
            await uow.commit()

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(3000)
    assert len(await events_of(runtime, "wallet.paid")) == 1


async def test_a_failed_checkout_gives_the_wallet_payment_back(runtime: Runtime) -> None:
    buyer, checkout = uuid.uuid4(), Cause.of("checkout", uuid.uuid4())
    await fund_wallet(runtime, buyer, eur(5000))
    async with runtime.uow() as uow:
        await wallet.pay_from_wallet(uow, buyer_id=buyer, amount=eur(2000), cause=checkout)
        await uow.commit()

    for _ in range(2):  # a compensation may run twice
        async with runtime.uow() as uow:
            await wallet.return_wallet_payment(
                uow, buyer_id=buyer, amount=eur(2000), cause=checkout
            )
            await uow.commit()

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(5000)


async def test_concurrent_wallet_payments_never_spend_more_than_the_balance(
    runtime: Runtime,
) -> None:
    buyer = uuid.uuid4()
    await fund_wallet(runtime, buyer, eur(10000))

    async def checkout() -> bool:
        try:
            await pay(runtime, buyer, eur(3000))
        except PaymentFailed:
            return False
        return True

    paid = await asyncio.gather(*(checkout() for _ in range(6)))

    assert paid.count(True) == 3
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(1000)

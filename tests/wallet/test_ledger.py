"""The ledger core: balanced postings only, idempotent by cause, balances that never go negative."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from emporium.contexts import wallet
from emporium.contexts.wallet import (
    AccountKind,
    AccountRef,
    Cause,
    CauseConflict,
    InsufficientFunds,
    TransactionKind,
    UnbalancedTransaction,
)
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.wallet.builders import balance_of, eur

CORRECTION = TransactionKind.CORRECTION


async def accounts(runtime: Runtime, *kinds: AccountKind, owner: uuid.UUID) -> list[AccountRef]:
    async with runtime.uow() as uow:
        refs = [
            await wallet.account_for(
                uow, kind, None if kind is AccountKind.GATEWAY_CLEARING else owner, "EUR"
            )
            for kind in kinds
        ]
        await uow.commit()
    return refs


async def post(
    runtime: Runtime, legs: list[tuple[AccountRef, Money]], cause: Cause | None = None
) -> wallet.TransactionView:
    async with runtime.uow() as uow:
        txn = await wallet.post(
            uow, kind=CORRECTION, cause=cause or Cause.of("test", uuid.uuid4()), entries=legs
        )
        await uow.commit()
    return txn


async def test_a_balanced_transaction_moves_money_between_accounts(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )

    txn = await post(runtime, [(clearing, eur(-2500)), (purse, eur(2500))])

    assert not txn.replayed
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(2500)
    assert await balance_of(runtime, AccountKind.GATEWAY_CLEARING, None) == eur(-2500)
    assert txn.amount_on(purse) == eur(2500)


@pytest.mark.parametrize(
    "amounts",
    [[-2500, 2400], [2500], [0, 0], [-100, 50, 49]],
    ids=["off-by-100", "one-leg", "zero", "off-by-one"],
)
async def test_a_transaction_that_does_not_balance_is_refused(
    runtime: Runtime, amounts: list[int]
) -> None:
    buyer = uuid.uuid4()
    refs = await accounts(
        runtime,
        AccountKind.GATEWAY_CLEARING,
        AccountKind.BUYER_WALLET,
        AccountKind.VENDOR_RECEIVABLE,
        owner=buyer,
    )
    with pytest.raises(UnbalancedTransaction):
        await post(runtime, [(ref, eur(a)) for ref, a in zip(refs, amounts, strict=False)])
    assert await balance_of(runtime, AccountKind.GATEWAY_CLEARING, None) == eur(0)


async def test_an_entry_in_another_currency_than_its_account_is_refused(runtime: Runtime) -> None:
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=uuid.uuid4()
    )
    with pytest.raises(UnbalancedTransaction):
        await post(runtime, [(clearing, Money(-100, "USD")), (purse, Money(100, "USD"))])


async def test_posting_the_same_cause_twice_moves_the_money_once(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )
    cause = Cause.of("payment", uuid.uuid4())

    first = await post(runtime, [(clearing, eur(-700)), (purse, eur(700))], cause)
    again = await post(runtime, [(clearing, eur(-700)), (purse, eur(700))], cause)

    assert again.replayed
    assert again.id == first.id
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(700)


async def test_the_same_cause_with_other_entries_is_refused(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )
    cause = Cause.of("payment", uuid.uuid4())
    await post(runtime, [(clearing, eur(-700)), (purse, eur(700))], cause)

    with pytest.raises(CauseConflict):
        await post(runtime, [(clearing, eur(-900)), (purse, eur(900))], cause)
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(700)


async def test_a_wallet_cannot_be_overdrawn(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )
    await post(runtime, [(clearing, eur(-500)), (purse, eur(500))])

    with pytest.raises(InsufficientFunds) as refused:
        await post(runtime, [(purse, eur(-501)), (clearing, eur(501))])

    assert refused.value.details["available"] == {"amount": 500, "currency": "EUR"}
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(500)


async def test_a_refused_posting_leaves_nothing_behind_even_if_the_caller_commits(
    runtime: Runtime,
) -> None:
    buyer = uuid.uuid4()
    clearing, purse, receivable = await accounts(
        runtime,
        AccountKind.GATEWAY_CLEARING,
        AccountKind.BUYER_WALLET,
        AccountKind.VENDOR_RECEIVABLE,
        owner=buyer,
    )
    async with runtime.uow() as uow:
        with pytest.raises(InsufficientFunds):
            await wallet.post(
                uow,
                kind=CORRECTION,
                cause=Cause.of("test", uuid.uuid4()),
                # Clearing's update (first in id order) is done when the wallet's is refused.
                entries=[(clearing, eur(300)), (receivable, eur(200)), (purse, eur(-500))],
            )
        await uow.commit()

    for kind, owner in [
        (AccountKind.GATEWAY_CLEARING, None),
        (AccountKind.VENDOR_RECEIVABLE, buyer),
        (AccountKind.BUYER_WALLET, buyer),
    ]:
        assert await balance_of(runtime, kind, owner) == eur(0)
    async with runtime.db.read() as session:
        assert await session.scalar(text("SELECT count(*) FROM wallet_transaction")) == 0


async def test_each_entry_records_the_balance_after_it(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )
    for cents in (300, 200, -100):
        await post(runtime, [(clearing, eur(-cents)), (purse, eur(cents))])

    async with runtime.db.read() as session:
        lines = await wallet.statement(session, [purse.id], limit=10)

    assert [line.amount.amount for line in lines] == [-100, 200, 300]
    assert [line.balance_after.amount for line in lines] == [400, 500, 300]


async def test_an_account_is_created_once_on_first_use_even_concurrently(
    runtime: Runtime,
) -> None:
    owner = uuid.uuid4()

    async def first_use() -> AccountRef:
        async with runtime.uow() as uow:
            ref = await wallet.account_for(uow, AccountKind.VENDOR_AVAILABLE, owner, "EUR")
            await uow.commit()
        return ref

    refs = await asyncio.gather(*(first_use() for _ in range(5)))

    assert len({ref.id for ref in refs}) == 1


async def test_concurrent_debits_never_overdraw_a_wallet(runtime: Runtime) -> None:
    buyer = uuid.uuid4()
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=buyer
    )
    await post(runtime, [(clearing, eur(-1000)), (purse, eur(1000))])

    async def spend() -> bool:
        try:
            await post(runtime, [(purse, eur(-300)), (clearing, eur(300))])
        except InsufficientFunds:
            return False
        return True

    results = await asyncio.gather(*(spend() for _ in range(8)))

    assert results.count(True) == 3
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, buyer) == eur(100)


async def test_postings_in_opposite_directions_at_once_never_deadlock(runtime: Runtime) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    clearing, a = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=first
    )
    [b] = await accounts(runtime, AccountKind.BUYER_WALLET, owner=second)
    await post(runtime, [(clearing, eur(-2000)), (a, eur(1000)), (b, eur(1000))])

    await asyncio.gather(
        *(post(runtime, [(a, eur(-10)), (b, eur(10))]) for _ in range(10)),
        *(post(runtime, [(b, eur(-10)), (a, eur(10))]) for _ in range(10)),
    )

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, first) == eur(1000)
    assert await balance_of(runtime, AccountKind.BUYER_WALLET, second) == eur(1000)


async def test_the_balance_check_finds_a_balance_changed_behind_the_ledgers_back(
    runtime: Runtime,
) -> None:
    clearing, purse = await accounts(
        runtime, AccountKind.GATEWAY_CLEARING, AccountKind.BUYER_WALLET, owner=uuid.uuid4()
    )
    await post(runtime, [(clearing, eur(-500)), (purse, eur(500))])
    async with runtime.uow() as uow:
        await uow.session.execute(
            text("UPDATE wallet_account SET balance = 5000 WHERE id = :id"),
            {"id": purse.id if runtime.db.is_postgres else purse.id.hex},
        )
        await uow.commit()

    async with runtime.db.read() as session:
        [mismatch] = await wallet.check_balances(session)
        totals = await wallet.trial_balance(session)
    assert (mismatch.account_id, mismatch.balance, mismatch.entries_sum) == (purse.id, 5000, 500)
    assert totals == {"EUR": 4500}
    async with runtime.uow() as uow:  # put it back, so the books balance after the test
        await uow.session.execute(
            text("UPDATE wallet_account SET balance = 500 WHERE id = :id"),
            {"id": purse.id if runtime.db.is_postgres else purse.id.hex},
        )
        await uow.commit()

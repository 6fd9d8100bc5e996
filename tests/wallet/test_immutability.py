"""Posted ledger rows are immutable: the database itself refuses to change or delete them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, Cause, TransactionKind
from emporium.kernel.runtime import Runtime
from tests.wallet.builders import balance_of, eur


async def posted(runtime: Runtime) -> uuid.UUID:
    """One posted transaction (clearing → a new wallet); returns the wallet's owner."""
    owner = uuid.uuid4()
    async with runtime.uow() as uow:
        clearing = await wallet.account_for(uow, AccountKind.GATEWAY_CLEARING, None, "EUR")
        purse = await wallet.account_for(uow, AccountKind.BUYER_WALLET, owner, "EUR")
        await wallet.post(
            uow,
            kind=TransactionKind.TOP_UP,
            cause=Cause.of("payment", uuid.uuid4()),
            entries=[(clearing, eur(-900)), (purse, eur(900))],
        )
        await uow.commit()
    return owner


async def raw(runtime: Runtime, sql: str) -> None:
    """Run sql behind the ledger's back, in a transaction of its own."""
    async with runtime.uow() as uow:
        await uow.session.execute(text(sql))
        await uow.commit()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wallet_entry SET amount = amount * 2",
        "DELETE FROM wallet_entry",
        "UPDATE wallet_transaction SET cause_id = 'forged'",
        "DELETE FROM wallet_transaction",
    ],
    ids=["update-entry", "delete-entry", "update-transaction", "delete-transaction"],
)
async def test_the_database_refuses_to_rewrite_posted_history(runtime: Runtime, sql: str) -> None:
    owner = await posted(runtime)

    with pytest.raises(DBAPIError, match="immutable"):
        await raw(runtime, sql)

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, owner) == eur(900)


async def test_the_database_refuses_to_truncate_the_entries(runtime: Runtime) -> None:
    if not runtime.db.is_postgres:
        pytest.skip("SQLite has no TRUNCATE")
    await posted(runtime)

    with pytest.raises(DBAPIError, match="immutable"):
        await raw(runtime, "TRUNCATE wallet_entry CASCADE")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wallet_account SET kind = 'vendor_available' WHERE kind = 'buyer_wallet'",
        "UPDATE wallet_account SET must_not_go_negative = false",
        "DELETE FROM wallet_account WHERE kind = 'buyer_wallet'",
    ],
    ids=["change-kind", "drop-the-floor", "delete"],
)
async def test_an_account_keeps_its_identity_and_is_never_deleted(
    runtime: Runtime, sql: str
) -> None:
    owner = await posted(runtime)

    with pytest.raises(DBAPIError, match="immutable"):
        await raw(runtime, sql)

    assert await balance_of(runtime, AccountKind.BUYER_WALLET, owner) == eur(900)

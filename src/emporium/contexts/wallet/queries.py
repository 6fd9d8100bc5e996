"""Read side of the wallet: balances, statements, the trial balance and the balance check."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.wallet.escrow import HoldView
from emporium.contexts.wallet.ledger import Cause, account_code
from emporium.contexts.wallet.models import (
    Account,
    AccountKind,
    Entry,
    EscrowHold,
    LedgerTransaction,
    TransactionKind,
)
from emporium.kernel.money import Money

VENDOR_KINDS = (
    AccountKind.VENDOR_AVAILABLE,
    AccountKind.ESCROW,
    AccountKind.PAYOUTS_IN_TRANSIT,
    AccountKind.VENDOR_RECEIVABLE,
)


@dataclass(frozen=True)
class AccountView:
    id: uuid.UUID
    kind: AccountKind
    owner_id: uuid.UUID | None
    balance: Money
    must_not_go_negative: bool
    version: int
    created_at: datetime

    @classmethod
    def of(cls, row: Account) -> AccountView:
        return cls(
            id=row.id,
            kind=AccountKind(row.kind),
            owner_id=row.owner_id,
            balance=Money(row.balance, row.currency),
            must_not_go_negative=row.must_not_go_negative,
            version=row.version,
            created_at=row.created_at,
        )


@dataclass(frozen=True)
class VendorBalances:
    available: Money
    pending: Money  # in escrow, waiting for delivery or the timer
    in_transit: Money  # payouts on their way to the bank
    debt: Money  # refunds after release the vendor could not cover yet


@dataclass(frozen=True)
class StatementLine:
    entry_id: uuid.UUID
    transaction_id: uuid.UUID
    kind: TransactionKind
    cause: Cause
    account_id: uuid.UUID
    account_kind: AccountKind
    amount: Money
    balance_after: Money
    posted_at: datetime
    metadata: dict[str, Any]


@dataclass(frozen=True)
class BalanceMismatch:
    """An account whose maintained balance disagrees with its entries."""

    account_id: uuid.UUID
    code: str
    balance: int
    entries_sum: int
    version: int
    entries: int


async def _balances(
    session: AsyncSession, owner_id: uuid.UUID, kinds: Sequence[AccountKind], currency: str
) -> dict[AccountKind, Money]:
    codes = {account_code(kind, owner_id, currency): kind for kind in kinds}
    rows = await session.execute(
        select(Account.code, Account.balance).where(Account.code.in_(list(codes)))
    )
    found = {codes[code]: Money(int(value), currency) for code, value in rows}
    return {kind: found.get(kind, Money.zero(currency)) for kind in kinds}


async def wallet_balance(session: AsyncSession, buyer_id: uuid.UUID, currency: str) -> Money:
    """What the buyer's wallet holds in currency (zero before its first top-up)."""
    balances = await _balances(session, buyer_id, [AccountKind.BUYER_WALLET], currency)
    return balances[AccountKind.BUYER_WALLET]


async def vendor_balances(
    session: AsyncSession, vendor_id: uuid.UUID, currency: str
) -> VendorBalances:
    """A vendor's available, pending (escrow), in-transit and owed amounts in currency."""
    found = await _balances(session, vendor_id, VENDOR_KINDS, currency)
    return VendorBalances(
        available=found[AccountKind.VENDOR_AVAILABLE],
        pending=found[AccountKind.ESCROW],
        in_transit=found[AccountKind.PAYOUTS_IN_TRANSIT],
        debt=-found[AccountKind.VENDOR_RECEIVABLE],
    )


async def account_ids(
    session: AsyncSession, owner_id: uuid.UUID, kinds: Sequence[AccountKind], currency: str
) -> list[uuid.UUID]:
    """The ids of the owner's accounts of these kinds that exist."""
    codes = [account_code(kind, owner_id, currency) for kind in kinds]
    return list(await session.scalars(select(Account.id).where(Account.code.in_(codes))))


async def statement(
    session: AsyncSession,
    accounts: Sequence[uuid.UUID],
    *,
    limit: int,
    before: uuid.UUID | None = None,
) -> list[StatementLine]:
    """The entries of these accounts, newest first (entry ids are time-ordered)."""
    if not accounts:
        return []
    stmt = (
        select(Entry, LedgerTransaction, Account.kind)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.account_id.in_(list(accounts)))
        .order_by(Entry.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(Entry.id < before)
    return [
        StatementLine(
            entry_id=entry.id,
            transaction_id=txn.id,
            kind=TransactionKind(txn.kind),
            cause=Cause(txn.cause_type, txn.cause_id),
            account_id=entry.account_id,
            account_kind=AccountKind(kind),
            amount=Money(entry.amount, entry.currency),
            balance_after=Money(entry.balance_after, entry.currency),
            posted_at=txn.posted_at,
            metadata=txn.meta,
        )
        for entry, txn, kind in await session.execute(stmt)
    ]


async def trial_balance(session: AsyncSession) -> dict[str, int]:
    """The sum of all balances per currency: zero in every currency when the books balance."""
    rows = await session.execute(
        select(Account.currency, func.sum(Account.balance))
        .group_by(Account.currency)
        .order_by(Account.currency)
    )
    return {currency: int(total or 0) for currency, total in rows}


async def check_balances(session: AsyncSession) -> list[BalanceMismatch]:
    """Accounts whose balance is not the sum of their entries (or version not their count)."""
    sums = (
        select(
            Entry.account_id,
            func.coalesce(func.sum(Entry.amount), 0).label("total"),
            func.count(Entry.id).label("n"),
        )
        .group_by(Entry.account_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Account.id,
            Account.code,
            Account.balance,
            Account.version,
            func.coalesce(sums.c.total, 0),
            func.coalesce(sums.c.n, 0),
        ).outerjoin(sums, sums.c.account_id == Account.id)
    )
    return [
        BalanceMismatch(aid, code, int(bal), int(total), int(version), int(n))
        for aid, code, bal, version, total, n in rows
        if int(bal) != int(total) or int(version) != int(n)
    ]


async def list_accounts(
    session: AsyncSession,
    *,
    kind: AccountKind | None,
    owner_id: uuid.UUID | None,
    currency: str | None,
    limit: int,
    after: uuid.UUID | None = None,
) -> list[AccountView]:
    """Accounts in id order, filtered by kind, owner and currency."""
    stmt = select(Account).order_by(Account.id).limit(limit)
    if kind is not None:
        stmt = stmt.where(Account.kind == kind.value)
    if owner_id is not None:
        stmt = stmt.where(Account.owner_id == owner_id)
    if currency is not None:
        stmt = stmt.where(Account.currency == currency)
    if after is not None:
        stmt = stmt.where(Account.id > after)
    return [AccountView.of(row) for row in await session.scalars(stmt)]


async def get_account(session: AsyncSession, account_id: uuid.UUID) -> AccountView | None:
    row = await session.get(Account, account_id)
    return AccountView.of(row) if row else None


async def get_hold(session: AsyncSession, hold_id: uuid.UUID) -> HoldView | None:
    """An escrow hold by id, or None."""
    hold = await session.get(EscrowHold, hold_id)
    return HoldView.of(hold) if hold else None


async def holds_of_order(session: AsyncSession, order_id: uuid.UUID) -> list[HoldView]:
    """The escrow holds of an order's fulfillments."""
    rows = await session.scalars(
        select(EscrowHold).where(EscrowHold.order_id == order_id).order_by(EscrowHold.id)
    )
    return [HoldView.of(hold) for hold in rows]

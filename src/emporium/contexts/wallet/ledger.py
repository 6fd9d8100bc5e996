"""The double-entry ledger: accounts made on first use, and balanced, immutable transactions.

Rules (after TigerBeetle's): a transaction's entries sum to zero per currency, or it is
refused; it is idempotent by its (kind, cause): posting the same cause again returns the
first transaction, posting it with other entries is refused; posted rows are never changed
(the database refuses UPDATE and DELETE, see migration 0010): a correction is a new
transaction. Each account's balance is maintained in the same database transaction as its
entries by one conditional UPDATE that also checks "must not go negative", so the check and
the write are atomic; accounts are updated in id order, so two postings never deadlock.

That order holds per posting. A unit of work that makes several postings touching shared
accounts (gateway clearing, commission) should lock them all first with `lock_accounts`, or
make one posting per unit of work (as the escrow functions expect to be called: one hold,
release or refund per unit); otherwise PostgreSQL may detect a deadlock and abort one unit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.wallet.errors import CauseConflict, InsufficientFunds, UnbalancedTransaction
from emporium.contexts.wallet.models import (
    MAY_GO_NEGATIVE,
    PLATFORM_KINDS,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    TransactionKind,
)
from emporium.kernel.db import table_of
from emporium.kernel.events import to_json
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

ACCOUNTS = table_of(Account)
ENTRIES = table_of(Entry)
PLATFORM = "platform"


@dataclass(frozen=True)
class Cause:
    """What a transaction happened for (a payment, a fulfillment, a refund, a payout…)."""

    type: str
    id: str

    @classmethod
    def of(cls, type_: str, id_: uuid.UUID | str) -> Cause:
        return cls(type_, str(id_))


@dataclass(frozen=True)
class AccountRef:
    id: uuid.UUID
    kind: AccountKind
    owner_id: uuid.UUID | None
    currency: str


Leg = tuple[AccountRef, Money]


@dataclass(frozen=True)
class EntryView:
    account_id: uuid.UUID
    amount: Money
    balance_after: Money
    account_version: int


@dataclass(frozen=True)
class TransactionView:
    id: uuid.UUID
    kind: TransactionKind
    cause: Cause
    posted_at: datetime
    metadata: dict[str, Any]
    entries: tuple[EntryView, ...]
    replayed: bool = False  # True when the cause had been posted before

    def amount_on(self, account: AccountRef) -> Money:
        """What this transaction moved on account (zero when it did not touch it)."""
        for entry in self.entries:
            if entry.account_id == account.id:
                return entry.amount
        return Money.zero(account.currency)


def account_code(kind: AccountKind, owner_id: uuid.UUID | None, currency: str) -> str:
    return f"{kind.value}:{owner_id or PLATFORM}:{currency}"


def _check_owner(kind: AccountKind, owner_id: uuid.UUID | None) -> None:
    if (kind in PLATFORM_KINDS) != (owner_id is None):
        raise ValueError(f"{kind.value} accounts {'have no' if owner_id else 'need an'} owner")


async def find_account(
    session: AsyncSession, kind: AccountKind, owner_id: uuid.UUID | None, currency: str
) -> AccountRef | None:
    """The account if it exists (reads never create one)."""
    _check_owner(kind, owner_id)
    account_id = await session.scalar(
        select(Account.id).where(Account.code == account_code(kind, owner_id, currency))
    )
    return AccountRef(account_id, kind, owner_id, currency) if account_id else None


async def account_for(
    uow: UnitOfWork, kind: AccountKind, owner_id: uuid.UUID | None, currency: str
) -> AccountRef:
    """The account of this kind, owner and currency, created on first use."""
    session = uow.session
    found = await find_account(session, kind, owner_id, currency)
    if found is not None:
        return found
    await insert_if_absent(
        session,
        Account,
        {
            "id": new_id(),
            "code": account_code(kind, owner_id, currency),
            "kind": kind.value,
            "owner_id": owner_id,
            "currency": currency,
            "must_not_go_negative": kind not in MAY_GO_NEGATIVE,
            "balance": 0,
            "version": 0,
            "created_at": uow.clock.now(),
        },
    )
    created = await find_account(session, kind, owner_id, currency)
    assert created is not None
    return created


async def balance(session: AsyncSession, account: AccountRef) -> Money:
    """The account's maintained balance."""
    value = await session.scalar(select(Account.balance).where(Account.id == account.id))
    return Money(int(value or 0), account.currency)


async def lock_accounts(
    session: AsyncSession, accounts: Iterable[AccountRef]
) -> dict[uuid.UUID, Money]:
    """Lock accounts in id order (the order postings use) and read their balances.

    For callers that must decide amounts from balances (how much of a debt to settle): the
    locks keep the balances until commit, and the shared order keeps them deadlock-free.
    """
    by_id = {a.id: a for a in accounts}
    rows = await session.execute(
        select(Account.id, Account.balance)
        .where(Account.id.in_(sorted(by_id)))
        .order_by(Account.id)
        .with_for_update()
    )
    return {aid: Money(int(value), by_id[aid].currency) for aid, value in rows}


def _validated(entries: Sequence[Leg]) -> list[Leg]:
    legs = list(entries)
    totals: dict[str, int] = defaultdict(int)
    seen: set[uuid.UUID] = set()
    for account, amount in legs:
        if amount.amount == 0 or amount.currency != account.currency or account.id in seen:
            raise UnbalancedTransaction(
                "Each entry moves a non-zero amount in its account's currency, one per account",
                details={"account_id": str(account.id), "amount": amount.to_dict()},
            )
        seen.add(account.id)
        totals[amount.currency] += amount.amount
    if len(legs) < 2 or any(totals.values()):
        raise UnbalancedTransaction(details={"totals": dict(totals), "entries": len(legs)})
    return legs


async def post(
    uow: UnitOfWork,
    *,
    kind: TransactionKind,
    cause: Cause,
    entries: Sequence[Leg],
    metadata: dict[str, Any] | None = None,
) -> TransactionView:
    """Post a balanced transaction once per (kind, cause); refused whole if it cannot be."""
    legs = _validated(entries)
    # A refused posting leaves nothing behind, even if the caller goes on with its unit.
    async with uow.savepoint():
        return await _post(uow, kind, cause, legs, to_json(metadata or {}))


async def _post(
    uow: UnitOfWork,
    kind: TransactionKind,
    cause: Cause,
    legs: list[Leg],
    metadata: dict[str, Any],
) -> TransactionView:
    session = uow.session
    txn_id, now = new_id(), uow.clock.now()
    values = {"id": txn_id, "kind": kind.value, "cause_type": cause.type, "cause_id": cause.id}
    if not await insert_if_absent(
        session, LedgerTransaction, {**values, "posted_at": now, "meta": metadata}
    ):
        existing = await find_transaction(session, kind, cause)
        assert existing is not None
        if _shape(existing.entries) != sorted((a.id, m) for a, m in legs):
            raise CauseConflict(details={"kind": kind.value, "cause": to_json(cause)})
        return existing
    # Id order: two postings over the same accounts lock them in the same order.
    posted = [await _apply(session, a, m) for a, m in sorted(legs, key=lambda leg: leg[0].id)]
    await session.execute(
        insert(ENTRIES),
        [
            {
                "id": new_id(),
                "transaction_id": txn_id,
                "account_id": e.account_id,
                "amount": e.amount.amount,
                "currency": e.amount.currency,
                "balance_after": e.balance_after.amount,
                "account_version": e.account_version,
            }
            for e in posted
        ],
    )
    return TransactionView(txn_id, kind, cause, now, metadata, tuple(posted))


async def _apply(session: AsyncSession, account: AccountRef, amount: Money) -> EntryView:
    """Move the balance by amount unless that takes a floored account below zero: one UPDATE."""
    row = (
        await session.execute(
            update(ACCOUNTS)
            .where(
                ACCOUNTS.c.id == account.id,
                or_(
                    ACCOUNTS.c.must_not_go_negative.is_(False),
                    ACCOUNTS.c.balance + amount.amount >= 0,
                ),
            )
            .values(balance=ACCOUNTS.c.balance + amount.amount, version=ACCOUNTS.c.version + 1)
            .returning(ACCOUNTS.c.balance, ACCOUNTS.c.version)
        )
    ).first()
    if row is None:
        raise InsufficientFunds(details=await _shortfall(session, account, amount))
    return EntryView(account.id, amount, Money(row[0], amount.currency), row[1])


def _shape(entries: Iterable[EntryView]) -> list[tuple[uuid.UUID, Money]]:
    return sorted((e.account_id, e.amount) for e in entries)


async def _shortfall(session: AsyncSession, account: AccountRef, amount: Money) -> dict[str, Any]:
    have = await balance(session, account)
    return {
        "account_id": str(account.id),
        "account": account.kind.value,
        "available": have.to_dict(),
        "requested": (-amount).to_dict(),
    }


async def find_transaction(
    session: AsyncSession, kind: TransactionKind, cause: Cause
) -> TransactionView | None:
    """The transaction posted for (kind, cause), with its entries, or None."""
    txn = await session.scalar(
        select(LedgerTransaction).where(
            LedgerTransaction.kind == kind.value,
            LedgerTransaction.cause_type == cause.type,
            LedgerTransaction.cause_id == cause.id,
        )
    )
    if txn is None:
        return None
    rows = await session.scalars(select(Entry).where(Entry.transaction_id == txn.id))
    entries = tuple(
        EntryView(
            e.account_id,
            Money(e.amount, e.currency),
            Money(e.balance_after, e.currency),
            e.account_version,
        )
        for e in rows
    )
    return TransactionView(txn.id, kind, cause, txn.posted_at, txn.meta, entries, replayed=True)

"""The wallet's routes: buyer wallet, seller wallet and payouts, admin ledger views."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from emporium.contexts.wallet import payouts, queries, top_up
from emporium.contexts.wallet.models import AccountKind
from emporium.contexts.wallet.queries import AccountView, StatementLine
from emporium.kernel.errors import NotFound, ValidationFailed
from emporium.kernel.http.auth import AdminPrincipal, BuyerPrincipal, SellerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime

router = APIRouter(tags=["wallet"])
router.include_router(top_up.router)
router.include_router(payouts.router)

CurrencyParam = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 4217")]


class WalletRead(BaseModel):
    balance: MoneyOut


class SellerWalletRead(BaseModel):
    available: MoneyOut
    pending: MoneyOut
    in_transit: MoneyOut
    debt: MoneyOut


class CauseRead(BaseModel):
    type: str
    id: str


class LineRead(BaseModel):
    id: uuid.UUID
    transaction_id: uuid.UUID
    kind: str
    cause: CauseRead
    account: str
    amount: MoneyOut
    balance_after: MoneyOut
    posted_at: datetime
    metadata: dict[str, Any] | None = None

    @classmethod
    def of(cls, line: StatementLine, *, with_metadata: bool = False) -> LineRead:
        return cls(
            id=line.entry_id,
            transaction_id=line.transaction_id,
            kind=line.kind.value,
            cause=CauseRead(type=line.cause.type, id=line.cause.id),
            account=line.account_kind.value,
            amount=MoneyOut.of(line.amount),
            balance_after=MoneyOut.of(line.balance_after),
            posted_at=line.posted_at,
            metadata=line.metadata if with_metadata else None,
        )


class AccountRead(BaseModel):
    id: uuid.UUID
    kind: str
    owner_id: uuid.UUID | None
    balance: MoneyOut
    must_not_go_negative: bool
    version: int
    created_at: datetime

    @classmethod
    def of(cls, account: AccountView) -> AccountRead:
        return cls(
            id=account.id,
            kind=account.kind.value,
            owner_id=account.owner_id,
            balance=MoneyOut.of(account.balance),
            must_not_go_negative=account.must_not_go_negative,
            version=account.version,
            created_at=account.created_at,
        )


class TrialBalanceRead(BaseModel):
    balanced: bool
    totals: dict[str, int]


class MismatchRead(BaseModel):
    account_id: uuid.UUID
    account: str
    balance: int
    entries_sum: int
    version: int
    entries: int


class LedgerCheckRead(BaseModel):
    balanced: bool
    totals: dict[str, int]
    mismatches: list[MismatchRead]


def _cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    value = parse_id(cursor)
    if value is None:
        raise ValidationFailed("The cursor is not valid", details={"cursor": cursor})
    return value


async def _lines(
    runtime: Runtime,
    ids: Sequence[uuid.UUID],
    limit: int,
    cursor: str | None,
    *,
    with_metadata: bool = False,
) -> Page[LineRead]:
    async with runtime.db.read() as session:
        rows = await queries.statement(session, ids, limit=limit + 1, before=_cursor(cursor))
    items = [LineRead.of(line, with_metadata=with_metadata) for line in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


@router.get("/store/wallet", response_model=WalletRead)
async def get_wallet(
    principal: BuyerPrincipal, runtime: RuntimeDep, currency: CurrencyParam = None
) -> WalletRead:
    currency = currency or runtime.settings.default_currency
    async with runtime.db.read() as session:
        balance = await queries.wallet_balance(session, principal.user_id, currency)
    return WalletRead(balance=MoneyOut.of(balance))


@router.get("/store/wallet/transactions", response_model=Page[LineRead])
async def wallet_transactions(
    principal: BuyerPrincipal,
    runtime: RuntimeDep,
    currency: CurrencyParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[LineRead]:
    """The buyer's own wallet entries, newest first."""
    currency = currency or runtime.settings.default_currency
    async with runtime.db.read() as session:
        kinds = [AccountKind.BUYER_WALLET]
        ids = await queries.account_ids(session, principal.user_id, kinds, currency)
    return await _lines(runtime, ids, limit, cursor)


@router.get("/seller/wallet", response_model=SellerWalletRead)
async def get_seller_wallet(
    principal: SellerPrincipal, runtime: RuntimeDep, currency: CurrencyParam = None
) -> SellerWalletRead:
    currency = currency or runtime.settings.default_currency
    async with runtime.db.read() as session:
        found = await queries.vendor_balances(session, payouts.vendor_of(principal), currency)
    return SellerWalletRead(
        available=MoneyOut.of(found.available),
        pending=MoneyOut.of(found.pending),
        in_transit=MoneyOut.of(found.in_transit),
        debt=MoneyOut.of(found.debt),
    )


@router.get("/seller/wallet/transactions", response_model=Page[LineRead])
async def seller_wallet_transactions(
    principal: SellerPrincipal,
    runtime: RuntimeDep,
    currency: CurrencyParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[LineRead]:
    """Entries on the vendor's accounts (available, pending, in transit, debt), newest first."""
    currency = currency or runtime.settings.default_currency
    vendor = payouts.vendor_of(principal)
    async with runtime.db.read() as session:
        ids = await queries.account_ids(session, vendor, queries.VENDOR_KINDS, currency)
    return await _lines(runtime, ids, limit, cursor)


@router.get("/admin/ledger/trial-balance", response_model=TrialBalanceRead)
async def get_trial_balance(_: AdminPrincipal, runtime: RuntimeDep) -> TrialBalanceRead:
    """The sum of every account's balance per currency: all zero when the books balance."""
    async with runtime.db.read() as session:
        totals = await queries.trial_balance(session)
    return TrialBalanceRead(balanced=not any(totals.values()), totals=totals)


@router.get("/admin/ledger/check", response_model=LedgerCheckRead)
async def get_ledger_check(_: AdminPrincipal, runtime: RuntimeDep) -> LedgerCheckRead:
    """The trial balance, and every account whose balance is not the sum of its entries."""
    async with runtime.db.read() as session:
        totals = await queries.trial_balance(session)
        mismatches = await queries.check_balances(session)
    return LedgerCheckRead(
        balanced=not any(totals.values()) and not mismatches,
        totals=totals,
        mismatches=[
            MismatchRead(
                account_id=m.account_id,
                account=m.code,
                balance=m.balance,
                entries_sum=m.entries_sum,
                version=m.version,
                entries=m.entries,
            )
            for m in mismatches
        ],
    )


@router.get("/admin/ledger/accounts", response_model=Page[AccountRead])
async def list_accounts(
    _: AdminPrincipal,
    runtime: RuntimeDep,
    kind: AccountKind | None = None,
    owner_id: uuid.UUID | None = None,
    currency: CurrencyParam = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[AccountRead]:
    async with runtime.db.read() as session:
        rows = await queries.list_accounts(
            session,
            kind=kind,
            owner_id=owner_id,
            currency=currency,
            limit=limit + 1,
            after=_cursor(cursor),
        )
    items = [AccountRead.of(a) for a in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


async def _account(runtime: Runtime, account_id: str) -> AccountView:
    key = parse_id(account_id)
    async with runtime.db.read() as session:
        account = await queries.get_account(session, key) if key else None
    if account is None:
        raise NotFound("Account not found")
    return account


@router.get("/admin/ledger/accounts/{account_id}", response_model=AccountRead)
async def read_account(account_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> AccountRead:
    return AccountRead.of(await _account(runtime, account_id))


@router.get("/admin/ledger/accounts/{account_id}/statement", response_model=Page[LineRead])
async def account_statement(
    account_id: str,
    _: AdminPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[LineRead]:
    """Every entry of one account, newest first, with its balance after and its cause."""
    account = await _account(runtime, account_id)
    return await _lines(runtime, [account.id], limit, cursor, with_metadata=True)

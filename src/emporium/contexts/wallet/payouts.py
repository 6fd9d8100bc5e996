"""Payouts: a vendor withdraws available funds to an IBAN.

The request moves the amount from the vendor's available balance to its payouts-in-transit
account at once, in the same transaction as the payout row and its send job: the
conditional balance update is the check, so two payouts that together exceed the balance
cannot both pass (the second gets 409 INSUFFICIENT_FUNDS). The bank transfer itself runs
later in the `wallet.send_payout` job (payout_sender.py), never inside a transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.wallet.errors import NoVendor, PayoutNotFound
from emporium.contexts.wallet.events import PayoutRequested
from emporium.contexts.wallet.ledger import Cause, account_for, post
from emporium.contexts.wallet.models import AccountKind, Payout, PayoutStatus, TransactionKind
from emporium.contexts.wallet.wallet_payment import positive
from emporium.kernel import jobs
from emporium.kernel.errors import IdempotencyKeyReused, ValidationFailed
from emporium.kernel.http.auth import Principal, SellerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.idempotency import IdempotencyKeyHeader
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

router = APIRouter(tags=["wallet"])

SEND_JOB = "wallet.send_payout"


@dataclass(frozen=True)
class RequestPayout:
    vendor_id: uuid.UUID
    amount: Money
    iban: str
    key: str


@dataclass(frozen=True)
class PayoutView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    amount: Money
    iban: str
    status: PayoutStatus
    attempts: int
    reference: str | None
    failure_reason: str | None
    requested_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, payout: Payout) -> PayoutView:
        return cls(
            id=payout.id,
            vendor_id=payout.vendor_id,
            amount=payout.money,
            iban=payout.iban,
            status=PayoutStatus(payout.status),
            attempts=payout.attempts,
            reference=payout.reference,
            failure_reason=payout.failure_reason,
            requested_at=payout.requested_at,
            completed_at=payout.completed_at,
        )

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]}…{self.iban[-4:]}"


def send_job_key(payout_id: uuid.UUID, attempt: int) -> str:
    return f"{SEND_JOB}:{payout_id}:{attempt}"


def normalized_iban(value: str) -> str:
    """The IBAN in compact form; 422 VALIDATION_ERROR when it is not a valid one."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise ValidationFailed(
            "The IBAN is not valid",
            details={"fields": [{"field": "iban", "location": "body", "message": str(exc)}]},
        ) from None


async def request_payout(uow: UnitOfWork, cmd: RequestPayout) -> PayoutView:
    """Move amount from available to in transit and queue the transfer, once per key.

    Refused whole (409 INSUFFICIENT_FUNDS) when the available balance does not cover it:
    no payout row stays behind, even if the caller catches the error and commits.
    """
    positive(cmd.amount)
    iban = normalized_iban(cmd.iban)
    async with uow.savepoint():
        return await _request(uow, cmd, iban)


async def _request(uow: UnitOfWork, cmd: RequestPayout, iban: str) -> PayoutView:
    inserted = await insert_if_absent(
        uow.session,
        Payout,
        {
            "id": new_id(),
            "vendor_id": cmd.vendor_id,
            "key": cmd.key,
            "amount": cmd.amount.amount,
            "currency": cmd.amount.currency,
            "iban": iban,
            "status": PayoutStatus.PENDING.value,
            "attempts": 0,
            "requested_at": uow.clock.now(),
        },
    )
    payout = await uow.session.scalar(
        select(Payout).where(Payout.vendor_id == cmd.vendor_id, Payout.key == cmd.key)
    )
    assert payout is not None
    if not inserted:
        if (payout.money, payout.iban) != (cmd.amount, iban):
            raise IdempotencyKeyReused(details={"key": cmd.key})
        return PayoutView.of(payout)
    currency = cmd.amount.currency
    available = await account_for(uow, AccountKind.VENDOR_AVAILABLE, cmd.vendor_id, currency)
    in_transit = await account_for(uow, AccountKind.PAYOUTS_IN_TRANSIT, cmd.vendor_id, currency)
    await post(
        uow,
        kind=TransactionKind.PAYOUT,
        cause=Cause.of("payout", payout.id),
        entries=[(available, -cmd.amount), (in_transit, cmd.amount)],
        metadata={"vendor_id": cmd.vendor_id},
    )
    await jobs.schedule(
        uow,
        kind=SEND_JOB,
        due_at=uow.clock.now(),
        payload={"payout_id": str(payout.id)},
        key=send_job_key(payout.id, 1),
    )
    uow.record(PayoutRequested(payout_id=payout.id, vendor_id=cmd.vendor_id, amount=cmd.amount))
    return PayoutView.of(payout)


async def payouts_of(
    session: AsyncSession, vendor_id: uuid.UUID, *, limit: int, before: uuid.UUID | None = None
) -> list[PayoutView]:
    """A vendor's payouts, newest first."""
    stmt = select(Payout).where(Payout.vendor_id == vendor_id).order_by(Payout.id.desc())
    if before is not None:
        stmt = stmt.where(Payout.id < before)
    return [PayoutView.of(p) for p in await session.scalars(stmt.limit(limit))]


def vendor_of(principal: Principal) -> uuid.UUID:
    if principal.vendor_id is None:
        raise NoVendor()
    return principal.vendor_id


class PayoutCreate(Strict):
    amount: MoneyIn
    iban: str = Field(min_length=5, max_length=42)


class PayoutRead(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    iban: str
    status: str
    reference: str | None
    failure_reason: str | None
    requested_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, payout: PayoutView) -> PayoutRead:
        return cls(
            id=payout.id,
            amount=MoneyOut.of(payout.amount),
            iban=payout.masked_iban,
            status=payout.status.value,
            reference=payout.reference,
            failure_reason=payout.failure_reason,
            requested_at=payout.requested_at,
            completed_at=payout.completed_at,
        )


@router.post("/seller/payouts", status_code=201, response_model=PayoutRead)
async def post_payout(
    body: PayoutCreate,
    principal: SellerPrincipal,
    idempotency_key: IdempotencyKeyHeader,
    runtime: RuntimeDep,
) -> PayoutRead:
    """409 INSUFFICIENT_FUNDS when the available balance does not cover the amount."""
    cmd = RequestPayout(
        vendor_id=vendor_of(principal),
        amount=body.amount.to_money(),
        iban=body.iban,
        key=idempotency_key,
    )
    async with runtime.uow() as uow:
        payout = await request_payout(uow, cmd)
        await uow.commit()
    return PayoutRead.of(payout)


@router.get("/seller/payouts", response_model=Page[PayoutRead])
async def list_payouts(
    principal: SellerPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[PayoutRead]:
    before = parse_id(cursor) if cursor else None
    async with runtime.db.read() as session:
        rows = await payouts_of(session, vendor_of(principal), limit=limit + 1, before=before)
    items = [PayoutRead.of(p) for p in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


@router.get("/seller/payouts/{payout_id}", response_model=PayoutRead)
async def read_payout(
    payout_id: str,
    principal: SellerPrincipal,
    runtime: RuntimeDep,
) -> PayoutRead:
    key = parse_id(payout_id)
    async with runtime.db.read() as session:
        payout = await session.get(Payout, key) if key else None
    if payout is None or payout.vendor_id != vendor_of(principal):
        raise PayoutNotFound()
    return PayoutRead.of(PayoutView.of(payout))

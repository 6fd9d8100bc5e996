"""Topping up a wallet by card: record the top-up, charge it, credit the wallet once paid.

Three steps, no transaction across the gateway call (the payments facade opens its own):
the top-up is recorded `pending` under the buyer's Idempotency-Key, the card is charged with
a key derived from the top-up, and a captured payment moves the money from gateway clearing
to the buyer's wallet in one posting, idempotent by the payment. A payment that confirms
later (3-D Secure) is credited by the `wallet.top_ups` subscriber when the payments context
says it succeeded; that subscriber also credits a top-up whose request died after the charge.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from emporium.contexts import payments
from emporium.contexts.wallet.events import WalletToppedUp
from emporium.contexts.wallet.ledger import Cause, account_for, post
from emporium.contexts.wallet.models import AccountKind, TopUp, TopUpStatus, TransactionKind
from emporium.contexts.wallet.queries import wallet_balance
from emporium.contexts.wallet.wallet_payment import positive
from emporium.kernel.errors import IdempotencyKeyReused, PaymentFailed
from emporium.kernel.http.auth import BuyerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.idempotency import HEADER
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

router = APIRouter(tags=["wallet"])

PAID = frozenset({payments.PaymentStatus.CAPTURED})
UNPAID = frozenset({payments.PaymentStatus.FAILED, payments.PaymentStatus.VOIDED})


@dataclass(frozen=True)
class TopUpWallet:
    buyer_id: uuid.UUID
    amount: Money
    token: str
    key: str  # the client's Idempotency-Key (a fresh one when it sent none)


@dataclass(frozen=True)
class PaymentNews:
    """What the payments context said about a top-up's payment."""

    payment_id: uuid.UUID
    status: payments.PaymentStatus
    reference: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class TopUpView:
    id: uuid.UUID
    status: TopUpStatus
    amount: Money
    balance: Money
    payment_reference: str | None
    failure_reason: str | None
    created_at: datetime


async def top_up(runtime: Runtime, cmd: TopUpWallet) -> TopUpView:
    """Charge the card and credit the wallet; 402 PAYMENT_FAILED when the card is declined."""
    positive(cmd.amount)
    row = await _record_pending(runtime, cmd)
    if row.status == TopUpStatus.PENDING:
        outcome = await payments.take_payment(
            runtime,
            owner_id=row.id,
            amount=cmd.amount,
            key=f"wallet-top-up:{row.id}",
            token=cmd.token,
        )
        news = PaymentNews(outcome.id, outcome.status, outcome.reference, outcome.reason)
        async with runtime.uow() as uow:
            row = await settle_top_up(uow, row.id, news) or row
            await uow.commit()
    if row.status == TopUpStatus.FAILED:
        raise PaymentFailed(details={"reason": row.failure_reason, "top_up_id": str(row.id)})
    async with runtime.db.read() as session:
        wallet = await wallet_balance(session, cmd.buyer_id, cmd.amount.currency)
    return TopUpView(
        row.id,
        TopUpStatus(row.status),
        row.money,
        wallet,
        row.payment_reference,
        row.failure_reason,
        row.created_at,
    )


async def _record_pending(runtime: Runtime, cmd: TopUpWallet) -> TopUp:
    async with runtime.uow() as uow:
        now = uow.clock.now()
        await insert_if_absent(
            uow.session,
            TopUp,
            {
                "id": new_id(),
                "buyer_id": cmd.buyer_id,
                "key": cmd.key,
                "amount": cmd.amount.amount,
                "currency": cmd.amount.currency,
                "status": TopUpStatus.PENDING.value,
                "created_at": now,
            },
        )
        row = await uow.session.scalar(
            select(TopUp).where(TopUp.buyer_id == cmd.buyer_id, TopUp.key == cmd.key)
        )
        assert row is not None
        if row.money != cmd.amount:
            raise IdempotencyKeyReused(details={"key": cmd.key})
        await uow.commit()
    return row


async def settle_top_up(uow: UnitOfWork, top_up_id: uuid.UUID, news: PaymentNews) -> TopUp | None:
    """Credit a paid top-up or fail an unpaid one, once; None when it is not a top-up."""
    row = await uow.session.get(TopUp, top_up_id, with_for_update=True, populate_existing=True)
    if row is None or row.status != TopUpStatus.PENDING:
        return row
    row.payment_id = news.payment_id
    row.payment_reference = news.reference or row.payment_reference
    if news.status in PAID:
        clearing = await account_for(uow, AccountKind.GATEWAY_CLEARING, None, row.currency)
        wallet = await account_for(uow, AccountKind.BUYER_WALLET, row.buyer_id, row.currency)
        await post(
            uow,
            kind=TransactionKind.TOP_UP,
            cause=Cause.of("payment", news.payment_id),
            entries=[(clearing, -row.money), (wallet, row.money)],
            metadata={"top_up_id": row.id, "buyer_id": row.buyer_id},
        )
        row.status = TopUpStatus.COMPLETED.value
        row.completed_at = uow.clock.now()
        uow.record(
            WalletToppedUp(
                buyer_id=row.buyer_id,
                amount=row.money,
                top_up_id=row.id,
                payment_id=news.payment_id,
            )
        )
    elif news.status in UNPAID:
        row.status = TopUpStatus.FAILED.value
        row.failure_reason = news.reason or news.status.value
        row.completed_at = uow.clock.now()
    return row


class TopUpCreate(Strict):
    amount: MoneyIn
    token: str = Field(min_length=1, max_length=80)


class TopUpRead(BaseModel):
    id: uuid.UUID
    status: str
    amount: MoneyOut
    balance: MoneyOut
    payment: dict[str, str | None]
    created_at: datetime


@router.post("/store/wallet/top-up", status_code=201, response_model=TopUpRead)
async def post_top_up(
    body: TopUpCreate,
    principal: BuyerPrincipal,
    runtime: RuntimeDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias=HEADER)] = None,
) -> TopUpRead:
    """201 when the wallet is credited; 202 while the card awaits 3-D Secure."""
    cmd = TopUpWallet(
        buyer_id=principal.user_id,
        amount=body.amount.to_money(),
        token=body.token,
        key=idempotency_key or str(new_id()),
    )
    view = await top_up(runtime, cmd)
    pending = view.status is TopUpStatus.PENDING
    if pending:
        response.status_code = 202
    return TopUpRead(
        id=view.id,
        status=view.status.value,
        amount=MoneyOut.of(view.amount),
        balance=MoneyOut.of(view.balance),
        payment={
            "reference": view.payment_reference,
            "status": "requires_action" if pending else view.status.value,
        },
        created_at=view.created_at,
    )

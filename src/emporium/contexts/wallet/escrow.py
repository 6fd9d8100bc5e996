"""Escrow: one hold per vendor fulfillment, released on delivery confirmation or by a timer.

`hold_in_escrow` moves a captured fulfillment's money from gateway clearing into the vendor's
escrow account (its "pending"), with a durable timer due at `locked_until`. A hold resolves
at most once (TigerBeetle: "a pending transfer resolves at most once"): release is one
status-guarded UPDATE, so a buyer's confirmation and the timer racing each other release it
once and the loser is told `HoldAlreadyResolved`. Refunds are in `escrow_refunds.py`.

Lock order, everywhere in the wallet: the hold row first, then accounts in id order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.wallet.errors import CauseConflict, HoldAlreadyResolved, HoldNotFound
from emporium.contexts.wallet.events import FundsLocked, FundsReleased
from emporium.contexts.wallet.ledger import Cause, account_for, lock_accounts, post
from emporium.contexts.wallet.models import (
    OPEN_HOLD,
    TIMER_RELEASABLE,
    AccountKind,
    EscrowHold,
    HoldStatus,
    ReleaseReason,
    TransactionKind,
)
from emporium.contexts.wallet.wallet_payment import positive
from emporium.kernel import jobs
from emporium.kernel.db import table_of
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.registry import JobHandler
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

RELEASE_JOB = "wallet.release_due_holds"
HOLDS = table_of(EscrowHold)


@dataclass(frozen=True)
class HoldView:
    id: uuid.UUID
    fulfillment_id: uuid.UUID
    order_id: uuid.UUID | None
    vendor_id: uuid.UUID
    status: HoldStatus
    amount: Money
    refunded: Money
    released: Money
    commission: Money
    held: Money
    locked_until: datetime
    release_reason: ReleaseReason | None
    released_at: datetime | None

    @classmethod
    def of(cls, hold: EscrowHold) -> HoldView:
        return cls(
            id=hold.id,
            fulfillment_id=hold.fulfillment_id,
            order_id=hold.order_id,
            vendor_id=hold.vendor_id,
            status=HoldStatus(hold.status),
            amount=hold.money(hold.amount),
            refunded=hold.money(hold.refunded_amount),
            released=hold.money(hold.released_amount),
            commission=hold.money(hold.commission_amount),
            held=hold.money(hold.held_amount),
            locked_until=hold.locked_until,
            release_reason=ReleaseReason(hold.release_reason) if hold.release_reason else None,
            released_at=hold.released_at,
        )


def timer_key(hold_id: uuid.UUID) -> str:
    return f"{RELEASE_JOB}:{hold_id}"


def hold_metadata(hold: EscrowHold) -> dict[str, Any]:
    return {"hold_id": hold.id, "order_id": hold.order_id, "vendor_id": hold.vendor_id}


def hold_event_fields(hold: EscrowHold) -> dict[str, Any]:
    return {
        "hold_id": hold.id,
        "fulfillment_id": hold.fulfillment_id,
        "order_id": hold.order_id,
        "vendor_id": hold.vendor_id,
    }


async def hold_in_escrow(
    uow: UnitOfWork,
    *,
    fulfillment_id: uuid.UUID,
    vendor_id: uuid.UUID,
    amount: Money,
    locked_until: datetime,
    order_id: uuid.UUID | None = None,
) -> HoldView:
    """Hold a captured fulfillment's money in escrow (clearing → escrow), once per fulfillment."""
    positive(amount)
    wanted = (vendor_id, amount, order_id)
    hold, inserted = await _insert_hold(uow, fulfillment_id, *wanted, locked_until)
    if not inserted:
        if (hold.vendor_id, hold.money(hold.amount), hold.order_id) != wanted:
            raise CauseConflict(
                "This fulfillment is already held with another vendor or amount",
                details={"fulfillment_id": str(fulfillment_id)},
            )
        return HoldView.of(hold)
    clearing = await account_for(uow, AccountKind.GATEWAY_CLEARING, None, amount.currency)
    escrow = await account_for(uow, AccountKind.ESCROW, vendor_id, amount.currency)
    await post(
        uow,
        kind=TransactionKind.ESCROW_HOLD,
        cause=Cause.of("fulfillment", fulfillment_id),
        entries=[(clearing, -amount), (escrow, amount)],
        metadata=hold_metadata(hold),
    )
    await jobs.schedule(
        uow,
        kind=RELEASE_JOB,
        due_at=locked_until,
        payload={"hold_id": str(hold.id)},
        key=timer_key(hold.id),
    )
    uow.record(FundsLocked(**hold_event_fields(hold), amount=amount, locked_until=locked_until))
    return HoldView.of(hold)


async def _insert_hold(
    uow: UnitOfWork,
    fulfillment_id: uuid.UUID,
    vendor_id: uuid.UUID,
    amount: Money,
    order_id: uuid.UUID | None,
    locked_until: datetime,
) -> tuple[EscrowHold, bool]:
    """The fulfillment's hold, and whether this call made it (concurrent callers make one)."""
    now = uow.clock.now()
    values = {
        "id": new_id(),
        "fulfillment_id": fulfillment_id,
        "order_id": order_id,
        "vendor_id": vendor_id,
        "currency": amount.currency,
        "amount": amount.amount,
        "refunded_amount": 0,
        "released_amount": 0,
        "commission_amount": 0,
        "status": HoldStatus.HELD.value,
        "locked_until": locked_until,
        "created_at": now,
        "updated_at": now,
    }
    inserted = await insert_if_absent(uow.session, EscrowHold, values)
    return await load_hold(uow.session, fulfillment_id=fulfillment_id), inserted


async def load_hold(
    session: AsyncSession,
    *,
    hold_id: uuid.UUID | None = None,
    fulfillment_id: uuid.UUID | None = None,
    lock: bool = False,
) -> EscrowHold:
    """The hold (fresh from the database, optionally locked); 404 when there is none."""
    stmt = select(EscrowHold).execution_options(populate_existing=True)
    if hold_id is not None:
        stmt = stmt.where(EscrowHold.id == hold_id)
    else:
        stmt = stmt.where(EscrowHold.fulfillment_id == fulfillment_id)
    if lock:
        stmt = stmt.with_for_update()
    hold = await session.scalar(stmt)
    if hold is None:
        raise HoldNotFound(details={"hold_id": str(hold_id or fulfillment_id)})
    return hold


async def release_hold(
    uow: UnitOfWork,
    hold_id: uuid.UUID,
    *,
    commission_rate: Decimal,
    reason: ReleaseReason = ReleaseReason.CONFIRMED,
) -> HoldView:
    """Release a hold to the vendor minus commission; a resolved hold → HoldAlreadyResolved."""
    return await _release(uow, hold_id, commission_rate, reason, OPEN_HOLD)


async def _release(
    uow: UnitOfWork,
    hold_id: uuid.UUID,
    rate: Decimal,
    reason: ReleaseReason,
    releasable: frozenset[HoldStatus],
) -> HoldView:
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValidationFailed("A commission rate is between 0 and 1", details={"rate": str(rate)})
    hold = await _claim(uow, hold_id, reason, releasable)
    gross = hold.money(hold.amount - hold.refunded_amount)
    commission = gross.times(rate)
    metadata = {**hold_metadata(hold), "commission_rate": rate, "reason": reason}
    settled = await _pay_vendor(uow, hold, gross, commission, metadata)
    hold.released_amount = (gross - commission).amount
    hold.commission_amount = commission.amount
    hold.updated_at = uow.clock.now()
    if reason is not ReleaseReason.TIMER:
        # Not from the timer's own run: cancelling a running job rolls its unit back.
        await jobs.cancel(uow, key=timer_key(hold.id))
    uow.record(
        FundsReleased(
            **hold_event_fields(hold),
            amount=gross - commission - settled,
            gross=gross,
            commission=commission,
            debt_settled=settled,
            reason=reason.value,
        )
    )
    return HoldView.of(hold)


async def _claim(
    uow: UnitOfWork, hold_id: uuid.UUID, reason: ReleaseReason, releasable: frozenset[HoldStatus]
) -> EscrowHold:
    """Mark the hold released if it still is in a releasable status; else HoldAlreadyResolved."""
    # The status guard is the whole race: of two releases, the second matches no row.
    claimed = await uow.session.execute(
        update(HOLDS)
        .where(HOLDS.c.id == hold_id, HOLDS.c.status.in_([s.value for s in releasable]))
        .values(
            status=HoldStatus.RELEASED.value,
            release_reason=reason.value,
            released_at=uow.clock.now(),
        )
        .returning(HOLDS.c.id)
    )
    hold = await load_hold(uow.session, hold_id=hold_id)
    if claimed.first() is None:
        raise HoldAlreadyResolved(details={"hold_id": str(hold_id), "status": hold.status})
    return hold


async def _pay_vendor(
    uow: UnitOfWork, hold: EscrowHold, gross: Money, commission: Money, metadata: dict[str, Any]
) -> Money:
    """Post escrow → commission + vendor (its debt first); returns how much debt was settled."""
    vendor, currency = hold.vendor_id, gross.currency
    escrow = await account_for(uow, AccountKind.ESCROW, vendor, currency)
    earned = await account_for(uow, AccountKind.PLATFORM_COMMISSION, None, currency)
    receivable = await account_for(uow, AccountKind.VENDOR_RECEIVABLE, vendor, currency)
    available = await account_for(uow, AccountKind.VENDOR_AVAILABLE, vendor, currency)
    balances = await lock_accounts(uow.session, [escrow, earned, receivable, available])
    # A vendor in debt (a refund after release it could not cover) pays it back first.
    debt = max(-balances[receivable.id].amount, 0)
    settled = hold.money(min(debt, (gross - commission).amount))
    net = gross - commission - settled
    legs = [(escrow, -gross), (earned, commission), (receivable, settled), (available, net)]
    await post(
        uow,
        kind=TransactionKind.ESCROW_RELEASE,
        cause=Cause.of("hold", hold.id),
        entries=[(account, money) for account, money in legs if money],
        metadata=metadata,
    )
    return settled


async def dispute_hold(uow: UnitOfWork, hold_id: uuid.UUID) -> HoldView:
    """Keep an open hold from the timer until the dispute is resolved by release or refund."""
    hold = await load_hold(uow.session, hold_id=hold_id, lock=True)
    status = HoldStatus(hold.status)
    if status not in OPEN_HOLD:
        raise HoldAlreadyResolved(details={"hold_id": str(hold_id), "status": hold.status})
    hold.status = HoldStatus.DISPUTED.value
    hold.updated_at = uow.clock.now()
    return HoldView.of(hold)


async def commission_rate_for(
    session: AsyncSession, vendor_id: uuid.UUID, default: Decimal
) -> Decimal:
    """The vendor's commission rate (the catalog's), or default for an unknown vendor."""
    vendor = await catalog.vendor_info(session, vendor_id)
    return vendor.commission_rate if vendor is not None else default


def release_due_holds_job(default_rate: Decimal) -> JobHandler:
    """The timer's handler: release its hold if it is due, undisputed and still held."""

    async def handle(payload: dict[str, Any], uow: UnitOfWork) -> None:
        hold = await uow.session.get(EscrowHold, uuid.UUID(str(payload["hold_id"])))
        if hold is None or HoldStatus(hold.status) not in TIMER_RELEASABLE:
            return
        if hold.locked_until > uow.clock.now():
            return
        rate = await commission_rate_for(uow.session, hold.vendor_id, default_rate)
        try:
            await _release(uow, hold.id, rate, ReleaseReason.TIMER, TIMER_RELEASABLE)
        except HoldAlreadyResolved:
            return  # the buyer's confirmation (or a refund) got there first

    return handle

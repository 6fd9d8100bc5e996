"""Refunds, full or partial, idempotent by key; never more than what was captured.

The amount is reserved on the payment (`refunded_amount`) in the first short transaction, so
two refunds racing each other cannot together exceed the payment; the gateway call runs with
no transaction open; the second transaction records the result. A refund the gateway refuses
gives its reservation back; one interrupted by an outage stays pending and the same key
finishes it later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from emporium.contexts.payments.charges import UnitsOfWork
from emporium.contexts.payments.errors import KeyReused, NotRefundable, RefundExceedsPayment
from emporium.contexts.payments.events import PaymentRefunded
from emporium.contexts.payments.gateway import GatewayRefused, PaymentGateway
from emporium.contexts.payments.models import (
    REFUNDABLE,
    PaymentStatus,
    Refund,
    RefundStatus,
    locked_payment,
)
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class RefundPayment:
    payment_id: uuid.UUID
    key: str
    amount: Money | None = None  # None: everything that is left
    reason: str = ""


@dataclass(frozen=True)
class RefundOutcome:
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: Money
    status: RefundStatus
    reference: str | None
    reason: str

    @classmethod
    def of(cls, refund: Refund) -> RefundOutcome:
        return cls(
            id=refund.id,
            payment_id=refund.payment_id,
            amount=refund.money,
            status=RefundStatus(refund.status),
            reference=refund.reference,
            reason=refund.reason,
        )


async def refund_payment(
    cmd: RefundPayment, *, uow: UnitsOfWork, gateway: PaymentGateway
) -> RefundOutcome:
    """Refund once per key; raises for a payment that is not refundable or an over-refund."""
    refund, reference = await _reserve(cmd, uow=uow)
    if refund.status != RefundStatus.PENDING:
        return refund
    try:
        answer = await gateway.refund(reference, amount=refund.amount, key=cmd.key)
    except GatewayRefused:
        await _release(refund.id, uow=uow)
        raise
    async with uow() as unit:
        row = await unit.session.get(Refund, refund.id, with_for_update=True)
        assert row is not None
        if row.status == RefundStatus.PENDING:
            await _settle(unit, row, answer.reference)
        await unit.commit()
    return RefundOutcome.of(row)


async def _reserve(cmd: RefundPayment, *, uow: UnitsOfWork) -> tuple[RefundOutcome, str]:
    async with uow() as unit:
        payment = await locked_payment(unit.session, cmd.payment_id)
        existing = await unit.session.scalar(select(Refund).where(Refund.key == cmd.key))
        if existing is not None:
            if existing.payment_id != payment.id or (cmd.amount and cmd.amount != existing.money):
                raise KeyReused(details={"key": cmd.key})
            return RefundOutcome.of(existing), payment.reference or ""
        if payment.status not in REFUNDABLE or payment.reference is None:
            raise NotRefundable(details={"status": payment.status})
        left = payment.money - payment.refunded
        amount = cmd.amount or left
        if amount.currency != payment.currency or not 0 < amount.amount <= left.amount:
            raise RefundExceedsPayment(
                details={"requested": amount.to_dict(), "refundable": left.to_dict()}
            )
        now = unit.clock.now()
        refund = Refund(
            id=new_id(),
            payment_id=payment.id,
            key=cmd.key,
            amount=amount.amount,
            currency=amount.currency,
            reason=cmd.reason,
            status=RefundStatus.PENDING.value,
            created_at=now,
            updated_at=now,
        )
        unit.session.add(refund)
        payment.refunded_amount += amount.amount
        payment.updated_at = now
        await unit.commit()
        return RefundOutcome.of(refund), payment.reference


async def _settle(unit: UnitOfWork, refund: Refund, reference: str) -> None:
    payment = await locked_payment(unit.session, refund.payment_id)
    now = unit.clock.now()
    refund.status = RefundStatus.SUCCEEDED.value
    refund.reference = reference
    refund.updated_at = now
    await unit.session.flush()
    done = await unit.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment.id, Refund.status == RefundStatus.SUCCEEDED.value
        )
    )
    total = Money(int(done or 0), payment.currency)
    fully = total == payment.money
    payment.status = (PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED).value
    payment.updated_at = now
    unit.record(
        payment.event(
            PaymentRefunded,
            refund_id=refund.id,
            refund_amount=refund.money,
            refunded_total=total,
            fully_refunded=fully,
            reason=refund.reason,
        )
    )


async def _release(refund_id: uuid.UUID, *, uow: UnitsOfWork) -> None:
    async with uow() as unit:
        refund = await unit.session.get(Refund, refund_id, with_for_update=True)
        if refund is None or refund.status != RefundStatus.PENDING:
            return
        payment = await locked_payment(unit.session, refund.payment_id)
        payment.refunded_amount -= refund.amount
        refund.status = RefundStatus.FAILED.value
        refund.updated_at = payment.updated_at = unit.clock.now()
        await unit.commit()

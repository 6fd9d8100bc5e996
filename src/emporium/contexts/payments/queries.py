"""The read side of payments: what a payment looks like to the saga, orders and admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.payments.models import Payment, PaymentStatus
from emporium.kernel.errors import PaymentFailed
from emporium.kernel.money import Money


@dataclass(frozen=True)
class PaymentOutcome:
    """A payment as its owner sees it: status, the gateway's reference, why it failed."""

    id: uuid.UUID
    owner_id: uuid.UUID
    status: PaymentStatus
    reference: str | None
    reason: str | None
    amount: Money
    refunded: Money
    method: str

    @classmethod
    def of(cls, payment: Payment) -> PaymentOutcome:
        return cls(
            id=payment.id,
            owner_id=payment.owner_id,
            status=PaymentStatus(payment.status),
            reference=payment.reference,
            reason=payment.failure_reason,
            amount=payment.money,
            refunded=payment.refunded,
            method=payment.method,
        )

    @property
    def failed(self) -> bool:
        return self.status is PaymentStatus.FAILED

    def raise_for_failure(self) -> None:
        """Raise 402 PAYMENT_FAILED (details.reason) for a failed payment, for direct payers."""
        if self.failed:
            raise PaymentFailed(
                details={"reason": self.reason, "payment_id": str(self.id)},
            )


async def payment_for(session: AsyncSession, owner_id: uuid.UUID) -> PaymentOutcome | None:
    """The latest payment of an owner (a checkout, an order), or None."""
    payment = await session.scalar(
        select(Payment)
        .where(Payment.owner_id == owner_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(1)
    )
    return PaymentOutcome.of(payment) if payment else None


async def get_payment(session: AsyncSession, payment_id: uuid.UUID) -> PaymentOutcome | None:
    """A payment by id, or None."""
    payment = await session.get(Payment, payment_id)
    return PaymentOutcome.of(payment) if payment else None


async def payment_by_reference(session: AsyncSession, reference: str) -> PaymentOutcome | None:
    """A payment by the gateway's reference, or None."""
    payment = await session.scalar(select(Payment).where(Payment.reference == reference))
    return PaymentOutcome.of(payment) if payment else None


async def recent_payments(
    session: AsyncSession, *, owner_id: uuid.UUID | None, before: uuid.UUID | None, limit: int
) -> list[PaymentOutcome]:
    """Payments newest first (ids are time-ordered), optionally of one owner, before a cursor."""
    stmt = select(Payment).order_by(Payment.id.desc()).limit(limit)
    if owner_id is not None:
        stmt = stmt.where(Payment.owner_id == owner_id)
    if before is not None:
        stmt = stmt.where(Payment.id < before)
    return [PaymentOutcome.of(p) for p in await session.scalars(stmt)]

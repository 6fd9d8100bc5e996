"""Payments tables: our record of each payment and refund, and the webhook events received."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.payments.errors import PaymentNotFound
from emporium.contexts.payments.events import PaymentEvent
from emporium.kernel.db import Base, UTCDateTime, UUIDType
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money

E = TypeVar("E", bound=PaymentEvent)


class PaymentMethod(StrEnum):
    CARD = "card"
    WALLET = "wallet"  # issue 7 builds the wallet; the port already carries the method


class PaymentStatus(StrEnum):
    PENDING = "pending"  # recorded, the gateway has not answered yet (or we crashed meanwhile)
    REQUIRES_ACTION = "requires_action"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    FAILED = "failed"


# A payment in one of these holds money that a refund can return.
REFUNDABLE = frozenset({PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED})
# Not yet money taken: a void cancels these at the gateway.
VOIDABLE = frozenset({PaymentStatus.REQUIRES_ACTION, PaymentStatus.AUTHORIZED})


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(Base):
    """One payment of an owner (a checkout, an order, a wallet top-up) through a gateway."""

    __tablename__ = "payments_payment"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    # Our idempotency key for the charge, sent to the gateway: one key, one charge.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    gateway: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Succeeded refunds plus those in flight, so two refunds at once cannot exceed the amount.
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str | None] = mapped_column(String(80), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="refunds_within_amount"
        ),
    )

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_amount, self.currency)

    def event(self, kind: type[E], **extra: Any) -> E:
        """An event of kind about this payment as it is now."""
        return kind(
            id=self.id,
            owner_id=self.owner_id,
            reference=self.reference,
            amount=self.money,
            method=self.method,
            **extra,
        )


async def locked_payment(session: AsyncSession, payment_id: uuid.UUID | None) -> Payment:
    """The payment, locked for update until the transaction ends; 404 when there is none."""
    payment = await session.get(Payment, payment_id, with_for_update=True) if payment_id else None
    if payment is None:
        raise PaymentNotFound()
    return payment


class Refund(Base):
    """A refund of part or all of a captured payment."""

    __tablename__ = "payments_refund"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    payment_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("payments_payment.id", ondelete="RESTRICT"), index=True
    )
    key: Mapped[str] = mapped_column(String(200), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class WebhookEvent(Base):
    """A gateway event we acted on: a second delivery of the same id finds it and does nothing."""

    __tablename__ = "payments_webhook_event"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("provider", "event_id"),)

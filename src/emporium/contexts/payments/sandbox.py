"""The `sandbox` gateway: a card processor in test mode that keeps its own books.

Its tables (`sandbox_gateway_*`) are "the processor's database": it writes them in its own
transactions, never in the caller's unit of work, so they survive restarts and outlive our
own rollbacks, as a real processor's would. Tokens (shared/API.md, plus two failure modes):

| token | outcome |
| --- | --- |
| `tok_visa`, `tok_mastercard` | captured at once (authorized only, when capture=False) |
| `tok_chargeDeclined` | failed, `card_declined` |
| `tok_insufficientFunds` | failed, `insufficient_funds` |
| `tok_threeDSecure` | `requires_action`; finished by `complete()` and a signed webhook |
| `tok_timeout` | charged, but the first answer never arrives (the caller times out); |
|  | a retry with the same key gets the stored result at once |
| `tok_gatewayError` | a 503-like outage: nothing is recorded, every call fails |
| anything else | failed, `invalid_token` |
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import BigInteger, String, select
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.payments.gateway import (
    Charge,
    GatewayPayment,
    GatewayRefund,
    GatewayRefused,
    GatewayStatus,
)
from emporium.contexts.payments.models import PaymentMethod
from emporium.kernel.db import Base, UTCDateTime
from emporium.kernel.errors import NotFound
from emporium.kernel.money import Money
from emporium.kernel.resilience import DependencyUnavailable
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

NAME = "sandbox"

SUCCEEDS = frozenset({"tok_visa", "tok_mastercard"})
DECLINES = {"tok_chargeDeclined": "card_declined", "tok_insufficientFunds": "insufficient_funds"}
THREE_D_SECURE = "tok_threeDSecure"
TIMEOUT = "tok_timeout"
OUTAGE = "tok_gatewayError"


class SandboxPayment(Base):
    """A payment in the sandbox processor's own books."""

    __tablename__ = "sandbox_gateway_payment"

    reference: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    token: Mapped[str] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(30))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def view(self) -> GatewayPayment:
        return GatewayPayment(
            reference=self.reference,
            status=GatewayStatus(self.status),
            amount=Money(self.amount, self.currency),
            refunded=Money(self.refunded_amount, self.currency),
            failure_reason=self.failure_reason,
        )


class SandboxRefund(Base):
    __tablename__ = "sandbox_gateway_refund"

    reference: Mapped[str] = mapped_column(String(80), primary_key=True)
    payment_reference: Mapped[str] = mapped_column(String(80), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def view(self) -> GatewayRefund:
        return GatewayRefund(
            reference=self.reference,
            payment_reference=self.payment_reference,
            amount=Money(self.amount, self.currency),
        )


class UnknownSandboxPayment(NotFound):
    default_message = "The sandbox gateway has no payment with this reference"


def _reference(prefix: str) -> str:
    return f"{prefix}_sbx_{uuid.uuid4().hex}"


def _first_status(charge: Charge) -> tuple[GatewayStatus, str | None]:
    token = charge.token or ""
    if token in SUCCEEDS or token == TIMEOUT:
        return (GatewayStatus.CAPTURED if charge.capture else GatewayStatus.AUTHORIZED), None
    if token in DECLINES:
        return GatewayStatus.FAILED, DECLINES[token]
    if token == THREE_D_SECURE:
        return GatewayStatus.REQUIRES_ACTION, None
    return GatewayStatus.FAILED, "invalid_token"


class SandboxGateway:
    """The sandbox processor; `uow` opens a transaction of its own (never the caller's)."""

    name = NAME

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def charge(self, charge: Charge) -> GatewayPayment:
        if charge.method is not PaymentMethod.CARD:
            raise GatewayRefused("The sandbox gateway takes cards only", details={"method": "card"})
        if charge.token == OUTAGE:
            raise DependencyUnavailable("The sandbox gateway is unavailable (tok_gatewayError)")
        async with self._uow() as uow:
            now = uow.clock.now()
            status, reason = _first_status(charge)
            created = await insert_if_absent(
                uow.session,
                SandboxPayment,
                {
                    "reference": _reference("pi"),
                    "key": charge.key,
                    "token": charge.token or "",
                    "amount": charge.amount.amount,
                    "currency": charge.amount.currency,
                    "refunded_amount": 0,
                    "status": status.value,
                    "failure_reason": reason,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            row = await uow.session.scalar(
                select(SandboxPayment).where(SandboxPayment.key == charge.key)
            )
            assert row is not None
            if Money(row.amount, row.currency) != charge.amount:
                raise GatewayRefused(
                    "This idempotency key was used for another amount", details={"key": charge.key}
                )
            await uow.commit()
        if created and charge.token == TIMEOUT:
            # The processor took the money, but its answer is lost on the way back.
            await asyncio.Event().wait()
        return row.view()

    async def capture(self, reference: str, *, key: str) -> GatewayPayment:
        async with self._uow() as uow:
            row = await self._get(uow, reference)
            if row.status == GatewayStatus.AUTHORIZED:
                row.status = GatewayStatus.CAPTURED.value
                row.updated_at = uow.clock.now()
            elif row.status != GatewayStatus.CAPTURED:
                raise GatewayRefused("Only an authorized payment can be captured")
            await uow.commit()
        return row.view()

    async def refund(self, reference: str, *, amount: Money, key: str) -> GatewayRefund:
        async with self._uow() as uow:
            existing = await uow.session.scalar(
                select(SandboxRefund).where(SandboxRefund.key == key)
            )
            if existing is not None:
                return existing.view()
            row = await self._get(uow, reference)
            if row.status != GatewayStatus.CAPTURED:
                raise GatewayRefused("Only a captured payment can be refunded")
            if amount.currency != row.currency or amount.amount > row.amount - row.refunded_amount:
                raise GatewayRefused("The refund exceeds what is left of the payment")
            now = uow.clock.now()
            refund = SandboxRefund(
                reference=_reference("re"),
                payment_reference=reference,
                key=key,
                amount=amount.amount,
                currency=amount.currency,
                created_at=now,
            )
            uow.session.add(refund)
            row.refunded_amount += amount.amount
            row.updated_at = now
            await uow.commit()
        return refund.view()

    async def void(self, reference: str, *, key: str) -> GatewayPayment:
        async with self._uow() as uow:
            row = await self._get(uow, reference)
            if row.status in (GatewayStatus.REQUIRES_ACTION, GatewayStatus.AUTHORIZED):
                row.status = GatewayStatus.VOIDED.value
                row.updated_at = uow.clock.now()
            elif row.status != GatewayStatus.VOIDED:
                raise GatewayRefused(
                    "Only a payment not captured yet can be voided", details={"status": row.status}
                )
            await uow.commit()
        return row.view()

    async def retrieve(self, reference: str) -> GatewayPayment:
        async with self._uow() as uow:
            return (await self._get(uow, reference)).view()

    async def _get(self, uow: UnitOfWork, reference: str) -> SandboxPayment:
        row = await uow.session.get(SandboxPayment, reference, with_for_update=True)
        if row is None:
            raise UnknownSandboxPayment(details={"reference": reference})
        return row

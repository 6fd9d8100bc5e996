"""Builders for payments tests: take a payment through the facade, count the sandbox's rows."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from emporium.contexts import payments
from emporium.contexts.payments.sandbox import SandboxPayment, SandboxRefund
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime

EUR_50 = Money(5000, "EUR")


async def pay(
    runtime: Runtime,
    token: str = "tok_visa",
    *,
    amount: Money = EUR_50,
    key: str | None = None,
    owner_id: uuid.UUID | None = None,
    capture: bool = True,
) -> payments.PaymentOutcome:
    """Take a payment for a new owner (a checkout id) with a key derived from it."""
    owner = owner_id or uuid.uuid4()
    return await payments.take_payment(
        runtime,
        owner_id=owner,
        amount=amount,
        token=token,
        key=key or f"{owner}:take_payment",
        capture=capture,
    )


async def sandbox_charges(runtime: Runtime) -> int:
    """How many payments the sandbox processor has on its books."""
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(SandboxPayment)) or 0)


async def sandbox_refunds(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(SandboxRefund)) or 0)

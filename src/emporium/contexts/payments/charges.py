"""Taking a payment: record it, call the gateway with no transaction open, record the answer.

Never a row lock or an open write transaction across the network call: on SQLite the write
lock is process-wide, and on any database a slow gateway would hold everyone else up. The
key makes the three steps safe to repeat: after a crash between the gateway's answer and
our second commit, the payment is still `pending`, and the retry asks the gateway again with
the same key, which answers with the first charge instead of making another.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from emporium.contexts.payments.errors import KeyReused, NotCapturable
from emporium.contexts.payments.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRequiresAction,
    PaymentVoided,
)
from emporium.contexts.payments.gateway import (
    Charge,
    GatewayPayment,
    GatewayRefused,
    GatewayStatus,
    PaymentGateway,
)
from emporium.contexts.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    locked_payment,
)
from emporium.contexts.payments.queries import PaymentOutcome
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

log = structlog.get_logger("emporium.payments")

UnitsOfWork = Callable[[], UnitOfWork]
# Called at named moments so tests can "crash" the process there (raise from it).
FaultHook = Callable[[str], None]
GATEWAY_REFUSED = "gateway_refused"


@dataclass(frozen=True)
class TakePayment:
    owner_id: uuid.UUID
    amount: Money
    key: str
    token: str | None = None
    method: PaymentMethod = PaymentMethod.CARD
    capture: bool = True


async def take_payment(
    cmd: TakePayment, *, uow: UnitsOfWork, gateway: PaymentGateway, fault: FaultHook | None = None
) -> PaymentOutcome:
    """Charge once per key; a declined card is an outcome (status failed), not an exception."""
    payment = await _record_pending(cmd, uow=uow, gateway=gateway.name)
    if payment.status != PaymentStatus.PENDING:
        return payment
    charge = Charge(
        key=cmd.key, amount=cmd.amount, method=cmd.method, token=cmd.token, capture=cmd.capture
    )
    try:
        answer = await gateway.charge(charge)
    except GatewayRefused as exc:
        log.warning("payment_refused_by_gateway", key=cmd.key, error=exc.message)
        return await _record_refusal(payment.id, uow=uow)
    if fault is not None:
        fault("after_gateway_call")
    return await record_answer(payment.id, answer, uow=uow)


async def _record_pending(cmd: TakePayment, *, uow: UnitsOfWork, gateway: str) -> PaymentOutcome:
    async with uow() as unit:
        now = unit.clock.now()
        await insert_if_absent(
            unit.session,
            Payment,
            {
                "id": new_id(),
                "owner_id": cmd.owner_id,
                "key": cmd.key,
                "gateway": gateway,
                "method": cmd.method.value,
                "amount": cmd.amount.amount,
                "currency": cmd.amount.currency,
                "refunded_amount": 0,
                "status": PaymentStatus.PENDING.value,
                "created_at": now,
                "updated_at": now,
            },
        )
        payment = await unit.session.scalar(select(Payment).where(Payment.key == cmd.key))
        assert payment is not None
        if payment.owner_id != cmd.owner_id or payment.money != cmd.amount:
            raise KeyReused(details={"key": cmd.key})
        await unit.commit()
    return PaymentOutcome.of(payment)


_STATUS = {
    GatewayStatus.REQUIRES_ACTION: (PaymentStatus.REQUIRES_ACTION, PaymentRequiresAction),
    GatewayStatus.AUTHORIZED: (PaymentStatus.AUTHORIZED, PaymentAuthorized),
    GatewayStatus.CAPTURED: (PaymentStatus.CAPTURED, PaymentCaptured),
    GatewayStatus.VOIDED: (PaymentStatus.VOIDED, PaymentVoided),
}


async def record_answer(
    payment_id: uuid.UUID, answer: GatewayPayment, *, uow: UnitsOfWork
) -> PaymentOutcome:
    """Record the gateway's first answer on a pending payment (once) with its event."""
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status == PaymentStatus.PENDING:
            payment.reference = answer.reference
            payment.updated_at = unit.clock.now()
            if answer.status is GatewayStatus.FAILED:
                payment.status = PaymentStatus.FAILED.value
                payment.failure_reason = answer.failure_reason or "failed"
                unit.record(payment.event(PaymentFailed, reason=payment.failure_reason))
            else:
                status, event = _STATUS[answer.status]
                payment.status = status.value
                unit.record(payment.event(event))
        await unit.commit()
    return PaymentOutcome.of(payment)


async def _record_refusal(payment_id: uuid.UUID, *, uow: UnitsOfWork) -> PaymentOutcome:
    """A request the gateway will never accept (a method it does not take) fails the payment."""
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.FAILED.value
            payment.failure_reason = GATEWAY_REFUSED
            payment.updated_at = unit.clock.now()
            unit.record(payment.event(PaymentFailed, reason=GATEWAY_REFUSED))
        await unit.commit()
    return PaymentOutcome.of(payment)


async def capture_payment(
    payment_id: uuid.UUID, *, key: str, uow: UnitsOfWork, gateway: PaymentGateway
) -> PaymentOutcome:
    """Capture an authorized payment in full (a captured one is returned as it is)."""
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status == PaymentStatus.CAPTURED:
            return PaymentOutcome.of(payment)
        if payment.status != PaymentStatus.AUTHORIZED or payment.reference is None:
            raise NotCapturable(details={"status": payment.status})
        reference = payment.reference
    await gateway.capture(reference, key=key)
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status == PaymentStatus.AUTHORIZED:
            payment.status = PaymentStatus.CAPTURED.value
            payment.updated_at = unit.clock.now()
            unit.record(payment.event(PaymentCaptured))
        await unit.commit()
    return PaymentOutcome.of(payment)

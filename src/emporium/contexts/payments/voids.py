"""Voiding a payment that was never captured: an abandoned 3-D Secure, an unused authorization."""

from __future__ import annotations

import uuid

from emporium.contexts.payments.charges import UnitsOfWork
from emporium.contexts.payments.errors import NotVoidable
from emporium.contexts.payments.events import PaymentVoided
from emporium.contexts.payments.gateway import GatewayRefused, PaymentGateway
from emporium.contexts.payments.models import VOIDABLE, PaymentStatus, locked_payment
from emporium.contexts.payments.queries import PaymentOutcome


async def void_payment(
    payment_id: uuid.UUID, *, key: str, uow: UnitsOfWork, gateway: PaymentGateway
) -> PaymentOutcome:
    """Cancel an uncaptured payment at the gateway; voiding twice is harmless.

    If the buyer's confirmation wins the race (the gateway captured it meanwhile), the void
    is refused with 409 and the caller refunds instead.
    """
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status in (PaymentStatus.VOIDED, PaymentStatus.FAILED):
            return PaymentOutcome.of(payment)
        if payment.status not in VOIDABLE or payment.reference is None:
            raise NotVoidable(details={"status": payment.status})
        reference = payment.reference
    try:
        await gateway.void(reference, key=key)
    except GatewayRefused as exc:
        raise NotVoidable(exc.message, details=exc.details) from exc
    async with uow() as unit:
        payment = await locked_payment(unit.session, payment_id)
        if payment.status in VOIDABLE:
            payment.status = PaymentStatus.VOIDED.value
            payment.updated_at = unit.clock.now()
            unit.record(payment.event(PaymentVoided))
        await unit.commit()
    return PaymentOutcome.of(payment)

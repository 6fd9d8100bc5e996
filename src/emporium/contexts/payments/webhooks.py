"""Receiving gateway webhooks: verify the signature, act once per event id, move the payment on.

The event id is stored in the same transaction as its effect, so a second delivery finds it
and changes nothing, and a delivery that failed half-way left nothing behind to skip over.
An event about a payment we do not know (yet) answers 404 and stores nothing: the gateway
retries it later, by which time our record of the charge has committed.
"""

from __future__ import annotations

from typing import Literal

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import select

from emporium.contexts.payments.charges import UnitsOfWork
from emporium.contexts.payments.errors import PaymentNotFound
from emporium.contexts.payments.events import PaymentFailed, PaymentSucceeded
from emporium.contexts.payments.models import Payment, PaymentStatus, WebhookEvent
from emporium.kernel.ids import new_id
from emporium.kernel.upsert import insert_if_absent

log = structlog.get_logger("emporium.payments.webhooks")

DEFAULT_FAILURE = "authentication_failed"


class WebhookData(BaseModel):
    reference: str = Field(min_length=1, max_length=80)
    failure_reason: str | None = Field(None, max_length=80)


class WebhookBody(BaseModel):
    """A gateway event; providers may add fields, so unknown ones are ignored."""

    id: str = Field(pattern=r"^evt_[A-Za-z0-9_]{1,100}$")
    type: Literal["payment.succeeded", "payment.failed"]
    data: WebhookData


async def receive_webhook(provider: str, event: WebhookBody, *, uow: UnitsOfWork) -> bool:
    """Apply a verified event once; False when this event id was handled before."""
    async with uow() as unit:
        first = await insert_if_absent(
            unit.session,
            WebhookEvent,
            {
                "id": new_id(),
                "provider": provider,
                "event_id": event.id,
                "type": event.type,
                "received_at": unit.clock.now(),
            },
        )
        if not first:
            return False
        payment = await unit.session.scalar(
            select(Payment).where(Payment.reference == event.data.reference).with_for_update()
        )
        if payment is None:
            raise PaymentNotFound(details={"reference": event.data.reference})
        if payment.status != PaymentStatus.REQUIRES_ACTION:
            # Voided after a timeout, or told twice under two ids: the first word stands.
            log.warning(
                "payment_webhook_ignored", event_id=event.id, status=payment.status, type=event.type
            )
        elif event.type == "payment.succeeded":
            payment.status = PaymentStatus.CAPTURED.value
            unit.record(payment.event(PaymentSucceeded))
        else:
            payment.status = PaymentStatus.FAILED.value
            payment.failure_reason = event.data.failure_reason or DEFAULT_FAILURE
            unit.record(payment.event(PaymentFailed, reason=payment.failure_reason))
        payment.updated_at = unit.clock.now()
        await unit.commit()
    return True

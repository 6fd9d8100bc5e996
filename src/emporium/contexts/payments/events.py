"""Events the payments context publishes; the checkout saga waits on succeeded/failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.kernel.events import DomainEvent
from emporium.kernel.money import Money


@dataclass(frozen=True, kw_only=True)
class PaymentEvent(DomainEvent):
    aggregate_type = "payment"
    id: uuid.UUID
    owner_id: uuid.UUID
    reference: str | None
    amount: Money
    method: str


@dataclass(frozen=True, kw_only=True)
class PaymentCaptured(PaymentEvent):
    """The gateway took the money at once (synchronous card payment)."""

    type = "payments.payment_captured"


@dataclass(frozen=True, kw_only=True)
class PaymentAuthorized(PaymentEvent):
    type = "payments.payment_authorized"


@dataclass(frozen=True, kw_only=True)
class PaymentRequiresAction(PaymentEvent):
    """The buyer must pass a challenge (3-D Secure); a webhook will say how it went."""

    type = "payments.payment_requires_action"


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(PaymentEvent):
    """An asynchronous confirmation: a payment that required action is now captured."""

    type = "payments.payment_succeeded"


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    type = "payments.payment_failed"
    reason: str


@dataclass(frozen=True, kw_only=True)
class PaymentVoided(PaymentEvent):
    type = "payments.payment_voided"


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(PaymentEvent):
    """Part or all of a captured payment went back; `refunded_total` counts every refund so far."""

    type = "payments.payment_refunded"
    refund_id: uuid.UUID
    refund_amount: Money
    refunded_total: Money
    fully_refunded: bool
    reason: str

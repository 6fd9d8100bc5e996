"""Payments: payment records, the gateway port with its sandbox adapter, webhooks, refunds.

The public facade other contexts (the checkout saga, orders, the wallet) may use. Every
function that talks to the gateway opens its own short transactions and holds none across
the call, so it takes the runtime, never the caller's unit of work: call it with no unit of
work open. Keys are derived from the caller's own ids (`f"{checkout_id}:take_payment"`).
"""

from __future__ import annotations

import uuid

from emporium.contexts.payments import charges, refunds, voids
from emporium.contexts.payments.api import (
    FAULT,
    GATEWAY,
    SANDBOX_WEBHOOKS,
    fault_of,
    gateway_of,
    router,
)
from emporium.contexts.payments.errors import (
    NotCapturable,
    NotRefundable,
    NotVoidable,
    PaymentNotFound,
    RefundExceedsPayment,
)
from emporium.contexts.payments.events import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentRequiresAction,
    PaymentSucceeded,
    PaymentVoided,
)
from emporium.contexts.payments.gateway import GuardedGateway, PaymentGateway
from emporium.contexts.payments.models import PaymentMethod, PaymentStatus, RefundStatus
from emporium.contexts.payments.queries import (
    PaymentOutcome,
    get_payment,
    payment_by_reference,
    payment_for,
)
from emporium.contexts.payments.refunds import RefundOutcome
from emporium.contexts.payments.sandbox import SandboxGateway
from emporium.contexts.payments.sandbox_webhooks import DELIVER_JOB, SandboxWebhooks
from emporium.kernel.money import Money
from emporium.kernel.resilience import guard_for
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import OUTBOUND_TRANSPORT

__all__ = [
    "FAULT",
    "GATEWAY",
    "SANDBOX_WEBHOOKS",
    "NotCapturable",
    "NotRefundable",
    "NotVoidable",
    "PaymentAuthorized",
    "PaymentCaptured",
    "PaymentFailed",
    "PaymentGateway",
    "PaymentMethod",
    "PaymentNotFound",
    "PaymentOutcome",
    "PaymentRefunded",
    "PaymentRequiresAction",
    "PaymentStatus",
    "PaymentSucceeded",
    "PaymentVoided",
    "RefundExceedsPayment",
    "RefundOutcome",
    "RefundStatus",
    "capture_payment",
    "get_payment",
    "payment_by_reference",
    "payment_for",
    "refund",
    "router",
    "take_payment",
    "void",
    "wire",
]

WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"


async def take_payment(
    runtime: Runtime,
    *,
    owner_id: uuid.UUID,
    amount: Money,
    key: str,
    token: str | None = None,
    method: PaymentMethod = PaymentMethod.CARD,
    capture: bool = True,
) -> PaymentOutcome:
    """Charge (or only authorize) once per key; check `.status` (failed: see `.reason`)."""
    cmd = charges.TakePayment(
        owner_id=owner_id, amount=amount, key=key, token=token, method=method, capture=capture
    )
    return await charges.take_payment(
        cmd, uow=runtime.uow, gateway=gateway_of(runtime), fault=fault_of(runtime)
    )


async def capture_payment(runtime: Runtime, *, payment_id: uuid.UUID, key: str) -> PaymentOutcome:
    """Capture an authorized payment in full."""
    return await charges.capture_payment(
        payment_id, key=key, uow=runtime.uow, gateway=gateway_of(runtime)
    )


async def refund(
    runtime: Runtime,
    *,
    payment_id: uuid.UUID,
    key: str,
    amount: Money | None = None,
    reason: str = "",
) -> RefundOutcome:
    """Refund all that is left (amount=None) or part of a captured payment, once per key."""
    cmd = refunds.RefundPayment(payment_id=payment_id, key=key, amount=amount, reason=reason)
    return await refunds.refund_payment(cmd, uow=runtime.uow, gateway=gateway_of(runtime))


async def void(runtime: Runtime, *, payment_id: uuid.UUID, key: str) -> PaymentOutcome:
    """Cancel a payment that was not captured (3-D Secure abandoned, authorization unused)."""
    return await voids.void_payment(
        payment_id, key=key, uow=runtime.uow, gateway=gateway_of(runtime)
    )


def wire(runtime: Runtime) -> None:
    """Build the gateway (sandbox) behind its guard, and the sandbox's webhook delivery job."""
    settings = runtime.settings
    guard = guard_for(
        "payments.gateway", settings=settings, clock=runtime.clock, metrics=runtime.metrics
    )
    runtime.provide(GATEWAY, GuardedGateway(SandboxGateway(runtime.uow), guard))
    webhooks = SandboxWebhooks(
        runtime.uow,
        clock=runtime.clock,
        secret=settings.webhook_secret,
        url=settings.public_url.rstrip("/") + WEBHOOK_PATH,
        transport=lambda: runtime.services.get(OUTBOUND_TRANSPORT),
        retry_base_seconds=settings.dispatcher_retry_base_seconds,
    )
    runtime.provide(SANDBOX_WEBHOOKS, webhooks)
    runtime.jobs.add(DELIVER_JOB, webhooks.deliver_job)

"""Payments routes: gateway webhooks, the sandbox's 3-D Secure page, and admin refunds/voids."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from emporium.contexts.payments.charges import FaultHook
from emporium.contexts.payments.errors import PaymentNotFound, UnknownProvider
from emporium.contexts.payments.gateway import PaymentGateway
from emporium.contexts.payments.queries import PaymentOutcome, get_payment, recent_payments
from emporium.contexts.payments.refunds import RefundOutcome, RefundPayment, refund_payment
from emporium.contexts.payments.sandbox_webhooks import Outcome, SandboxWebhooks
from emporium.contexts.payments.voids import void_payment
from emporium.contexts.payments.webhooks import WebhookBody, receive_webhook
from emporium.kernel.errors import NotFound
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.idempotency import IdempotencyKeyHeader
from emporium.kernel.http.pagination import Page
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import SIGNATURE_HEADER, verified_body

GATEWAY = "payments.gateway"
SANDBOX_WEBHOOKS = "payments.sandbox_webhooks"
FAULT = "payments.fault"

router = APIRouter(tags=["payments"])


def gateway_of(runtime: Runtime) -> PaymentGateway:
    return runtime.service(GATEWAY, PaymentGateway)  # type: ignore[type-abstract]


def fault_of(runtime: Runtime) -> FaultHook | None:
    hook: FaultHook | None = runtime.services.get(FAULT)
    return hook


class WebhookReceived(BaseModel):
    received: bool = True
    duplicate: bool


@router.post("/payments/webhooks/{provider}", response_model=WebhookReceived)
async def post_webhook(provider: str, request: Request, runtime: RuntimeDep) -> WebhookReceived:
    if provider != gateway_of(runtime).name:
        raise UnknownProvider(details={"provider": provider})
    event = verified_body(
        WebhookBody,
        await request.body(),
        secret=runtime.settings.webhook_secret,
        header=request.headers.get(SIGNATURE_HEADER),
        now=runtime.clock.now(),
    )
    applied = await receive_webhook(provider, event, uow=runtime.uow)
    return WebhookReceived(duplicate=not applied)


class SandboxCompletion(Strict):
    outcome: Outcome


class SandboxPaymentRead(BaseModel):
    reference: str
    status: str
    failure_reason: str | None


@router.post("/payments/sandbox/payments/{reference}/complete", response_model=SandboxPaymentRead)
async def complete_sandbox_payment(
    reference: Annotated[str, Field(max_length=80)], body: SandboxCompletion, runtime: RuntimeDep
) -> SandboxPaymentRead:
    """The sandbox's stand-in for the bank's 3-D Secure page: pass or fail the challenge."""
    webhooks: SandboxWebhooks | None = runtime.services.get(SANDBOX_WEBHOOKS)
    if webhooks is None or not runtime.settings.sandbox_endpoints:
        raise NotFound()
    payment = await webhooks.complete(reference, body.outcome)
    return SandboxPaymentRead(
        reference=payment.reference, status=payment.status, failure_reason=payment.failure_reason
    )


class PaymentRead(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    status: str
    method: str
    amount: MoneyOut
    refunded: MoneyOut
    reference: str | None
    failure_reason: str | None

    @classmethod
    def of(cls, payment: PaymentOutcome) -> PaymentRead:
        return cls(
            id=payment.id,
            owner_id=payment.owner_id,
            status=payment.status.value,
            method=payment.method,
            amount=MoneyOut.of(payment.amount),
            refunded=MoneyOut.of(payment.refunded),
            reference=payment.reference,
            failure_reason=payment.reason,
        )


class RefundCreate(Strict):
    amount: MoneyIn | None = None
    reason: str = Field("", max_length=500)


class RefundRead(BaseModel):
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: MoneyOut
    status: str
    reference: str | None
    reason: str

    @classmethod
    def of(cls, refund: RefundOutcome) -> RefundRead:
        return cls(
            id=refund.id,
            payment_id=refund.payment_id,
            amount=MoneyOut.of(refund.amount),
            status=refund.status.value,
            reference=refund.reference,
            reason=refund.reason,
        )


async def _existing(runtime: Runtime, payment_id: str) -> PaymentOutcome:
    key = parse_id(payment_id)
    async with runtime.db.read() as session:
        payment = await get_payment(session, key) if key else None
    if payment is None:
        raise PaymentNotFound()
    return payment


@router.get("/admin/payments", response_model=Page[PaymentRead])
async def list_payments(
    _: AdminPrincipal,
    runtime: RuntimeDep,
    owner_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[PaymentRead]:
    before = parse_id(cursor) if cursor else None
    async with runtime.db.read() as session:
        rows = await recent_payments(session, owner_id=owner_id, before=before, limit=limit + 1)
    items = [PaymentRead.of(p) for p in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


@router.get("/admin/payments/{payment_id}", response_model=PaymentRead)
async def read_payment(payment_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> PaymentRead:
    return PaymentRead.of(await _existing(runtime, payment_id))


@router.post("/admin/payments/{payment_id}/refund", status_code=201, response_model=RefundRead)
async def post_refund(
    payment_id: str,
    body: RefundCreate,
    principal: AdminPrincipal,
    idempotency_key: IdempotencyKeyHeader,
    runtime: RuntimeDep,
) -> RefundRead:
    payment = await _existing(runtime, payment_id)
    cmd = RefundPayment(
        payment_id=payment.id,
        # Scoped by payment: the same client key on two payments makes two refunds.
        key=f"{payment.id}:refund:{idempotency_key}",
        amount=body.amount.to_money() if body.amount else None,
        reason=body.reason,
    )
    refund = await refund_payment(cmd, uow=runtime.uow, gateway=gateway_of(runtime))
    return RefundRead.of(refund)


@router.post("/admin/payments/{payment_id}/void", response_model=PaymentRead)
async def post_void(payment_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> PaymentRead:
    payment = await _existing(runtime, payment_id)
    voided = await void_payment(
        payment.id, key=f"{payment.id}:void", uow=runtime.uow, gateway=gateway_of(runtime)
    )
    return PaymentRead.of(voided)

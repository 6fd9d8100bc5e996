"""Refunds (full, partial, idempotent, never more than captured) and voids."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from emporium.contexts import payments
from emporium.contexts.payments import PaymentStatus, RefundStatus
from emporium.contexts.payments.sandbox_webhooks import AlreadyCompleted, Outcome, SandboxWebhooks
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.payments.builders import EUR_50, pay, sandbox_refunds
from tests.support.auth import AuthedUser, register_buyer
from tests.support.webhooks import events_of


async def test_a_full_refund_returns_everything(runtime: Runtime) -> None:
    paid = await pay(runtime)
    refund = await payments.refund(runtime, payment_id=paid.id, key=f"{paid.owner_id}:refund")
    assert refund.amount == EUR_50
    assert refund.status is RefundStatus.SUCCEEDED
    async with runtime.db.read() as session:
        payment = await payments.get_payment(session, paid.id)
    assert payment is not None and payment.status is PaymentStatus.REFUNDED
    [event] = await events_of(runtime, "payments.payment_refunded")
    assert event.payload["fully_refunded"] is True
    assert event.payload["refunded_total"] == {"amount": 5000, "currency": "EUR"}


async def test_partial_refunds_add_up_to_a_full_one(runtime: Runtime) -> None:
    paid = await pay(runtime)
    await payments.refund(runtime, payment_id=paid.id, key="r1", amount=Money(2000, "EUR"))
    async with runtime.db.read() as session:
        partly = await payments.get_payment(session, paid.id)
    assert partly is not None and partly.status is PaymentStatus.PARTIALLY_REFUNDED
    rest = await payments.refund(runtime, payment_id=paid.id, key="r2")
    assert rest.amount == Money(3000, "EUR")
    async with runtime.db.read() as session:
        done = await payments.get_payment(session, paid.id)
    assert done is not None and done.status is PaymentStatus.REFUNDED
    assert done.refunded == EUR_50


async def test_a_refund_repeated_with_its_key_refunds_once(runtime: Runtime) -> None:
    paid = await pay(runtime)
    first = await payments.refund(runtime, payment_id=paid.id, key="r1", amount=Money(1000, "EUR"))
    again = await payments.refund(runtime, payment_id=paid.id, key="r1", amount=Money(1000, "EUR"))
    assert again == first
    assert await sandbox_refunds(runtime) == 1
    assert len(await events_of(runtime, "payments.payment_refunded")) == 1


async def test_refunding_more_than_is_left_is_refused(runtime: Runtime) -> None:
    paid = await pay(runtime)
    await payments.refund(runtime, payment_id=paid.id, key="r1", amount=Money(4000, "EUR"))
    with pytest.raises(payments.RefundExceedsPayment) as raised:
        await payments.refund(runtime, payment_id=paid.id, key="r2", amount=Money(1001, "EUR"))
    assert raised.value.details["refundable"] == {"amount": 1000, "currency": "EUR"}
    assert await sandbox_refunds(runtime) == 1


async def test_concurrent_refunds_never_exceed_the_payment(runtime: Runtime) -> None:
    paid = await pay(runtime)
    results = await asyncio.gather(
        *(
            payments.refund(runtime, payment_id=paid.id, key=f"r{i}", amount=Money(3000, "EUR"))
            for i in range(3)
        ),
        return_exceptions=True,
    )
    succeeded = [r for r in results if isinstance(r, payments.RefundOutcome)]
    assert len(succeeded) == 1
    assert all(isinstance(r, payments.RefundExceedsPayment) for r in results if r not in succeeded)


async def test_a_failed_payment_cannot_be_refunded(runtime: Runtime) -> None:
    declined = await pay(runtime, "tok_chargeDeclined")
    with pytest.raises(payments.NotRefundable):
        await payments.refund(runtime, payment_id=declined.id, key="r1")


async def test_a_payment_awaiting_three_d_secure_is_voided(
    runtime: Runtime, sandbox_webhooks: SandboxWebhooks
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    voided = await payments.void(runtime, payment_id=pending.id, key=f"{pending.owner_id}:void")
    assert voided.status is PaymentStatus.VOIDED
    assert len(await events_of(runtime, "payments.payment_voided")) == 1
    assert pending.reference is not None
    with pytest.raises(AlreadyCompleted):  # the buyer can no longer pass the challenge
        await sandbox_webhooks.complete(pending.reference, Outcome.SUCCEEDED)


async def test_voiding_twice_is_harmless(runtime: Runtime) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    await payments.void(runtime, payment_id=pending.id, key="v")
    again = await payments.void(runtime, payment_id=pending.id, key="v")
    assert again.status is PaymentStatus.VOIDED
    assert len(await events_of(runtime, "payments.payment_voided")) == 1


async def test_a_captured_payment_cannot_be_voided(runtime: Runtime) -> None:
    paid = await pay(runtime)
    with pytest.raises(payments.NotVoidable) as raised:
        await payments.void(runtime, payment_id=paid.id, key="v")
    assert raised.value.code == "INVALID_STATE_TRANSITION"


async def test_admins_refund_over_http_with_an_idempotency_key(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    paid = await pay(runtime)
    url = f"/api/v1/admin/payments/{paid.id}/refund"
    body = {"amount": {"amount": 1500, "currency": "EUR"}, "reason": "damaged"}
    headers = {**admin.headers, "Idempotency-Key": "refund-1"}
    first = await client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["amount"] == {"amount": 1500, "currency": "EUR"}
    again = await client.post(url, json=body, headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert await sandbox_refunds(runtime) == 1
    payment = await client.get(f"/api/v1/admin/payments/{paid.id}", headers=admin.headers)
    assert payment.json()["status"] == "partially_refunded"


async def test_an_http_refund_without_an_idempotency_key_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    paid = await pay(runtime)
    response = await client.post(
        f"/api/v1/admin/payments/{paid.id}/refund", json={"reason": "x"}, headers=admin.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await sandbox_refunds(runtime) == 0


async def test_buyers_cannot_refund(runtime: Runtime, client: httpx.AsyncClient) -> None:
    paid = await pay(runtime)
    buyer = await register_buyer(client)
    response = await client.post(
        f"/api/v1/admin/payments/{paid.id}/refund",
        json={},
        headers={**buyer.headers, "Idempotency-Key": "k"},
    )
    assert response.status_code == 403

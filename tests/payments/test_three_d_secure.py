"""3-D Secure end to end: requires_action → the buyer passes → a job delivers the signed webhook."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from emporium.contexts import payments
from emporium.contexts.payments import PaymentStatus
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhook, SandboxWebhooks
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import OUTBOUND_TRANSPORT
from tests.payments.builders import pay
from tests.support.webhooks import events_of, route_outbound_to


async def complete(client: httpx.AsyncClient, reference: str, outcome: str) -> httpx.Response:
    return await client.post(
        f"/api/v1/payments/sandbox/payments/{reference}/complete", json={"outcome": outcome}
    )


async def deliveries(runtime: Runtime) -> list[SandboxWebhook]:
    async with runtime.db.read() as session:
        return list(await session.scalars(select(SandboxWebhook)))


async def payment_status(runtime: Runtime, payment: payments.PaymentOutcome) -> PaymentStatus:
    async with runtime.db.read() as session:
        found = await payments.get_payment(session, payment.id)
    assert found is not None
    return found.status


async def test_a_passed_challenge_captures_the_payment_through_a_signed_webhook(
    runtime: Runtime, client: httpx.AsyncClient, sandbox_webhooks: SandboxWebhooks
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    assert pending.status is PaymentStatus.REQUIRES_ACTION
    response = await complete(client, pending.reference or "", "succeeded")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "captured"
    assert await payment_status(runtime, pending) is PaymentStatus.REQUIRES_ACTION

    assert await run_due_jobs(runtime) == 1
    await sandbox_webhooks.drain()

    assert await payment_status(runtime, pending) is PaymentStatus.CAPTURED
    [event] = await events_of(runtime, "payments.payment_succeeded")
    assert event.payload["owner_id"] == str(pending.owner_id)
    [delivery] = await deliveries(runtime)
    assert delivery.status == "delivered"


async def test_a_failed_challenge_fails_the_payment(
    runtime: Runtime, client: httpx.AsyncClient, sandbox_webhooks: SandboxWebhooks
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    await complete(client, pending.reference or "", "failed")
    await run_due_jobs(runtime)
    await sandbox_webhooks.drain()
    assert await payment_status(runtime, pending) is PaymentStatus.FAILED
    [event] = await events_of(runtime, "payments.payment_failed")
    assert event.payload["reason"] == "authentication_failed"


async def test_completing_twice_sends_one_webhook(
    runtime: Runtime, client: httpx.AsyncClient, sandbox_webhooks: SandboxWebhooks
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    await complete(client, pending.reference or "", "succeeded")
    again = await complete(client, pending.reference or "", "succeeded")
    assert again.status_code == 200
    contrary = await complete(client, pending.reference or "", "failed")
    assert contrary.status_code == 409
    assert len(await deliveries(runtime)) == 1


async def test_an_unreachable_shop_gets_the_webhook_on_a_later_attempt(
    runtime: Runtime,
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox_webhooks: SandboxWebhooks,
    clock: FakeClock,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    runtime.provide(OUTBOUND_TRANSPORT, httpx.MockTransport(refuse))
    pending = await pay(runtime, "tok_threeDSecure")
    await complete(client, pending.reference or "", "succeeded")
    await run_due_jobs(runtime)
    await sandbox_webhooks.drain()
    [delivery] = await deliveries(runtime)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert await payment_status(runtime, pending) is PaymentStatus.REQUIRES_ACTION

    route_outbound_to(runtime, app)  # the shop is back
    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 1
    await sandbox_webhooks.drain()
    assert await payment_status(runtime, pending) is PaymentStatus.CAPTURED
    [delivery] = await deliveries(runtime)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    clock.advance(days=1)
    assert await run_due_jobs(runtime) == 0  # the fallback attempt was cancelled


async def test_the_sandbox_pages_can_be_switched_off(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    runtime.settings.sandbox_endpoints = False
    response = await complete(client, pending.reference or "", "succeeded")
    assert response.status_code == 404


@pytest.mark.parametrize("outcome", ["maybe", ""])
async def test_an_unknown_outcome_is_a_validation_error(
    runtime: Runtime, client: httpx.AsyncClient, outcome: str
) -> None:
    pending = await pay(runtime, "tok_threeDSecure")
    response = await complete(client, pending.reference or "", outcome)
    assert response.status_code == 422

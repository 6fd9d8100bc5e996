"""The payment webhook endpoint: signed, fresh, well-formed, and harmless when repeated."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emporium.contexts import payments
from emporium.contexts.payments import PaymentStatus
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import SIGNATURE_HEADER
from tests.payments.builders import pay
from tests.support.webhooks import encode, events_of, post_signed_json

URL = "/api/v1/payments/webhooks/sandbox"


def succeeded(reference: str, event_id: str = "evt_1") -> dict[str, Any]:
    return {"id": event_id, "type": "payment.succeeded", "data": {"reference": reference}}


async def awaiting_action(runtime: Runtime) -> payments.PaymentOutcome:
    outcome = await pay(runtime, "tok_threeDSecure")
    assert outcome.reference is not None
    return outcome


async def status_of(runtime: Runtime, outcome: payments.PaymentOutcome) -> PaymentStatus:
    async with runtime.db.read() as session:
        found = await payments.get_payment(session, outcome.id)
    assert found is not None
    return found.status


async def test_a_signed_success_captures_the_payment_and_says_so(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pending = await awaiting_action(runtime)
    secret = runtime.settings.webhook_secret
    body = succeeded(pending.reference or "")
    response = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}
    assert await status_of(runtime, pending) is PaymentStatus.CAPTURED
    [event] = await events_of(runtime, "payments.payment_succeeded")
    assert event.payload["reference"] == pending.reference


async def test_a_signed_failure_fails_the_payment_with_a_reason(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pending = await awaiting_action(runtime)
    body = {"id": "evt_2", "type": "payment.failed", "data": {"reference": pending.reference}}
    secret = runtime.settings.webhook_secret
    response = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert response.status_code == 200
    assert await status_of(runtime, pending) is PaymentStatus.FAILED
    [event] = await events_of(runtime, "payments.payment_failed")
    assert event.payload["reason"] == "authentication_failed"


async def test_a_duplicate_delivery_answers_ok_and_does_nothing_more(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pending = await awaiting_action(runtime)
    body = succeeded(pending.reference or "")
    secret = runtime.settings.webhook_secret
    await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    clock.advance(seconds=30)
    again = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert len(await events_of(runtime, "payments.payment_succeeded")) == 1


async def test_a_wrong_signature_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    pending = await awaiting_action(runtime)
    body = succeeded(pending.reference or "")
    response = await post_signed_json(client, URL, body, secret="not-the-secret", at=clock.now())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await status_of(runtime, pending) is PaymentStatus.REQUIRES_ACTION


async def test_a_body_changed_after_signing_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    from emporium.kernel.signing import sign

    pending = await awaiting_action(runtime)
    signed = sign(runtime.settings.webhook_secret, encode(succeeded("other")), at=clock.now())
    response = await client.post(
        URL,
        content=encode(succeeded(pending.reference or "")),
        headers={SIGNATURE_HEADER: signed, "content-type": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("minutes", [-6, 6])
async def test_a_signature_more_than_five_minutes_off_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock, minutes: int
) -> None:
    pending = await awaiting_action(runtime)
    body = succeeded(pending.reference or "")
    signed_at = clock.now()
    clock.advance(minutes=minutes)
    secret = runtime.settings.webhook_secret
    response = await post_signed_json(client, URL, body, secret=secret, at=signed_at)
    assert response.status_code == 400
    assert "too old" in response.json()["error"]["message"]
    assert await status_of(runtime, pending) is PaymentStatus.REQUIRES_ACTION


async def test_a_missing_signature_is_refused(runtime: Runtime, client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=succeeded("pi_sbx_x"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        encode({"id": "evt_3", "type": "payment.exploded", "data": {"reference": "x"}}),
        encode({"id": "no-prefix", "type": "payment.succeeded", "data": {"reference": "x"}}),
        encode({"id": "evt_4", "type": "payment.succeeded", "data": {}}),
    ],
)
async def test_a_malformed_body_is_refused_even_when_signed(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock, body: bytes
) -> None:
    secret = runtime.settings.webhook_secret
    response = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_an_event_for_an_unknown_payment_is_not_found_and_can_come_again(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    secret = runtime.settings.webhook_secret
    body = succeeded("pi_sbx_unknown", "evt_5")
    response = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert response.status_code == 404
    again = await post_signed_json(client, URL, body, secret=secret, at=clock.now())
    assert again.status_code == 404  # not stored as handled: a later delivery still counts


async def test_an_unknown_provider_is_not_found(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    secret = runtime.settings.webhook_secret
    response = await post_signed_json(
        client,
        "/api/v1/payments/webhooks/acme",
        succeeded("x"),
        secret=secret,
        at=clock.now(),
    )
    assert response.status_code == 404

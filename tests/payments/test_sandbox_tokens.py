"""Every sandbox token of API.md ends as a real processor in test mode would end it."""

from __future__ import annotations

import pytest

from emporium.contexts import payments
from emporium.contexts.payments import PaymentStatus
from emporium.kernel.errors import PaymentFailed
from emporium.kernel.runtime import Runtime
from tests.payments.builders import EUR_50, pay
from tests.support.webhooks import events_of


@pytest.mark.parametrize("token", ["tok_visa", "tok_mastercard"])
async def test_good_cards_are_captured_at_once(runtime: Runtime, token: str) -> None:
    outcome = await pay(runtime, token)
    assert outcome.status is PaymentStatus.CAPTURED
    assert outcome.reference is not None and outcome.reference.startswith("pi_sbx_")
    assert outcome.amount == EUR_50
    [event] = await events_of(runtime, "payments.payment_captured")
    assert event.payload["owner_id"] == str(outcome.owner_id)
    assert event.payload["reference"] == outcome.reference


@pytest.mark.parametrize(
    ("token", "reason"),
    [("tok_chargeDeclined", "card_declined"), ("tok_insufficientFunds", "insufficient_funds")],
)
async def test_refused_cards_fail_with_their_reason(
    runtime: Runtime, token: str, reason: str
) -> None:
    outcome = await pay(runtime, token)
    assert outcome.status is PaymentStatus.FAILED
    assert outcome.reason == reason
    [event] = await events_of(runtime, "payments.payment_failed")
    assert event.payload["reason"] == reason


async def test_a_failed_payment_raises_payment_failed_for_direct_payers(runtime: Runtime) -> None:
    outcome = await pay(runtime, "tok_chargeDeclined")
    with pytest.raises(PaymentFailed) as raised:
        outcome.raise_for_failure()
    assert raised.value.status == 402
    assert raised.value.details["reason"] == "card_declined"


async def test_three_d_secure_waits_for_the_buyer(runtime: Runtime) -> None:
    outcome = await pay(runtime, "tok_threeDSecure")
    assert outcome.status is PaymentStatus.REQUIRES_ACTION
    [event] = await events_of(runtime, "payments.payment_requires_action")
    assert event.payload["reference"] == outcome.reference
    assert await events_of(runtime, "payments.payment_captured") == []


async def test_an_unknown_token_fails_as_invalid(runtime: Runtime) -> None:
    outcome = await pay(runtime, "tok_madeUp")
    assert outcome.status is PaymentStatus.FAILED
    assert outcome.reason == "invalid_token"


async def test_an_authorization_is_captured_later(runtime: Runtime) -> None:
    authorized = await pay(runtime, "tok_visa", capture=False)
    assert authorized.status is PaymentStatus.AUTHORIZED
    captured = await payments.capture_payment(
        runtime, payment_id=authorized.id, key=f"{authorized.owner_id}:capture"
    )
    assert captured.status is PaymentStatus.CAPTURED
    assert len(await events_of(runtime, "payments.payment_captured")) == 1


async def test_the_latest_payment_of_an_owner_is_found(runtime: Runtime) -> None:
    outcome = await pay(runtime, "tok_visa")
    async with runtime.db.read() as session:
        found = await payments.payment_for(session, outcome.owner_id)
    assert found == outcome

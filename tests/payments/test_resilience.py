"""The gateway behind a timeout, retries and a circuit breaker: outages fail fast, then recover."""

from __future__ import annotations

import uuid

import pytest

from emporium.contexts.payments import PaymentStatus
from emporium.contexts.payments.gateway import GuardedGateway
from emporium.kernel.clock import FakeClock
from emporium.kernel.errors import ServiceUnavailable
from emporium.kernel.resilience import CircuitOpen, CircuitState, DependencyTimeout
from emporium.kernel.runtime import Runtime
from tests.payments.builders import pay, sandbox_charges


async def test_a_gateway_outage_is_service_unavailable_and_leaves_the_payment_pending(
    runtime: Runtime,
) -> None:
    with pytest.raises(ServiceUnavailable) as raised:
        await pay(runtime, "tok_gatewayError")
    assert raised.value.status == 503
    assert raised.value.code == "SERVICE_UNAVAILABLE"
    assert await sandbox_charges(runtime) == 0


async def test_the_circuit_opens_after_repeated_outages_and_fails_fast(
    runtime: Runtime, gateway: GuardedGateway
) -> None:
    threshold = runtime.settings.circuit_failure_threshold
    # Each call retries (3 attempts), and every attempt counts as a failure.
    while gateway.guard.breaker.state is CircuitState.CLOSED:
        with pytest.raises(ServiceUnavailable):
            await pay(runtime, "tok_gatewayError")
    assert gateway.guard.breaker.failures >= threshold
    with pytest.raises(CircuitOpen):
        await pay(runtime, "tok_visa")
    assert await sandbox_charges(runtime) == 0  # the good card never reached the gateway


async def test_the_circuit_lets_a_trial_through_after_the_cool_down_and_closes(
    runtime: Runtime, gateway: GuardedGateway, clock: FakeClock
) -> None:
    while gateway.guard.breaker.state is CircuitState.CLOSED:
        with pytest.raises(ServiceUnavailable):
            await pay(runtime, "tok_gatewayError")
    clock.advance(seconds=runtime.settings.circuit_reset_seconds)
    assert gateway.guard.breaker.state is CircuitState.HALF_OPEN
    outcome = await pay(runtime, "tok_visa")
    assert outcome.status is PaymentStatus.CAPTURED
    assert gateway.guard.breaker.state is CircuitState.CLOSED


async def test_a_failed_trial_opens_the_circuit_again(
    runtime: Runtime, gateway: GuardedGateway, clock: FakeClock
) -> None:
    while gateway.guard.breaker.state is CircuitState.CLOSED:
        with pytest.raises(ServiceUnavailable):
            await pay(runtime, "tok_gatewayError")
    clock.advance(seconds=runtime.settings.circuit_reset_seconds)
    with pytest.raises(ServiceUnavailable):
        await pay(runtime, "tok_gatewayError")
    assert gateway.guard.breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        await pay(runtime, "tok_visa")


async def test_a_declined_card_is_an_answer_not_an_outage(
    runtime: Runtime, gateway: GuardedGateway
) -> None:
    for _ in range(runtime.settings.circuit_failure_threshold + 1):
        await pay(runtime, "tok_chargeDeclined")
    assert gateway.guard.breaker.state is CircuitState.CLOSED


async def test_a_lost_answer_is_retried_with_the_same_key_and_charges_once(
    runtime: Runtime, gateway: GuardedGateway
) -> None:
    gateway.guard.timeout_seconds = 0.2  # tok_timeout never answers its first call
    outcome = await pay(runtime, "tok_timeout")
    assert outcome.status is PaymentStatus.CAPTURED
    assert await sandbox_charges(runtime) == 1


async def test_a_timeout_without_retries_leaves_a_pending_payment_a_retry_completes(
    runtime: Runtime, gateway: GuardedGateway
) -> None:
    gateway.guard.timeout_seconds = 0.2
    gateway.guard.attempts = 1
    owner = uuid.uuid4()
    with pytest.raises(DependencyTimeout) as raised:
        await pay(runtime, "tok_timeout", owner_id=owner)
    assert raised.value.status == 503
    outcome = await pay(runtime, "tok_timeout", owner_id=owner)
    assert outcome.status is PaymentStatus.CAPTURED
    assert await sandbox_charges(runtime) == 1

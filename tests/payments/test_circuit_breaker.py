"""The circuit breaker's states, driven by a fake clock (no database needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emporium.kernel.clock import FakeClock
from emporium.kernel.resilience import (
    CircuitBreaker,
    CircuitOpen,
    CircuitState,
    DependencyUnavailable,
    Guard,
)


async def down() -> None:
    raise DependencyUnavailable()


async def up() -> str:
    return "ok"


def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker(
        "dep", clock=clock, failure_threshold=2, reset_after=timedelta(seconds=30)
    )


async def test_the_circuit_opens_after_consecutive_failures_only() -> None:
    clock = FakeClock()
    circuit = breaker(clock)
    with pytest.raises(DependencyUnavailable):
        await circuit.call(down)
    await circuit.call(up)  # a success in between starts the count again
    with pytest.raises(DependencyUnavailable):
        await circuit.call(down)
    assert circuit.state is CircuitState.CLOSED
    with pytest.raises(DependencyUnavailable):
        await circuit.call(down)
    assert circuit.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen):
        await circuit.call(up)


async def test_the_circuit_half_opens_after_the_cool_down_and_closes_on_success() -> None:
    clock = FakeClock()
    circuit = breaker(clock)
    for _ in range(2):
        with pytest.raises(DependencyUnavailable):
            await circuit.call(down)
    clock.advance(seconds=29)
    assert circuit.state is CircuitState.OPEN
    clock.advance(seconds=1)
    assert circuit.state is CircuitState.HALF_OPEN
    assert await circuit.call(up) == "ok"
    assert circuit.state is CircuitState.CLOSED


async def test_other_errors_do_not_count_against_the_dependency() -> None:
    async def bug() -> None:
        raise ValueError("ours, not theirs")

    circuit = breaker(FakeClock())
    for _ in range(5):
        with pytest.raises(ValueError):
            await circuit.call(bug)
    assert circuit.state is CircuitState.CLOSED


async def test_the_guard_retries_transient_failures_until_one_succeeds() -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise DependencyUnavailable()
        return "ok"

    circuit = CircuitBreaker("dep", clock=FakeClock(), failure_threshold=5)
    guard = Guard(circuit, timeout_seconds=5, attempts=3, backoff_seconds=0)
    assert await guard.call(flaky) == "ok"
    assert calls == 3

"""Timeouts, retries and circuit breakers around calls to the outside (gateways, carriers).

Why our own circuit breaker: the maintained async breakers (aiobreaker, aiocircuitbreaker,
purgatory) read the wall clock or a monotonic clock directly, so their cool-down cannot follow
the injected clock that tests move by hand; the state machine is small enough to own. Retries
use tenacity, and only ever wrap calls that are idempotent (every gateway call carries a key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
    wait_none,
)

from emporium.kernel.clock import Clock
from emporium.kernel.errors import ServiceUnavailable
from emporium.kernel.metrics import Metrics
from emporium.settings import Settings

log = structlog.get_logger("emporium.resilience")

T = TypeVar("T")


class DependencyUnavailable(ServiceUnavailable):
    """The dependency answered that it cannot serve now (a 503-like, transient failure)."""


class DependencyTimeout(DependencyUnavailable):
    default_message = "A dependency did not answer in time; retry later"


class CircuitOpen(ServiceUnavailable):
    default_message = "A dependency is failing; calls are paused for a moment, retry later"


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed → open after `failure_threshold` failures in a row → half-open after `reset_after`.

    Half-open lets one trial call through: success closes the circuit, failure opens it again
    for another cool-down. Only exceptions in `counts` are failures; a business answer (a
    declined card) is a success as far as the dependency's health goes. State is per process:
    each process learns on its own that a dependency is down, which costs a few calls each.
    """

    def __init__(
        self,
        name: str,
        *,
        clock: Clock,
        failure_threshold: int = 5,
        reset_after: timedelta = timedelta(seconds=30),
        counts: tuple[type[BaseException], ...] = (DependencyUnavailable,),
        on_change: Callable[[str, CircuitState], None] | None = None,
    ) -> None:
        self.name = name
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.counts = counts
        self.on_change = on_change
        self.failures = 0
        self._state = CircuitState.CLOSED
        self._opened_at: datetime | None = None
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        """The state now: an open circuit whose cool-down has passed reads as half-open."""
        if self._state is CircuitState.OPEN and self._cooled_down():
            return CircuitState.HALF_OPEN
        return self._state

    def _cooled_down(self) -> bool:
        return (
            self._opened_at is not None and self.clock.now() >= self._opened_at + self.reset_after
        )

    def _set(self, state: CircuitState) -> None:
        if state is not self._state:
            log.warning("circuit_state_changed", circuit=self.name, state=state.value)
            self._state = state
            if self.on_change is not None:
                self.on_change(self.name, state)

    def _admit(self) -> None:
        state = self.state
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.HALF_OPEN and not self._trial_running:
            self._set(CircuitState.HALF_OPEN)
            self._trial_running = True
            return
        raise CircuitOpen(details={"dependency": self.name})

    def _succeeded(self) -> None:
        self.failures = 0
        self._opened_at = None
        self._set(CircuitState.CLOSED)

    def _failed(self) -> None:
        self.failures += 1
        if self._state is CircuitState.HALF_OPEN or self.failures >= self.failure_threshold:
            self._opened_at = self.clock.now()
            self._set(CircuitState.OPEN)

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run operation unless the circuit is open (then raise CircuitOpen at once)."""
        self._admit()
        trial = self._state is CircuitState.HALF_OPEN
        try:
            result = await operation()
        except self.counts:
            self._failed()
            raise
        else:
            self._succeeded()
            return result
        finally:
            # Any other exception is no verdict on the dependency: the next call tries again.
            if trial:
                self._trial_running = False


async def within(seconds: float, operation: Awaitable[T], *, dependency: str) -> T:
    """Await operation for at most `seconds`; raise DependencyTimeout after that."""
    try:
        async with asyncio.timeout(seconds):
            return await operation
    except TimeoutError:
        raise DependencyTimeout(details={"dependency": dependency, "seconds": seconds}) from None


@dataclass
class Guard:
    """Timeout, then circuit breaker, then retries with backoff: the wrapping of one dependency.

    Each attempt passes the breaker and has its own timeout. Only transient failures
    (DependencyUnavailable and its timeouts) are retried; an open circuit is not, so callers
    fail fast while the dependency is down. `sleep` is injectable so tests never wait.
    """

    breaker: CircuitBreaker
    timeout_seconds: float
    attempts: int = 3
    backoff_seconds: float = 0.2
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run an idempotent operation under timeout, breaker and retries."""
        name = self.breaker.name

        async def attempt() -> T:
            return await within(self.timeout_seconds, operation(), dependency=name)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(self.attempts, 1)),
            wait=wait_exponential_jitter(
                multiplier=self.backoff_seconds,
                max=10 * self.backoff_seconds,
                jitter=self.backoff_seconds,  # tenacity's default (1 s) would dwarf a 0.2 s base
            )
            if self.backoff_seconds > 0
            else wait_none(),
            retry=retry_if_exception_type(DependencyUnavailable),
            sleep=self.sleep,
            reraise=True,
        )
        async for trying in retrying:
            with trying:
                return await self.breaker.call(attempt)
        raise AssertionError("unreachable: tenacity reraises the last failure")


_STATE_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


def guard_for(name: str, *, settings: Settings, clock: Clock, metrics: Metrics) -> Guard:
    """The guard of one external dependency, tuned by the settings, its circuit state metered."""
    gauge = metrics.gauge(
        "emporium_circuit_state", "Circuit breakers: 0 closed, 1 half-open, 2 open", ("circuit",)
    )
    gauge.labels(name).set(0)
    breaker = CircuitBreaker(
        name,
        clock=clock,
        failure_threshold=settings.circuit_failure_threshold,
        reset_after=timedelta(seconds=settings.circuit_reset_seconds),
        on_change=lambda circuit, state: gauge.labels(circuit).set(_STATE_VALUES[state]),
    )
    return Guard(
        breaker,
        timeout_seconds=settings.gateway_timeout_seconds,
        attempts=settings.gateway_retry_attempts,
        backoff_seconds=settings.gateway_retry_base_seconds,
    )

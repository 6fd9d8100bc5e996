"""How a saga type is declared: ordered steps, each with an action, a compensation and a wait.

A step's action and compensation receive a StepContext. They run with no database
transaction open; any database effect goes through `ctx.effect()`, whose unit of work commits
only while the fence holds (see docs/sagas.md, "The fence rule").
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from emporium.kernel.events import StoredEvent
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_model import Phase, SagaRecord, SagaStatus, SagaStepRecord, StepStatus
from emporium.kernel.uow import UnitOfWork

FAULT_HOOK = "saga.fault"
REGISTRY = "saga.registry"
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_WAIT = timedelta(minutes=15)


class StepFailed(Exception):
    """A business failure (declined card, out of stock): the saga turns back and compensates."""

    def __init__(self, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class FenceLost(Exception):
    """This attempt is stale (a newer attempt or a compensation moved on): its effect rolls back."""


class SimulatedCrash(BaseException):
    """Raised by a test's fault hook to stop the engine dead, as if the process were killed.

    A BaseException, so that no `except Exception` in the engine or a step can swallow it.
    """


class FaultMoment(StrEnum):
    """Where the fault hook is called around each step's action and its persisting."""

    BEFORE_ACTION = "before_action"
    AFTER_ACTION = "after_action"
    BEFORE_PERSIST = "before_persist"
    AFTER_PERSIST = "after_persist"


FaultHook = Callable[[uuid.UUID, str, Phase, FaultMoment], None]


@dataclass(frozen=True)
class Wait:
    """Returned by an action whose outcome arrives later as an event carrying `correlation`."""

    correlation: str
    result: dict[str, Any] = field(default_factory=dict)
    deadline: datetime | timedelta | None = None  # overrides the step's WaitFor.deadline


def _no_result(event: StoredEvent) -> dict[str, Any]:
    return {}


def _failure_from_payload(event: StoredEvent) -> StepFailed:
    payload = event.payload
    code = str(payload.get("code") or "STEP_FAILED")
    message = str(payload.get("message") or f"{event.type} arrived")
    return StepFailed(code, message, payload)


@dataclass(frozen=True)
class WaitFor:
    """What a waiting step waits for: a success event, failure events, and a deadline."""

    event_type: str
    failure_types: Sequence[str] = ()
    deadline: timedelta | Callable[[StepContext], datetime | timedelta] = DEFAULT_WAIT
    correlation_field: str = "reference"  # the events' payload field that holds the correlation
    on_success: Callable[[StoredEvent], dict[str, Any]] = _no_result
    on_failure: Callable[[StoredEvent], StepFailed] = _failure_from_payload
    timeout_code: str = "DEADLINE_PASSED"

    @property
    def event_types(self) -> tuple[str, ...]:
        return (self.event_type, *self.failure_types)

    def deadline_for(self, ctx: StepContext, wait: Wait) -> datetime:
        """When the wait times out: the Wait's own deadline, else this declaration's."""
        chosen = wait.deadline if wait.deadline is not None else self.deadline
        if callable(chosen):
            chosen = chosen(ctx)
        return ctx.now + chosen if isinstance(chosen, timedelta) else chosen


StepResult = dict[str, Any] | Wait | None
Action = Callable[["StepContext"], Awaitable[StepResult]]
Compensation = Callable[["StepContext"], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Step:
    """One step: its action, the compensation that undoes it, and what it may wait for."""

    name: str
    action: Action | None = None
    compensation: Compensation | None = None
    wait_for: WaitFor | None = None
    max_attempts: int | None = None  # forward attempts; compensations retry until they succeed

    def function(self, phase: Phase) -> Action | Compensation | None:
        return self.action if phase is Phase.FORWARD else self.compensation


@dataclass(frozen=True)
class SagaType:
    """A named, ordered list of steps; its name is stored with every saga of the type."""

    name: str
    steps: Sequence[Step]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"saga {self.name!r} needs steps with distinct names")
        for step in self.steps:
            if step.wait_for is not None and step.action is None:
                raise ValueError(f"step {step.name!r} waits, so it needs an action")

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)

    def next_step(self, name: str) -> str | None:
        names = [step.name for step in self.steps]
        index = names.index(name) + 1
        return names[index] if index < len(names) else None

    def attempts_for(self, step: Step) -> int:
        return step.max_attempts or self.max_attempts


class SagaRegistry:
    """The saga types this process can drive, and the event types their waits listen to."""

    def __init__(self) -> None:
        self._types: dict[str, SagaType] = {}
        # Shared with the `kernel.sagas` subscriber, which reads only these types.
        self.wait_types: list[str] = []

    def add(self, saga_type: SagaType) -> None:
        if saga_type.name in self._types:
            raise ValueError(f"saga type {saga_type.name!r} registered twice")
        self._types[saga_type.name] = saga_type
        for step in saga_type.steps:
            if step.wait_for is None:
                continue
            for event_type in step.wait_for.event_types:
                if event_type not in self.wait_types:
                    self.wait_types.append(event_type)

    def get(self, name: str) -> SagaType:
        saga_type = self._types.get(name)
        if saga_type is None:
            raise LookupError(f"saga type {name!r} is not registered in this process")
        return saga_type

    def knows(self, name: str) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return list(self._types)

    def correlation_fields(self, event_type: str) -> set[str]:
        """The payload fields that correlate event_type with the sagas waiting for it."""
        return {
            step.wait_for.correlation_field
            for saga_type in self._types.values()
            for step in saga_type.steps
            if step.wait_for is not None and event_type in step.wait_for.event_types
        }


def registry_of(runtime: Runtime) -> SagaRegistry:
    return runtime.service(REGISTRY, SagaRegistry)


@dataclass(frozen=True)
class StepContext:
    """What a step's action or compensation is given: the saga, its data, and the runtime."""

    runtime: Runtime
    saga_id: uuid.UUID
    saga_type: str
    key: str
    step: str
    phase: Phase
    attempt: int
    data: Mapping[str, Any]
    result: Mapping[str, Any] | None  # in a compensation: what the forward step returned
    failure: Mapping[str, Any] | None  # in a compensation: why the saga turned back

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    @property
    def idempotency_key(self) -> str:
        """Stable across attempts of this step and phase: pass it to gateways and carriers."""
        return f"saga:{self.saga_id}:{self.step}:{self.phase.value}"

    @property
    def action_key(self) -> str:
        """The forward action's key: a compensation names the call it undoes with it."""
        return f"saga:{self.saga_id}:{self.step}:{Phase.FORWARD.value}"

    def key_for(self, suffix: str) -> str:
        """An idempotency key for one of several calls the step makes."""
        return f"{self.idempotency_key}:{suffix}"

    @asynccontextmanager
    async def effect(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that commits at the block's end only if this attempt is still current.

        Raises FenceLost (and rolls back) when a newer attempt started or the saga moved on.
        """
        async with self.runtime.uow() as uow:
            await hold_fence(uow, self)
            yield uow
            await uow.commit()


async def hold_fence(uow: UnitOfWork, ctx: StepContext) -> None:
    """Lock the saga and step rows until commit, and check this attempt is still the live one.

    Every transition of a saga locks its row first, so while this transaction holds it no
    compensation, newer attempt or timeout can slip in between the check and the commit.
    """
    expected = SagaStatus.RUNNING if ctx.phase is Phase.FORWARD else SagaStatus.COMPENSATING
    status = await uow.session.scalar(
        select(SagaRecord.status).where(SagaRecord.id == ctx.saga_id).with_for_update()
    )
    row = (
        await uow.session.execute(
            select(SagaStepRecord.status, SagaStepRecord.attempt)
            .where(
                SagaStepRecord.saga_id == ctx.saga_id,
                SagaStepRecord.step == ctx.step,
                SagaStepRecord.phase == ctx.phase,
            )
            .with_for_update()
        )
    ).first()
    if status != expected or row is None or tuple(row) != (StepStatus.RUNNING, ctx.attempt):
        raise FenceLost(
            f"saga {ctx.saga_id} step {ctx.step} ({ctx.phase}) attempt {ctx.attempt} is stale"
        )

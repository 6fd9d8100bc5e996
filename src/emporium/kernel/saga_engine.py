"""Drives a saga step by step under a lease, from the database alone.

Each turn is one unit of work that checks (or takes) the lease, persists the outcome of the
previous action, plans the next move from the step log and opens that step's next attempt.
Then, with no transaction open, the step's action runs. A driver that dies leaves the lease to
expire; whoever claims the saga next re-plans from the same rows: finished steps are never run
again, an interrupted one is run again (attempt + 1), and a stale attempt is fenced out.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import ColumnElement, and_, or_, select

from emporium.kernel.backoff import retry_delay
from emporium.kernel.dead_letters import describe
from emporium.kernel.events import EventContext, current_context, to_json
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_model import (
    DRIVABLE,
    FailureKind,
    Phase,
    SagaRecord,
    SagaStatus,
    StepStatus,
)
from emporium.kernel.saga_steps import (
    FAULT_HOOK,
    FaultHook,
    FaultMoment,
    FenceLost,
    SagaType,
    StepContext,
    StepFailed,
    Wait,
    WaitFor,
    registry_of,
)
from emporium.kernel.saga_transitions import (
    StepRows,
    complete_step,
    fail_forward,
    failure,
    finish,
    lock_saga,
    open_step,
    release,
    retry_later,
    skip_step,
    step_rows,
)
from emporium.kernel.saga_waits import Waiting, lock_correlation, start_waiting
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.sagas")

UNCLAIMED_GRACE = timedelta(seconds=10)


class LeaseLost(Exception):
    """Another driver holds the saga now: this one stops without changing anything."""


class MoveKind(StrEnum):
    RUN = "run"
    FINISH = "finish"
    REST = "rest"


@dataclass(frozen=True)
class Move:
    """What a driver does next: run a step in a phase, finish with a status, or rest."""

    kind: MoveKind
    step: str | None = None
    phase: Phase | None = None
    status: SagaStatus | None = None


REST = Move(MoveKind.REST)


def plan(
    saga_type: SagaType,
    status: SagaStatus,
    steps: Mapping[tuple[str, Phase], StepStatus],
    *,
    failure_kind: str | None = None,
) -> Move:
    """The next move of a drivable saga, from its status and its step log alone."""
    if status is SagaStatus.RUNNING:
        for step in saga_type.steps:
            done = steps.get((step.name, Phase.FORWARD))
            if done is None or not done.settled:
                return Move(MoveKind.RUN, step.name, Phase.FORWARD)
        return Move(MoveKind.FINISH, status=SagaStatus.COMPLETED)
    if status is SagaStatus.COMPENSATING:
        # Every step that started is undone, the failed one too: an earlier attempt of it, or
        # its call before a timeout, may have left an effect. Compensations must accept that
        # there may be nothing to undo.
        for step in reversed(saga_type.steps):
            if (step.name, Phase.FORWARD) not in steps:
                continue
            undone = steps.get((step.name, Phase.COMPENSATE))
            if undone is None or not undone.settled:
                return Move(MoveKind.RUN, step.name, Phase.COMPENSATE)
        ended = SagaStatus.FAILED if failure_kind == FailureKind.ERROR else SagaStatus.COMPENSATED
        return Move(MoveKind.FINISH, status=ended)
    return REST


@dataclass(frozen=True)
class Completed:
    result: dict[str, Any]


@dataclass(frozen=True)
class Failed:
    error: StepFailed


@dataclass(frozen=True)
class Errored:
    error: str


Outcome = Completed | Waiting | Failed | Errored


@dataclass(frozen=True)
class Pending:
    """An action's outcome, still to be persisted by the next turn."""

    ctx: StepContext
    outcome: Outcome


async def run(runtime: Runtime, saga_id: uuid.UUID, *, token: uuid.UUID | None = None) -> None:
    """Drive the saga until it rests (finished, waiting, retrying later) or another driver has it.

    Without token it first claims the saga, and does nothing when it is not drivable now.
    """
    pending: Pending | None = None
    try:
        while True:
            turn = await _turn(runtime, saga_id, token, pending)
            if turn is None:
                return
            token, ctx = turn
            _fault(runtime, ctx, FaultMoment.BEFORE_ACTION)
            pending = Pending(ctx, await _act(ctx))
            _fault(runtime, ctx, FaultMoment.AFTER_ACTION)
    except (LeaseLost, FenceLost) as exc:
        log.warning("saga_driver_superseded", saga_id=str(saga_id), reason=str(exc))


async def claim_stale(runtime: Runtime) -> tuple[uuid.UUID, uuid.UUID] | None:
    """Lease one drivable saga nobody is driving (its driver died, or it is due); committed."""
    registry = registry_of(runtime)
    async with runtime.uow() as uow:
        now = uow.clock.now()
        stmt = (
            select(SagaRecord)
            .where(*undriven(registry.names(), now))
            .order_by(SagaRecord.updated_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        saga = await uow.session.scalar(stmt)
        if saga is None:
            return None
        token = _take_lease(runtime, saga, now)
        await uow.commit()
    return saga.id, token


def undriven(types: list[str], now: datetime) -> list[ColumnElement[bool]]:
    """Sagas of types that are drivable at now and that no live driver holds.

    A saga nobody has leased yet (just begun, or just woken) is left to whoever began or woke
    it for a grace period, so recovery does not snatch it from a request about to drive it.
    """
    return [
        SagaRecord.type.in_(types),
        SagaRecord.status.in_(DRIVABLE),
        or_(
            SagaRecord.lease_until <= now,
            and_(SagaRecord.lease_until.is_(None), SagaRecord.updated_at <= now - UNCLAIMED_GRACE),
        ),
        or_(SagaRecord.retry_at.is_(None), SagaRecord.retry_at <= now),
    ]


def _take_lease(runtime: Runtime, saga: SagaRecord, now: datetime) -> uuid.UUID:
    if saga.lease_token is not None:
        log.warning("saga_lease_expired", saga_id=str(saga.id), step=saga.current_step)
    saga.lease_token = new_id()
    saga.lease_until = now + timedelta(seconds=runtime.settings.job_lease_seconds)
    saga.retry_at = None
    return saga.lease_token


def _claimable(saga: SagaRecord, now: datetime) -> bool:
    return (
        saga.status in DRIVABLE
        and (saga.lease_until is None or saga.lease_until <= now)
        and (saga.retry_at is None or saga.retry_at <= now)
    )


async def _turn(
    runtime: Runtime, saga_id: uuid.UUID, token: uuid.UUID | None, pending: Pending | None
) -> tuple[uuid.UUID, StepContext] | None:
    """Persist pending, then open the next step: its context, or None when the saga rests."""
    async with runtime.uow() as uow:
        if pending is not None and isinstance(pending.outcome, Waiting):
            await lock_correlation(uow, pending.outcome.correlation)  # before the saga row
        saga = await lock_saga(uow, saga_id)
        now = uow.clock.now()
        if saga is None:
            return None
        if token is None:
            if not _claimable(saga, now):
                return None
            token = _take_lease(runtime, saga, now)
        elif saga.lease_token != token:
            raise LeaseLost(f"saga {saga_id} is leased by another driver")
        saga_type = registry_of(runtime).get(saga.type)
        rows = await step_rows(uow, saga.id)
        if pending is not None:
            await _persist(runtime, uow, saga, saga_type, rows, pending)
        ctx = _open_next(runtime, uow, saga, saga_type, rows)
        if ctx is not None:
            saga.lease_until = now + timedelta(seconds=runtime.settings.job_lease_seconds)
        if pending is not None:
            _fault(runtime, pending.ctx, FaultMoment.BEFORE_PERSIST)
        await uow.commit(metadata={"correlation_id": str(saga.id)})
    if pending is not None:
        _fault(runtime, pending.ctx, FaultMoment.AFTER_PERSIST)
    return None if ctx is None else (token, ctx)


async def _persist(
    runtime: Runtime,
    uow: UnitOfWork,
    saga: SagaRecord,
    saga_type: SagaType,
    rows: StepRows,
    pending: Pending,
) -> None:
    ctx, outcome = pending.ctx, pending.outcome
    row = rows.get((ctx.step, ctx.phase))
    if row is None or (row.status, row.attempt) != (StepStatus.RUNNING, ctx.attempt):
        raise LeaseLost(f"saga {saga.id} step {ctx.step} moved on without this driver")
    if isinstance(outcome, Completed):
        complete_step(uow, saga, saga_type, row, outcome.result)
    elif isinstance(outcome, Waiting):
        await start_waiting(uow, saga, saga_type, row, outcome)
    elif isinstance(outcome, Failed):
        error = outcome.error
        reason = failure(FailureKind.BUSINESS, ctx.step, error.code, error.message, error.details)
        fail_forward(uow, saga, row, reason)
    elif ctx.phase is Phase.FORWARD and row.attempt >= saga_type.attempts_for(
        saga_type.step(ctx.step)
    ):
        fail_forward(uow, saga, row, _gave_up(ctx.step, row.attempt, outcome.error))
    else:
        # Compensations never give up: they retry (backoff capped at an hour) until they succeed.
        base = runtime.settings.dispatcher_retry_base_seconds
        delay = retry_delay(row.attempt, base_seconds=base)
        await retry_later(uow, saga, row, error=outcome.error, at=uow.clock.now() + delay)


def _gave_up(step: str, attempts: int, error: str) -> dict[str, Any]:
    message = f"Step {step} failed {attempts} times"
    return failure(FailureKind.ERROR, step, "STEP_ERROR", message, {"error": error})


def _open_next(
    runtime: Runtime, uow: UnitOfWork, saga: SagaRecord, saga_type: SagaType, rows: StepRows
) -> StepContext | None:
    """Plan and open the next attempt; steps with nothing to run are logged as skipped."""
    while True:
        kind = (saga.failure or {}).get("kind")
        statuses = {key: StepStatus(row.status) for key, row in rows.items()}
        move = plan(saga_type, SagaStatus(saga.status), statuses, failure_kind=kind)
        if saga.retry_at is not None and saga.retry_at > uow.clock.now():
            move = REST
        if move.kind is MoveKind.REST:
            release(saga)
            return None
        if move.kind is MoveKind.FINISH:
            assert move.status is not None
            finish(uow, saga, move.status)
            return None
        assert move.step is not None and move.phase is not None
        step = saga_type.step(move.step)
        if step.function(move.phase) is None:
            skip_step(uow, saga, saga_type, rows, step, move.phase)
            continue
        previous = rows.get((step.name, move.phase))
        limit = saga_type.attempts_for(step)
        if move.phase is Phase.FORWARD and previous is not None and previous.attempt >= limit:
            # Its attempts were all interrupted (the driver died each time): give up on it.
            fail_forward(uow, saga, previous, _gave_up(step.name, previous.attempt, "interrupted"))
            continue
        row = open_step(uow, saga, rows, step, move.phase)
        forward = rows.get((step.name, Phase.FORWARD))
        return StepContext(
            runtime=runtime,
            saga_id=saga.id,
            saga_type=saga.type,
            key=saga.key,
            step=step.name,
            phase=move.phase,
            attempt=row.attempt,
            data=dict(saga.data),
            result=None if forward is None or forward.result is None else dict(forward.result),
            failure=saga.failure,
        )


async def _act(ctx: StepContext) -> Outcome:
    """Call the step's action or compensation, with the saga id as the events' correlation id."""
    registry = registry_of(ctx.runtime)
    step = registry.get(ctx.saga_type).step(ctx.step)
    function = step.function(ctx.phase)
    assert function is not None, "steps with nothing to run are skipped"
    outer = current_context.get()
    correlation = str(ctx.saga_id)
    scope = (
        dataclasses.replace(outer, correlation_id=correlation)
        if outer is not None
        else EventContext(correlation_id=correlation)
    )
    reset = current_context.set(scope)
    try:
        result = await function(ctx)
    except StepFailed as exc:
        if ctx.phase is Phase.FORWARD:
            return Failed(exc)
        return Errored(describe(exc))  # a compensation cannot refuse: it is retried
    except FenceLost:
        raise
    except Exception as exc:
        log.warning("saga_step_error", saga_id=str(ctx.saga_id), step=ctx.step, exc_info=exc)
        return Errored(describe(exc))
    finally:
        current_context.reset(reset)
    return _outcome(ctx, step.wait_for, result)


def _outcome(ctx: StepContext, wait_for: WaitFor | None, result: object) -> Outcome:
    if isinstance(result, Wait):
        if wait_for is None or ctx.phase is Phase.COMPENSATE:
            return Errored(f"TypeError: step {ctx.step} ({ctx.phase}) may not return Wait")
        deadline_at = wait_for.deadline_for(ctx, result)
        return Waiting(result.correlation, _jsonable(result.result), deadline_at)
    if result is not None and not isinstance(result, dict):
        return Errored(f"TypeError: step {ctx.step} returned {type(result).__name__}, not a dict")
    try:
        return Completed(_jsonable(result or {}))
    except (TypeError, ValueError) as exc:
        return Errored(describe(exc))


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    """result with ids, money and times made JSON-friendly; TypeError for anything else."""
    converted: dict[str, Any] = to_json(result)
    json.dumps(converted)
    return converted


def _fault(runtime: Runtime, ctx: StepContext, moment: FaultMoment) -> None:
    hook: FaultHook | None = runtime.services.get(FAULT_HOOK)
    if hook is not None:
        hook(ctx.saga_id, ctx.step, ctx.phase, moment)

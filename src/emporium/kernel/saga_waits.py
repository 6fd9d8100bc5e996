"""Waiting steps: a saga rests until a correlated event arrives or its deadline passes.

Whoever resolves a wait (the `kernel.sagas` subscriber, the deadline timer, recovery) locks
the saga row and acts only while it is still `waiting`: an event and the deadline racing
resolve it once, whichever commits first.

An event may be logged before the saga starts waiting (a webhook faster than our own
commit). So the driver, when it starts waiting, and the subscriber, when it looks for waiting
sagas, both take a lock on the correlation value first: either the driver sees the event in
the log, or the subscriber sees the driver's committed `waiting`; never neither. SQLite's
single writer gives the same order without the lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.kernel import jobs
from emporium.kernel.clock import isoformat
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.saga_model import (
    FailureKind,
    Phase,
    SagaRecord,
    SagaStatus,
    SagaStepRecord,
    SagaWaiting,
)
from emporium.kernel.saga_steps import SagaRegistry, SagaType, WaitFor
from emporium.kernel.saga_transitions import (
    complete_step,
    event_fields,
    fail_forward,
    failure,
    lock_saga,
    release,
    step_rows,
    stop_waiting,
)
from emporium.kernel.uow import UnitOfWork

DEADLINE_JOB = "kernel.saga.deadline"
# The first key of PostgreSQL's two-key advisory locks, a space of its own ("SAGA").
_LOCK_SPACE = 0x53414741


@dataclass(frozen=True)
class Waiting:
    """An action's request to wait, with its deadline worked out."""

    correlation: str
    result: dict[str, Any]
    deadline_at: datetime


def deadline_key(saga_id: uuid.UUID, step: str) -> str:
    return f"saga:{saga_id}:deadline:{step}"


async def lock_correlation(uow: UnitOfWork, correlation: str) -> None:
    """Serialise on one correlation value until uow ends (first, before any saga row)."""
    if uow.db.is_postgres:
        await uow.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:value))"),
            {"space": _LOCK_SPACE, "value": correlation},
        )


async def logged_outcome(
    session: AsyncSession, wait_for: WaitFor, correlation: str
) -> StoredEvent | None:
    """The first success or failure event for correlation already in the log, if any."""
    stmt = (
        select(EventRecord)
        .where(
            EventRecord.type.in_(wait_for.event_types),
            EventRecord.payload[wait_for.correlation_field].as_string() == correlation,
        )
        .order_by(EventRecord.position)
        .limit(1)
    )
    row = await session.scalar(stmt)
    return None if row is None else StoredEvent.from_record(row)


async def start_waiting(
    uow: UnitOfWork,
    saga: SagaRecord,
    saga_type: SagaType,
    row: SagaStepRecord,
    waiting: Waiting,
) -> None:
    """Rest the saga until its event or deadline; resolve at once if the event is logged."""
    wait_for = saga_type.step(row.step).wait_for
    assert wait_for is not None, "only waiting steps return Wait"
    row.result = waiting.result
    saga.data = {**saga.data, **waiting.result}
    event = await logged_outcome(uow.session, wait_for, waiting.correlation)
    if event is not None:
        _apply_event(uow, saga, saga_type, row, wait_for, event)
        return
    saga.status = SagaStatus.WAITING
    saga.waiting_for = wait_for.event_type
    saga.correlation = waiting.correlation
    saga.deadline_at = waiting.deadline_at
    saga.updated_at = uow.clock.now()
    release(saga)
    await jobs.schedule(
        uow,
        kind=DEADLINE_JOB,
        due_at=waiting.deadline_at,
        payload={"saga_id": str(saga.id)},
        key=deadline_key(saga.id, row.step),
    )
    uow.record(
        SagaWaiting(
            **event_fields(saga),
            step=row.step,
            waiting_for=wait_for.event_type,
            correlation=waiting.correlation,
            deadline_at=waiting.deadline_at,
        )
    )


async def waiting_on(uow: UnitOfWork, correlation: str) -> list[uuid.UUID]:
    """The sagas waiting on correlation (call after lock_correlation)."""
    stmt = select(SagaRecord.id).where(
        SagaRecord.status == SagaStatus.WAITING, SagaRecord.correlation == correlation
    )
    return list((await uow.session.scalars(stmt)).all())


async def resolve_waiting(
    uow: UnitOfWork,
    registry: SagaRegistry,
    saga_id: uuid.UUID,
    *,
    event: StoredEvent | None = None,
) -> bool:
    """Resolve a waiting saga with event, or as timed out once its deadline passed.

    False, changing nothing, when it is not waiting any more (resolved by the other path).
    """
    saga = await lock_saga(uow, saga_id)
    if saga is None or saga.status != SagaStatus.WAITING or not registry.knows(saga.type):
        return False
    saga_type = registry.get(saga.type)
    assert saga.current_step is not None and saga.correlation is not None
    wait_for = saga_type.step(saga.current_step).wait_for
    assert wait_for is not None, "a waiting saga rests on a waiting step"
    row = (await step_rows(uow, saga.id))[(saga.current_step, Phase.FORWARD)]
    if event is not None:
        if event.type not in wait_for.event_types:
            return False
        await jobs.cancel(uow, key=deadline_key(saga.id, row.step))
        _apply_event(uow, saga, saga_type, row, wait_for, event)
        return True
    deadline_at = saga.deadline_at
    assert deadline_at is not None
    if deadline_at > uow.clock.now():
        return False
    # The event may be logged already while the dispatcher lags behind: it wins.
    logged = await logged_outcome(uow.session, wait_for, saga.correlation)
    if logged is not None:
        _apply_event(uow, saga, saga_type, row, wait_for, logged)
        return True
    reason = failure(
        FailureKind.TIMEOUT,
        row.step,
        wait_for.timeout_code,
        f"No {wait_for.event_type} arrived before the deadline",
        {"deadline_at": isoformat(deadline_at), "correlation": saga.correlation},
    )
    fail_forward(uow, saga, row, reason)
    return True


def _apply_event(
    uow: UnitOfWork,
    saga: SagaRecord,
    saga_type: SagaType,
    row: SagaStepRecord,
    wait_for: WaitFor,
    event: StoredEvent,
) -> None:
    stop_waiting(saga)
    if event.type == wait_for.event_type:
        saga.status = SagaStatus.RUNNING
        result = {**(row.result or {}), **wait_for.on_success(event)}
        complete_step(uow, saga, saga_type, row, result)
        return
    failed = wait_for.on_failure(event)
    reason = failure(FailureKind.BUSINESS, row.step, failed.code, failed.message, failed.details)
    fail_forward(uow, saga, row, reason)

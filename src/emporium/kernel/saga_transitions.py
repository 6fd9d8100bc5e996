"""State changes of a saga and its step log, made in a caller's unit of work on locked rows.

Every transition locks the saga row first (`lock_saga`), then its step rows: one order for all
writers (drivers, the event subscriber, timers, step fences), so none can deadlock another.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from emporium.kernel import jobs
from emporium.kernel.ids import new_id
from emporium.kernel.saga_model import (
    FailureKind,
    Phase,
    SagaCompensated,
    SagaCompleted,
    SagaFailed,
    SagaRecord,
    SagaStatus,
    SagaStepCompensated,
    SagaStepCompleted,
    SagaStepFailed,
    SagaStepRecord,
    StepStatus,
)
from emporium.kernel.saga_steps import SagaType, Step
from emporium.kernel.uow import UnitOfWork

WAKE_JOB = "kernel.saga.wake"

StepRows = dict[tuple[str, Phase], SagaStepRecord]


async def lock_saga(uow: UnitOfWork, saga_id: uuid.UUID) -> SagaRecord | None:
    """The saga row, locked until uow ends (and read afresh, never from a stale identity map)."""
    stmt = (
        select(SagaRecord)
        .where(SagaRecord.id == saga_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return await uow.session.scalar(stmt)


async def step_rows(uow: UnitOfWork, saga_id: uuid.UUID) -> StepRows:
    """The saga's step log by (step, phase), locked with the saga."""
    stmt = select(SagaStepRecord).where(SagaStepRecord.saga_id == saga_id).with_for_update()
    rows = (await uow.session.scalars(stmt)).all()
    return {(row.step, Phase(row.phase)): row for row in rows}


def event_fields(saga: SagaRecord) -> dict[str, Any]:
    return {"id": saga.id, "saga_type": saga.type, "key": saga.key}


def open_step(
    uow: UnitOfWork, saga: SagaRecord, rows: StepRows, step: Step, phase: Phase
) -> SagaStepRecord:
    """Start the next attempt of step in phase (its first, or a re-run after an interruption)."""
    row = rows.get((step.name, phase))
    if row is None:
        row = _add_row(uow, saga, rows, step, phase, StepStatus.RUNNING, attempt=1)
    else:
        row.status = StepStatus.RUNNING
        row.attempt += 1
        row.finished_at = None
    saga.current_step = step.name
    saga.attempts = row.attempt
    saga.updated_at = uow.clock.now()
    return row


def skip_step(
    uow: UnitOfWork, saga: SagaRecord, saga_type: SagaType, rows: StepRows, step: Step, phase: Phase
) -> None:
    """Log a step that has nothing to run in phase (no action, or no compensation)."""
    row = _add_row(uow, saga, rows, step, phase, StepStatus.SKIPPED, attempt=0)
    row.finished_at = row.started_at
    _settled(uow, saga, saga_type, row, skipped=True)


def _add_row(
    uow: UnitOfWork,
    saga: SagaRecord,
    rows: StepRows,
    step: Step,
    phase: Phase,
    status: StepStatus,
    *,
    attempt: int,
) -> SagaStepRecord:
    row = SagaStepRecord(
        id=new_id(),
        saga_id=saga.id,
        step=step.name,
        phase=phase,
        status=status,
        attempt=attempt,
        started_at=uow.clock.now(),
    )
    uow.session.add(row)
    rows[(step.name, phase)] = row
    return row


def complete_step(
    uow: UnitOfWork,
    saga: SagaRecord,
    saga_type: SagaType,
    row: SagaStepRecord,
    result: dict[str, Any],
) -> None:
    """Mark the attempt done; a forward step's result is merged into the saga's data."""
    row.status = StepStatus.DONE
    row.result = result
    row.error = None
    row.finished_at = uow.clock.now()
    if row.phase == Phase.FORWARD:
        saga.data = {**saga.data, **result}
    _settled(uow, saga, saga_type, row, skipped=False)


def _settled(
    uow: UnitOfWork, saga: SagaRecord, saga_type: SagaType, row: SagaStepRecord, *, skipped: bool
) -> None:
    saga.attempts = 0
    saga.updated_at = uow.clock.now()
    if row.phase == Phase.FORWARD:
        saga.current_step = saga_type.next_step(row.step)
        uow.record(SagaStepCompleted(**event_fields(saga), step=row.step, attempt=row.attempt))
    else:
        uow.record(
            SagaStepCompensated(
                **event_fields(saga), step=row.step, attempt=row.attempt, skipped=skipped
            )
        )


def failure(
    kind: FailureKind,
    step: str,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The saga's failure record: why it turned back, and at which step."""
    return {
        "kind": kind.value,
        "step": step,
        "code": code,
        "message": message,
        "details": dict(details or {}),
    }


def fail_forward(
    uow: UnitOfWork, saga: SagaRecord, row: SagaStepRecord, reason: dict[str, Any]
) -> None:
    """A forward step failed for good: the saga turns back and compensates."""
    now = uow.clock.now()
    row.status = StepStatus.FAILED
    row.error = f"{reason['code']}: {reason['message']}"
    row.finished_at = now
    saga.status = SagaStatus.COMPENSATING
    saga.failure = reason
    saga.attempts = 0
    saga.retry_at = None
    stop_waiting(saga)
    saga.updated_at = now
    uow.record(
        SagaStepFailed(**event_fields(saga), step=row.step, attempt=row.attempt, failure=reason)
    )


def stop_waiting(saga: SagaRecord) -> None:
    saga.waiting_for = None
    saga.correlation = None
    saga.deadline_at = None


async def retry_later(
    uow: UnitOfWork, saga: SagaRecord, row: SagaStepRecord, *, error: str, at: datetime
) -> None:
    """Leave the attempt for a later one: a durable timer wakes the saga at `at`."""
    row.error = error
    saga.retry_at = at
    saga.updated_at = uow.clock.now()
    release(saga)
    await jobs.schedule(
        uow,
        kind=WAKE_JOB,
        due_at=at,
        payload={"saga_id": str(saga.id)},
        key=f"saga:{saga.id}:wake:{row.step}:{row.phase}:{row.attempt}",
    )


def finish(uow: UnitOfWork, saga: SagaRecord, status: SagaStatus) -> None:
    """Settle the saga in a final state and record the matching event."""
    now = uow.clock.now()
    saga.status = status
    saga.current_step = None
    saga.attempts = 0
    saga.retry_at = None
    saga.updated_at = now
    saga.finished_at = now
    release(saga)
    fields = event_fields(saga)
    if status is SagaStatus.COMPLETED:
        uow.record(SagaCompleted(**fields))
    elif status is SagaStatus.COMPENSATED:
        uow.record(SagaCompensated(**fields, failure=saga.failure or {}))
    else:
        uow.record(SagaFailed(**fields, failure=saga.failure or {}))


def release(saga: SagaRecord) -> None:
    """Give up the lease, so any driver may pick the saga up when it is due."""
    saga.lease_token = None
    saga.lease_until = None

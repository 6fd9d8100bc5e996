"""The read side of sagas: their state and step log, and the timeline of their events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.kernel.errors import NotFound
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_model import Phase, SagaRecord, SagaStatus, SagaStepRecord, StepStatus

# A saga's timeline is for people; a runaway saga must not make the page unbounded.
TIMELINE_LIMIT = 500


class SagaNotFound(NotFound):
    default_message = "No saga has this id"


@dataclass(frozen=True)
class StepState:
    """One line of a saga's step log."""

    name: str
    phase: Phase
    status: StepStatus
    attempt: int
    result: dict[str, Any] | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class SagaState:
    """A saga as stored: where it is, its data, why it failed, and (when asked) its step log."""

    id: uuid.UUID
    type: str
    key: str
    status: SagaStatus
    current_step: str | None
    data: dict[str, Any]
    failure: dict[str, Any] | None
    waiting_for: str | None
    correlation: str | None
    deadline_at: datetime | None
    attempts: int
    lease_until: datetime | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    steps: tuple[StepState, ...] = ()

    @property
    def finished(self) -> bool:
        return self.status.finished

    @classmethod
    def from_record(cls, row: SagaRecord, steps: tuple[StepState, ...] = ()) -> SagaState:
        return cls(
            id=row.id,
            type=row.type,
            key=row.key,
            status=SagaStatus(row.status),
            current_step=row.current_step,
            data=dict(row.data),
            failure=row.failure,
            waiting_for=row.waiting_for,
            correlation=row.correlation,
            deadline_at=row.deadline_at,
            attempts=row.attempts,
            lease_until=row.lease_until,
            created_at=row.created_at,
            updated_at=row.updated_at,
            finished_at=row.finished_at,
            steps=steps,
        )


async def get_saga(runtime: Runtime, saga_id: uuid.UUID) -> SagaState | None:
    """The saga with its step log in the order the steps ran, or None."""
    async with runtime.db.read() as session:
        return await _load(session, SagaRecord.id == saga_id)


async def find_saga(runtime: Runtime, key: str) -> SagaState | None:
    """The saga started with key (one per key), with its step log, or None."""
    async with runtime.db.read() as session:
        return await _load(session, SagaRecord.key == key)


async def list_sagas(
    runtime: Runtime,
    *,
    status: SagaStatus | None = None,
    saga_type: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 20,
) -> list[SagaState]:
    """Sagas newest first (ids are time-ordered), without their step logs."""
    stmt = select(SagaRecord)
    if status is not None:
        stmt = stmt.where(SagaRecord.status == status)
    if saga_type is not None:
        stmt = stmt.where(SagaRecord.type == saga_type)
    if before is not None:
        stmt = stmt.where(SagaRecord.id < before)
    stmt = stmt.order_by(SagaRecord.id.desc()).limit(limit)
    async with runtime.db.read() as session:
        return [SagaState.from_record(row) for row in (await session.scalars(stmt)).all()]


async def timeline(runtime: Runtime, saga: SagaState) -> list[StoredEvent]:
    """The saga's own events and those its steps caused (correlation id = saga id), in order."""
    saga_id = str(saga.id)
    own = (
        select(EventRecord)
        .where(EventRecord.aggregate_id == saga_id, EventRecord.aggregate_type == "saga")
        .order_by(EventRecord.position)
    )
    async with runtime.db.read() as session:
        events = [StoredEvent.from_record(row) for row in (await session.scalars(own)).all()]
        if not events:
            return []
        # Correlated events lie between the saga's first and last own events: scan only those.
        caused = select(EventRecord).where(
            EventRecord.position > events[0].position,
            EventRecord.aggregate_id != saga_id,
            EventRecord.meta["correlation_id"].as_string() == saga_id,
        )
        if saga.finished:
            caused = caused.where(EventRecord.position < events[-1].position)
        caused = caused.order_by(EventRecord.position).limit(TIMELINE_LIMIT)
        events += [StoredEvent.from_record(row) for row in (await session.scalars(caused)).all()]
    return sorted(events, key=lambda event: event.position)[:TIMELINE_LIMIT]


async def _load(session: AsyncSession, condition: Any) -> SagaState | None:
    row = await session.scalar(select(SagaRecord).where(condition))
    if row is None:
        return None
    steps = (
        await session.scalars(
            select(SagaStepRecord)
            .where(SagaStepRecord.saga_id == row.id)
            .order_by(SagaStepRecord.started_at, SagaStepRecord.id)
        )
    ).all()
    return SagaState.from_record(row, tuple(_step_state(step) for step in steps))


def _step_state(row: SagaStepRecord) -> StepState:
    return StepState(
        name=row.step,
        phase=Phase(row.phase),
        status=StepStatus(row.status),
        attempt=row.attempt,
        result=row.result,
        error=row.error,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )

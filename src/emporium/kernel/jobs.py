"""Durable jobs and timers: rows with a due time, claimed under a lease, run exactly once.

A job is scheduled inside the caller's transaction (a reservation and its expiry timer commit
together). A worker claims a due job with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's
single writer serialises the claim), stamping a fresh lease token, and commits the claim at
once. The handler then runs in a new unit of work that marks the job done only while the
token still matches: a worker that lost its lease (it was too slow, or killed and its job
re-claimed) has its whole unit of work rolled back, so at most one run's effects commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import Index, Integer, String, Text, and_, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel import recurrence as recurrences
from emporium.kernel.backoff import retry_delay
from emporium.kernel.clock import isoformat
from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.dead_letters import describe
from emporium.kernel.ids import new_id
from emporium.kernel.recurrence import DailyAt
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

log = structlog.get_logger("emporium.jobs")

DEFAULT_MAX_ATTEMPTS = 5
RECURRING_JOBS = "recurring_jobs"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobRecord(Base):
    """One durable job or timer."""

    __tablename__ = "kernel_job"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    recurrence: Mapped[str | None] = mapped_column(String(40))
    lease_token: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_kernel_job_status_due_at", "status", "due_at"),)


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds the lease on."""

    id: uuid.UUID
    kind: str
    key: str
    payload: dict[str, Any]
    lease_token: uuid.UUID
    attempts: int
    max_attempts: int
    recurrence: str | None


class JobOutcome(StrEnum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"
    LEASE_LOST = "lease_lost"


class LeaseLost(Exception):
    """Another worker claimed the job meanwhile (or it was cancelled): undo this run."""


async def schedule(
    uow: UnitOfWork,
    *,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
    key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> uuid.UUID:
    """Schedule a job in uow's transaction; a key already taken keeps its job (returns its id)."""
    return await _insert(
        uow, kind=kind, due_at=due_at, payload=payload or {}, key=key, max_attempts=max_attempts
    )


async def cancel(uow: UnitOfWork, *, key: str) -> bool:
    """Cancel the job with key unless it already finished; a running one's effects roll back."""
    result = await uow.session.execute(
        update(JobRecord)
        .where(JobRecord.key == key, JobRecord.status.in_([JobStatus.PENDING, JobStatus.RUNNING]))
        .values(status=JobStatus.CANCELLED, finished_at=uow.clock.now(), lease_token=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def reschedule(uow: UnitOfWork, *, key: str, due_at: datetime) -> bool:
    """Move a pending job with key to a new due time; False when there is none pending."""
    result = await uow.session.execute(
        update(JobRecord)
        .where(JobRecord.key == key, JobRecord.status == JobStatus.PENDING)
        .values(due_at=due_at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_due_job(runtime: Runtime) -> ClaimedJob | None:
    """Lease the next due job this process can run (or one whose lease ran out), committed."""
    kinds = runtime.jobs.kinds()
    if not kinds:
        return None
    now = runtime.clock.now()
    due = or_(
        and_(JobRecord.status == JobStatus.PENDING, JobRecord.due_at <= now),
        and_(JobRecord.status == JobStatus.RUNNING, JobRecord.lease_until <= now),
    )
    stmt = (
        select(JobRecord)
        .where(JobRecord.kind.in_(kinds), due)
        .order_by(JobRecord.due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    while True:
        async with runtime.uow() as uow:
            row = await uow.session.scalar(stmt)
            if row is None:
                return None
            if row.status == JobStatus.RUNNING:
                # Its worker died or overran the lease: its unit of work can no longer commit.
                log.warning("job_lease_expired", job_id=str(row.id), kind=row.kind)
                if row.attempts >= row.max_attempts:
                    await _give_up(uow, row, "the lease expired on the last attempt")
                    await uow.commit()
                    continue
            row.status = JobStatus.RUNNING
            row.attempts += 1
            row.lease_token = new_id()
            row.lease_until = now + timedelta(seconds=runtime.settings.job_lease_seconds)
            claimed = _claimed(row)
            await uow.commit()
            return claimed


async def run_claimed(runtime: Runtime, job: ClaimedJob) -> JobOutcome:
    """Run a claimed job's handler; its effects commit only with `done` under the same lease."""
    handler = runtime.jobs.get(job.kind)
    assert handler is not None, "jobs are claimed only for registered kinds"
    try:
        async with runtime.uow() as uow:
            await handler(dict(job.payload), uow)
            if not await _complete(uow, job):
                raise LeaseLost
            if job.recurrence is not None:
                await _schedule_next(
                    uow, kind=job.kind, rule=job.recurrence, max_attempts=job.max_attempts
                )
            await uow.commit()
    except LeaseLost:
        log.warning("job_lease_lost", job_id=str(job.id), kind=job.kind)
        outcome = JobOutcome.LEASE_LOST
    except Exception as exc:
        outcome = await _record_failure(runtime, job, exc)
    else:
        outcome = JobOutcome.DONE
    runtime.metrics.jobs_run.labels(job.kind, outcome.value).inc()
    return outcome


async def run_due_jobs(runtime: Runtime) -> int:
    """Run every job due at the clock's now until none is left; returns how many runs."""
    runs = 0
    while (job := await claim_due_job(runtime)) is not None:
        await run_claimed(runtime, job)
        runs += 1
    return runs


async def ensure_recurring(
    runtime: Runtime,
    *,
    kind: str,
    every: timedelta | DailyAt,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> uuid.UUID:
    """Keep exactly one pending occurrence of a recurring job (key `kind:<due iso>`)."""
    rule = recurrences.encode(every)
    async with runtime.uow() as uow:
        current = (
            await uow.session.scalars(
                select(JobRecord).where(
                    JobRecord.kind == kind,
                    JobRecord.recurrence.is_not(None),
                    JobRecord.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
                )
            )
        ).all()
        kept = [job for job in current if job.recurrence == rule]
        for job in current:
            if job.recurrence != rule and job.status == JobStatus.PENDING:
                job.status = JobStatus.CANCELLED  # the rule changed: its old timetable goes
                job.finished_at = runtime.clock.now()
        if kept:
            job_id = kept[0].id
        else:
            job_id = await _schedule_next(uow, kind=kind, rule=rule, max_attempts=max_attempts)
        await uow.commit()
    return job_id


def register_recurring(runtime: Runtime, *, kind: str, every: timedelta | DailyAt) -> None:
    """Declare a recurring job at wiring time; the background worker ensures it when it starts."""
    runtime.services.setdefault(RECURRING_JOBS, []).append((kind, every))


async def ensure_registered_recurring(runtime: Runtime) -> None:
    """Ensure every recurring job declared with register_recurring."""
    for kind, every in runtime.services.get(RECURRING_JOBS, []):
        await ensure_recurring(runtime, kind=kind, every=every)


async def _insert(
    uow: UnitOfWork,
    *,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any],
    key: str | None,
    max_attempts: int,
    rule: str | None = None,
) -> uuid.UUID:
    job_id = new_id()
    key = key or f"{kind}:{job_id}"
    values = {
        "id": job_id,
        "kind": kind,
        "key": key,
        "payload": payload,
        "due_at": due_at,
        "status": JobStatus.PENDING,
        "attempts": 0,
        "max_attempts": max_attempts,
        "recurrence": rule,
        "created_at": uow.clock.now(),
    }
    if await insert_if_absent(uow.session, JobRecord, values):
        return job_id
    return await uow.session.scalar(select(JobRecord.id).where(JobRecord.key == key)) or job_id


def _claimed(row: JobRecord) -> ClaimedJob:
    assert row.lease_token is not None
    return ClaimedJob(
        id=row.id,
        kind=row.kind,
        key=row.key,
        payload=dict(row.payload),
        lease_token=row.lease_token,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        recurrence=row.recurrence,
    )


async def _complete(uow: UnitOfWork, job: ClaimedJob) -> bool:
    """Mark the job done if this worker still holds its lease; False when it does not."""
    result = await uow.session.execute(
        update(JobRecord)
        .where(
            JobRecord.id == job.id,
            JobRecord.lease_token == job.lease_token,
            JobRecord.status == JobStatus.RUNNING,
        )
        .values(
            status=JobStatus.DONE, lease_token=None, lease_until=None, finished_at=uow.clock.now()
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _record_failure(runtime: Runtime, job: ClaimedJob, exc: Exception) -> JobOutcome:
    now = runtime.clock.now()
    async with runtime.uow() as uow:
        row = await uow.session.get(JobRecord, job.id, with_for_update=True)
        if row is None or row.lease_token != job.lease_token or row.status != JobStatus.RUNNING:
            log.warning("job_lease_lost", job_id=str(job.id), kind=job.kind, exc_info=exc)
            return JobOutcome.LEASE_LOST
        context = {"job_id": str(job.id), "kind": job.kind, "attempt": row.attempts}
        if row.attempts >= row.max_attempts:
            await _give_up(uow, row, describe(exc))
            outcome = JobOutcome.FAILED
            log.error("job_failed", **context, exc_info=exc)
        else:
            delay = retry_delay(
                row.attempts, base_seconds=runtime.settings.dispatcher_retry_base_seconds
            )
            row.status = JobStatus.PENDING
            row.due_at = now + delay
            row.lease_token = None
            row.lease_until = None
            row.last_error = describe(exc)
            outcome = JobOutcome.RETRY
            log.warning(
                "job_retry_scheduled", **context, due_at=isoformat(row.due_at), exc_info=exc
            )
        await uow.commit()
    return outcome


async def _give_up(uow: UnitOfWork, row: JobRecord, error: str) -> None:
    row.status = JobStatus.FAILED
    row.finished_at = uow.clock.now()
    row.lease_token = None
    row.lease_until = None
    row.last_error = error
    # A failed occurrence must not end its timetable.
    if row.recurrence is not None:
        await _schedule_next(uow, kind=row.kind, rule=row.recurrence, max_attempts=row.max_attempts)


async def _schedule_next(uow: UnitOfWork, *, kind: str, rule: str, max_attempts: int) -> uuid.UUID:
    """Schedule a recurring job's next occurrence; its key makes a second call a no-op."""
    due = recurrences.next_after(rule, uow.clock.now())
    key = f"{kind}:{isoformat(due)}"
    return await _insert(
        uow, kind=kind, due_at=due, payload={}, key=key, max_attempts=max_attempts, rule=rule
    )

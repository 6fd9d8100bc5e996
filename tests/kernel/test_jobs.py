"""Durable jobs run once when due by the injected clock, survive restarts and lost workers."""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from emporium.bootstrap import build_runtime
from emporium.kernel import jobs
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import JobRecord, JobStatus, run_due_jobs
from emporium.kernel.recurrence import DailyAt
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.settings import Settings
from tests.kernel.builders import effect, effects

ROOT = Path(__file__).resolve().parents[2]


def counting(runtime: Runtime, kind: str = "test.count") -> list[dict[str, Any]]:
    """Register kind with a handler that writes an effect row and notes its payload."""
    runs: list[dict[str, Any]] = []

    async def handle(payload: dict[str, Any], uow: UnitOfWork) -> None:
        runs.append(payload)
        await uow.session.execute(
            insert(effect).values(source=kind, event_id=str(payload.get("id", "")), position=0)
        )

    runtime.jobs.add(kind, handle)
    return runs


async def schedule(runtime: Runtime, **options: Any) -> None:
    async with runtime.uow() as uow:
        await jobs.schedule(uow, **{"kind": "test.count", **options})
        await uow.commit()


async def job(runtime: Runtime, key: str) -> JobRecord:
    async with runtime.db.read() as session:
        record = await session.scalar(select(JobRecord).where(JobRecord.key == key))
        assert record is not None
        session.expunge(record)
    return record


async def pending_keys(runtime: Runtime, kind: str) -> list[str]:
    async with runtime.db.read() as session:
        keys = await session.scalars(
            select(JobRecord.key).where(
                JobRecord.kind == kind, JobRecord.status == JobStatus.PENDING
            )
        )
        return list(keys.all())


async def test_a_job_runs_when_the_clock_reaches_its_due_time_and_not_before(
    runtime: Runtime, clock: FakeClock
) -> None:
    runs = counting(runtime)
    await schedule(runtime, due_at=clock.now() + timedelta(minutes=15), key="k", payload={"id": 7})

    clock.advance(minutes=14, seconds=59)
    assert await run_due_jobs(runtime) == 0
    clock.advance(seconds=1)
    assert await run_due_jobs(runtime) == 1

    assert runs == [{"id": 7}]
    done = await job(runtime, "k")
    assert (done.status, done.finished_at) == (JobStatus.DONE, clock.now())
    assert await run_due_jobs(runtime) == 0


async def test_scheduling_the_same_key_twice_keeps_one_job(
    runtime: Runtime, clock: FakeClock
) -> None:
    runs = counting(runtime)
    async with runtime.uow() as uow:
        first = await jobs.schedule(uow, kind="test.count", due_at=clock.now(), key="once")
        second = await jobs.schedule(
            uow, kind="test.count", due_at=clock.now() + timedelta(hours=1), key="once"
        )
        await uow.commit()

    assert first == second
    assert await run_due_jobs(runtime) == 1
    assert len(runs) == 1


async def test_a_job_scheduled_in_a_rolled_back_transaction_never_runs(
    runtime: Runtime, clock: FakeClock
) -> None:
    runs = counting(runtime)
    async with runtime.uow() as uow:
        await jobs.schedule(uow, kind="test.count", due_at=clock.now(), key="ghost")
        # no commit: the caller's state change and its timer go together

    clock.advance(days=1)
    assert await run_due_jobs(runtime) == 0
    assert runs == []


async def test_a_cancelled_job_never_runs(runtime: Runtime, clock: FakeClock) -> None:
    runs = counting(runtime)
    await schedule(runtime, due_at=clock.now() + timedelta(minutes=5), key="expiry")
    async with runtime.uow() as uow:
        assert await jobs.cancel(uow, key="expiry")
        await uow.commit()

    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 0
    assert runs == []
    assert (await job(runtime, "expiry")).status == JobStatus.CANCELLED


async def test_a_rescheduled_job_runs_at_its_new_time(runtime: Runtime, clock: FakeClock) -> None:
    runs = counting(runtime)
    await schedule(runtime, due_at=clock.now() + timedelta(minutes=5), key="expiry")
    async with runtime.uow() as uow:
        assert await jobs.reschedule(uow, key="expiry", due_at=clock.now() + timedelta(hours=2))
        await uow.commit()

    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 0
    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 1
    assert len(runs) == 1


async def test_a_job_survives_a_restart(settings: Settings, clock: FakeClock) -> None:
    before = build_runtime(settings, clock=clock)
    async with before.uow() as uow:
        await jobs.schedule(uow, kind="test.count", due_at=clock.now() + timedelta(days=7), key="r")
        await uow.commit()
    await before.db.dispose()

    after = build_runtime(settings, clock=clock)
    try:
        ran: list[dict[str, Any]] = []

        async def handle(payload: dict[str, Any], uow: UnitOfWork) -> None:
            ran.append(payload)

        after.jobs.add("test.count", handle)
        clock.advance(days=7)
        assert await run_due_jobs(after) == 1
        assert len(ran) == 1
    finally:
        await after.db.dispose()


async def test_two_runners_at_once_run_a_due_job_once(
    runtime: Runtime, settings: Settings, clock: FakeClock
) -> None:
    other = build_runtime(settings, clock=clock)
    runs = counting(runtime)
    other_runs = counting(other)
    await schedule(runtime, due_at=clock.now(), key="contended")

    try:
        results = await asyncio.gather(run_due_jobs(runtime), run_due_jobs(other))
    finally:
        await other.db.dispose()

    assert sorted(results) == [0, 1]
    assert len(runs) + len(other_runs) == 1
    assert len(await effects(runtime, "test.count")) == 1


async def test_a_worker_that_lost_its_lease_commits_nothing(
    runtime: Runtime, settings: Settings, clock: FakeClock
) -> None:
    counting(runtime)
    await schedule(runtime, due_at=clock.now(), key="slow", payload={"id": 1})
    stale = await jobs.claim_due_job(runtime)
    assert stale is not None

    clock.advance(seconds=settings.job_lease_seconds + 1)  # the first worker overran its lease
    fresh = await jobs.claim_due_job(runtime)
    assert fresh is not None and fresh.lease_token != stale.lease_token
    assert await jobs.run_claimed(runtime, fresh) == jobs.JobOutcome.DONE
    assert await jobs.run_claimed(runtime, stale) == jobs.JobOutcome.LEASE_LOST

    assert len(await effects(runtime, "test.count")) == 1
    assert (await job(runtime, "slow")).status == JobStatus.DONE


async def test_a_failing_job_retries_with_backoff_and_then_fails(
    runtime: Runtime, clock: FakeClock
) -> None:
    attempts: list[int] = []

    async def broken(payload: dict[str, Any], uow: UnitOfWork) -> None:
        attempts.append(1)
        raise RuntimeError("gateway down")

    runtime.jobs.add("test.broken", broken)
    async with runtime.uow() as uow:
        await jobs.schedule(uow, kind="test.broken", due_at=clock.now(), key="b", max_attempts=3)
        await uow.commit()

    assert await run_due_jobs(runtime) == 1
    retry = await job(runtime, "b")
    assert retry.status == JobStatus.PENDING
    assert (
        clock.now()
        < retry.due_at
        <= clock.now() + timedelta(seconds=runtime.settings.dispatcher_retry_base_seconds)
    )
    assert await run_due_jobs(runtime) == 0  # not due again until the clock moves
    for _ in range(2):
        clock.advance(hours=1)
        await run_due_jobs(runtime)

    failed = await job(runtime, "b")
    assert (failed.status, failed.attempts, len(attempts)) == (JobStatus.FAILED, 3, 3)
    assert failed.last_error == "RuntimeError: gateway down"
    clock.advance(days=1)
    assert await run_due_jobs(runtime) == 0


async def test_a_recurring_job_keeps_one_pending_occurrence_and_runs_every_interval(
    runtime: Runtime, clock: FakeClock
) -> None:
    runs = counting(runtime, "test.hourly")
    first = await jobs.ensure_recurring(runtime, kind="test.hourly", every=timedelta(hours=1))
    assert (
        await jobs.ensure_recurring(runtime, kind="test.hourly", every=timedelta(hours=1)) == first
    )

    assert await run_due_jobs(runtime) == 0
    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 1
    clock.advance(hours=1)
    assert await run_due_jobs(runtime) == 1

    assert len(runs) == 2
    assert await pending_keys(runtime, "test.hourly") == ["test.hourly:2026-01-15T13:00:00Z"]


async def test_a_daily_job_runs_at_its_time_of_day(runtime: Runtime, clock: FakeClock) -> None:
    runs = counting(runtime, "test.daily")
    await jobs.ensure_recurring(runtime, kind="test.daily", every=DailyAt(2, 30))

    clock.advance(hours=16, minutes=29)  # 02:29 the next day
    assert await run_due_jobs(runtime) == 0
    clock.advance(minutes=1)
    assert await run_due_jobs(runtime) == 1
    assert len(runs) == 1
    assert await pending_keys(runtime, "test.daily") == ["test.daily:2026-01-17T02:30:00Z"]


async def test_a_job_whose_worker_was_killed_runs_again_exactly_once(
    runtime: Runtime, database_url: str, clock: FakeClock
) -> None:
    await schedule(runtime, kind="test.block", due_at=clock.now(), key="killed", payload={"id": 9})
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.kernel.proc_blocking_job",
        database_url,
        clock.now().isoformat(),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert worker.stdout is not None
        assert (await worker.stdout.readline()).strip() == b"running"
        assert (await job(runtime, "killed")).status == JobStatus.RUNNING
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    runs = counting(runtime, "test.block")

    assert await run_due_jobs(runtime) == 0  # its lease has not run out yet
    clock.advance(seconds=runtime.settings.job_lease_seconds + 1)
    assert await run_due_jobs(runtime) == 1
    assert await run_due_jobs(runtime) == 0

    assert runs == [{"id": 9}]
    finished = await job(runtime, "killed")
    assert (finished.status, finished.attempts) == (JobStatus.DONE, 2)

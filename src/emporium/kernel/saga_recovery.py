"""What wakes a resting saga: events it waits for, its timers, and recovery of dead drivers.

Each of these records the change durably in its own transaction (a wait resolved, a timer
fired) and then kicks this process's SagaRunner, which drives the saga outside any
transaction. Recovery, every 30 seconds and from `emporium sagas recover`, is the backstop
for all of them: it continues any drivable saga whose lease has run out.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select

from emporium.kernel import jobs
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_engine import claim_stale, run, undriven
from emporium.kernel.saga_model import SagaRecord, SagaStatus
from emporium.kernel.saga_steps import REGISTRY, SagaRegistry, SimulatedCrash, registry_of
from emporium.kernel.saga_transitions import WAKE_JOB
from emporium.kernel.saga_waits import (
    DEADLINE_JOB,
    lock_correlation,
    resolve_waiting,
    waiting_on,
)
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.sagas")

SUBSCRIBER = "kernel.sagas"
RUNNER = "saga.runner"
RECOVER_JOB = "kernel.saga.recover"
RECOVERY_EVERY = timedelta(seconds=30)
# How many stale sagas one recovery job hands to the runner; the next run takes the rest.
RECOVERY_BATCH = 100


class SagaRunner:
    """Drives sagas in background tasks of this process, when an event or a timer wakes one.

    The tasks are a convenience, not the record: a task lost with its process leaves a
    saga whose lease runs out, and recovery continues it.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._tasks: set[asyncio.Task[None]] = set()
        # A burst of wake-ups must not take every pooled connection from request handlers.
        self._slots = asyncio.Semaphore(max(1, runtime.settings.db_pool_size // 2))

    def kick(self, saga_id: uuid.UUID) -> None:
        """Drive saga_id soon (it waits for the caller's transaction to commit)."""
        task = asyncio.create_task(self._drive(saga_id), name=f"saga-{saga_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drive(self, saga_id: uuid.UUID) -> None:
        try:
            async with self._slots:
                await run(self.runtime, saga_id)
        except SimulatedCrash:
            log.warning("saga_driver_crashed", saga_id=str(saga_id))
        except Exception:
            log.exception("saga_driver_failed", saga_id=str(saga_id))

    async def drain(self) -> None:
        """Wait until every task started so far (and any they start) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def close(self) -> None:
        """Cancel the tasks in flight; their sagas are picked up again after the lease."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


def runner_of(runtime: Runtime) -> SagaRunner:
    return runtime.service(RUNNER, SagaRunner)


async def recover(runtime: Runtime) -> int:
    """Time out overdue waits, then drive every saga nobody is driving; returns how many."""
    registry = registry_of(runtime)
    driven = 0
    for saga_id in await _overdue(runtime):
        async with runtime.uow() as uow:
            timed_out = await resolve_waiting(uow, registry, saga_id)
            await uow.commit()
        if timed_out:
            await run(runtime, saga_id)
            driven += 1
    while (claimed := await claim_stale(runtime)) is not None:
        saga_id, token = claimed
        await run(runtime, saga_id, token=token)
        driven += 1
    if driven:
        log.info("sagas_recovered", count=driven)
    return driven


async def _overdue(runtime: Runtime) -> list[uuid.UUID]:
    """Waiting sagas past their deadline (the deadline timer normally got them first)."""
    stmt = select(SagaRecord.id).where(
        SagaRecord.status == SagaStatus.WAITING,
        SagaRecord.deadline_at <= runtime.clock.now(),
        SagaRecord.type.in_(registry_of(runtime).names()),
    )
    async with runtime.db.read() as session:
        return list((await session.scalars(stmt.limit(RECOVERY_BATCH))).all())


def wire(runtime: Runtime) -> SagaRegistry:
    """Give runtime a saga registry, runner, the `kernel.sagas` subscriber and the saga timers."""
    registry = SagaRegistry()
    runtime.provide(REGISTRY, registry)
    runner = SagaRunner(runtime)
    runtime.provide(RUNNER, runner)

    async def on_event(event: StoredEvent, uow: UnitOfWork) -> None:
        """Resolve the sagas waiting for event's correlation value."""
        for field in sorted(registry.correlation_fields(event.type)):
            value = event.payload.get(field)
            if not isinstance(value, str) or not value:
                continue
            await lock_correlation(uow, value)
            for saga_id in await waiting_on(uow, value):
                if await resolve_waiting(uow, registry, saga_id, event=event):
                    runner.kick(saga_id)

    async def on_deadline(payload: dict[str, Any], uow: UnitOfWork) -> None:
        saga_id = uuid.UUID(payload["saga_id"])
        if await resolve_waiting(uow, registry, saga_id):
            runner.kick(saga_id)

    async def on_wake(payload: dict[str, Any], uow: UnitOfWork) -> None:
        runner.kick(uuid.UUID(payload["saga_id"]))

    async def on_recover(payload: dict[str, Any], uow: UnitOfWork) -> None:
        for saga_id in await _overdue(runtime):
            if await resolve_waiting(uow, registry, saga_id):
                runner.kick(saga_id)
        for saga_id in await _stale(runtime):
            runner.kick(saga_id)

    # The registry's live list: saga types registered later add their wait types to it.
    runtime.subscribers.add(Subscriber(name=SUBSCRIBER, handle=on_event, types=registry.wait_types))
    runtime.jobs.add(DEADLINE_JOB, on_deadline)
    runtime.jobs.add(WAKE_JOB, on_wake)
    runtime.jobs.add(RECOVER_JOB, on_recover)
    jobs.register_recurring(runtime, kind=RECOVER_JOB, every=RECOVERY_EVERY)
    return registry


async def _stale(runtime: Runtime) -> list[uuid.UUID]:
    stmt = select(SagaRecord.id).where(*undriven(registry_of(runtime).names(), runtime.clock.now()))
    async with runtime.db.read() as session:
        return list((await session.scalars(stmt.limit(RECOVERY_BATCH))).all())

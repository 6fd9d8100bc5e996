"""What wakes a resting saga: events it waits for, its timers, and recovery of dead drivers.

Each of these records the change durably in its own transaction (a wait resolved, a timer
fired) and then kicks this process's SagaRunner, which drives the saga outside any
transaction. Recovery, every 30 seconds and from `emporium sagas recover`, is the backstop
for all of them: it continues any drivable saga whose lease has run out.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select

from emporium.kernel import jobs
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_engine import SagaRunner, claim_stale, run, undriven
from emporium.kernel.saga_model import SagaRecord, SagaStatus
from emporium.kernel.saga_steps import REGISTRY, SagaRegistry, registry_of
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


def runner_of(runtime: Runtime) -> SagaRunner:
    return runtime.service(RUNNER, SagaRunner)


async def recover(runtime: Runtime) -> int:
    """Time out overdue waits, then drive every saga nobody is driving; returns how many."""
    registry = registry_of(runtime)
    for saga_id in await _overdue(runtime):
        async with runtime.uow() as uow:
            await resolve_waiting(uow, registry, saga_id)
            await uow.commit()
    driven = 0
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

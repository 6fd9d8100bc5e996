"""Durable sagas: ordered steps with compensations, persisted after every step, resumable anywhere.

    PLACE_ORDER = SagaType("checkout.place_order", steps=[
        Step("reserve_inventory", action=reserve, compensation=release),
        Step("take_payment", action=charge, compensation=refund,
             wait_for=WaitFor("payments.payment_succeeded", ["payments.payment_failed"])),
        ...
    ])
    saga.register(runtime, PLACE_ORDER)                     # at wiring time
    async with runtime.uow() as uow:                        # with the caller's own change
        saga_id = await saga.begin(uow, PLACE_ORDER, key=f"checkout:{checkout.id}", data={...})
        await uow.commit()
    state = await saga.run(runtime, saga_id)                # drive it now, outside any transaction

The guarantees and the rules for steps are in docs/sagas.md. This module is the facade: the
engine lives in the `saga_*` modules beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from emporium.kernel.events import to_json
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga_engine import run as _drive
from emporium.kernel.saga_model import (
    FailureKind,
    Phase,
    SagaCompensated,
    SagaCompleted,
    SagaFailed,
    SagaRecord,
    SagaStarted,
    SagaStatus,
    SagaStepCompensated,
    SagaStepCompleted,
    SagaStepFailed,
    SagaStepRecord,
    SagaWaiting,
    StepStatus,
)
from emporium.kernel.saga_queries import (
    SagaNotFound,
    SagaState,
    StepState,
    find_saga,
    get_saga,
    list_sagas,
    timeline,
)
from emporium.kernel.saga_recovery import RECOVER_JOB, SUBSCRIBER, recover, runner_of, wire
from emporium.kernel.saga_steps import (
    FAULT_HOOK,
    FaultHook,
    FaultMoment,
    FenceLost,
    SagaType,
    SimulatedCrash,
    Step,
    StepContext,
    StepFailed,
    Wait,
    WaitFor,
    registry_of,
)
from emporium.kernel.saga_waits import DEADLINE_JOB
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

__all__ = [
    "DEADLINE_JOB",
    "FAULT_HOOK",
    "RECOVER_JOB",
    "SUBSCRIBER",
    "FailureKind",
    "FaultHook",
    "FaultMoment",
    "FenceLost",
    "Phase",
    "SagaCompensated",
    "SagaCompleted",
    "SagaFailed",
    "SagaNotFound",
    "SagaRecord",
    "SagaStarted",
    "SagaState",
    "SagaStatus",
    "SagaStepCompensated",
    "SagaStepCompleted",
    "SagaStepFailed",
    "SagaStepRecord",
    "SagaType",
    "SagaWaiting",
    "SimulatedCrash",
    "Step",
    "StepContext",
    "StepFailed",
    "StepState",
    "StepStatus",
    "Wait",
    "WaitFor",
    "begin",
    "close",
    "drain",
    "find_saga",
    "get_saga",
    "list_sagas",
    "recover",
    "register",
    "run",
    "start",
    "timeline",
    "wire",
]


def register(runtime: Runtime, saga_type: SagaType) -> None:
    """Let this process drive sagas of saga_type (call at wiring time, after `wire`)."""
    registry_of(runtime).add(saga_type)


async def begin(
    uow: UnitOfWork, saga_type: SagaType, *, key: str, data: Mapping[str, Any]
) -> uuid.UUID:
    """Create the saga in uow's transaction; the same key again returns the first saga's id.

    Keys are global: prefix them with what they identify (`checkout:<id>`).
    """
    now = uow.clock.now()
    saga_id = new_id()
    values = {
        "id": saga_id,
        "type": saga_type.name,
        "key": key,
        "status": SagaStatus.RUNNING,
        "current_step": saga_type.steps[0].name,
        "data": to_json(dict(data)),
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    if await insert_if_absent(uow.session, SagaRecord, values):
        uow.record(SagaStarted(id=saga_id, saga_type=saga_type.name, key=key))
        return saga_id
    existing = await uow.session.scalar(select(SagaRecord.id).where(SagaRecord.key == key))
    assert existing is not None, "the key's saga exists: the insert found it"
    return existing


async def run(runtime: Runtime, saga_id: uuid.UUID) -> SagaState:
    """Drive the saga here until it rests, unless another driver has it; then its state."""
    await _drive(runtime, saga_id)
    state = await get_saga(runtime, saga_id)
    if state is None:
        raise SagaNotFound(details={"id": str(saga_id)})
    return state


async def start(
    runtime: Runtime, saga_type: SagaType, *, key: str, data: Mapping[str, Any]
) -> SagaState:
    """Begin a saga in its own transaction and drive it; the same key again gives the first."""
    async with runtime.uow() as uow:
        saga_id = await begin(uow, saga_type, key=key, data=data)
        await uow.commit()
    return await run(runtime, saga_id)


async def drain(runtime: Runtime) -> None:
    """Wait for the sagas this process is driving in the background (for tests and shutdown)."""
    await runner_of(runtime).drain()


async def close(runtime: Runtime) -> None:
    """Stop driving sagas in this process; their leases run out and recovery continues them."""
    await runner_of(runtime).close()

"""A saga whose process dies anywhere ends completed or fully compensated, never half-done.

Each test kills the engine with the fault hook, builds a new runtime on the same database
(another process, knowing only what the database holds) and lets it recover the saga.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emporium.bootstrap import build_runtime
from emporium.kernel import jobs, saga
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import FaultMoment, Phase, SagaStatus, SagaType, SimulatedCrash
from emporium.settings import Settings
from tests.kernel.saga_builders import (
    GATE,
    LEASE,
    ORDER,
    PAYMENT,
    FakeGateway,
    Gate,
    assert_consistent,
    create_saga_tables,
    equip,
    forward_and_back,
    holds,
    pay,
    settle,
)


@dataclass
class CrashAt:
    """A fault hook that kills the engine at one step, phase and moment (once, or every time)."""

    step: str
    phase: Phase
    moment: FaultMoment
    every_time: bool = False
    fired: int = 0

    def __call__(self, saga_id: uuid.UUID, step: str, phase: Phase, moment: FaultMoment) -> None:
        if (step, phase, moment) != (self.step, self.phase, self.moment):
            return
        if self.fired and not self.every_time:
            return
        self.fired += 1
        raise SimulatedCrash(f"killed at {step} {phase} {moment}")


@asynccontextmanager
async def process(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> AsyncIterator[Runtime]:
    """A process of our own on the shared database (the gateway lives outside all of them)."""
    runtime = equip(build_runtime(settings, clock=clock), gateway)
    try:
        yield runtime
    finally:
        await runtime.db.dispose()


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
async def tables(settings: Settings, clock: FakeClock, gateway: FakeGateway) -> None:
    async with process(settings, clock, gateway) as runtime:
        await create_saga_tables(runtime.db.engine)


async def run_to_rest(
    runtime: Runtime, gateway: FakeGateway, saga_type: SagaType, **data: Any
) -> None:
    """Start a saga and drive it as far as it goes, paying when it waits for the payment."""
    state = await saga.start(runtime, saga_type, key="saga-under-test", data=data)
    await finish_payment(runtime, gateway, state)


async def finish_payment(runtime: Runtime, gateway: FakeGateway, state: saga.SagaState) -> None:
    if state.status is SagaStatus.WAITING:
        await pay(runtime, gateway, state)
    await settle(runtime)


def cases() -> list[Any]:
    happy = [(ORDER, {}, step.name, Phase.FORWARD, SagaStatus.COMPLETED) for step in ORDER.steps]
    happy += [
        (PAYMENT, {}, step.name, Phase.FORWARD, SagaStatus.COMPLETED)
        for step in PAYMENT.steps
        if step.action is not None
    ]
    refused = [
        (ORDER, {"fail_at": "confirm"}, step, phase, SagaStatus.COMPENSATED)
        for step, phase in forward_and_back(ORDER)
    ]
    return [
        pytest.param(*case, id=f"{case[0].name}-{case[3]}-{case[2]}-{case[4]}")
        for case in happy + refused
    ]


@pytest.mark.usefixtures("tables")
@pytest.mark.parametrize("moment", list(FaultMoment))
@pytest.mark.parametrize(("saga_type", "data", "step", "phase", "ending"), cases())
async def test_a_crash_anywhere_ends_completed_or_fully_compensated(
    settings: Settings,
    clock: FakeClock,
    gateway: FakeGateway,
    saga_type: SagaType,
    data: dict[str, Any],
    step: str,
    phase: Phase,
    ending: SagaStatus,
    moment: FaultMoment,
) -> None:
    crash = CrashAt(step, phase, moment)
    async with process(settings, clock, gateway) as first:
        first.provide(saga.FAULT_HOOK, crash)
        # The process dies: only the database and the gateway remain.
        with contextlib.suppress(SimulatedCrash):
            await run_to_rest(first, gateway, saga_type, **data)
    assert crash.fired == 1

    clock.advance(LEASE)
    async with process(settings, clock, gateway) as second:
        await saga.recover(second)
        state = await saga.find_saga(second, "saga-under-test")
        assert state is not None
        await finish_payment(second, gateway, state)

        assert await assert_consistent(second, gateway, state.id) is ending


@pytest.mark.usefixtures("tables")
async def test_a_late_forward_retry_after_its_compensation_does_not_bring_its_effect_back(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> None:
    async with process(settings, clock, gateway) as runtime:
        gate = Gate()
        runtime.provide(GATE, gate)
        # Attempt 1 of `reserve` stalls inside its action, past its lease...
        data = {"fail_at": "reserve", "fail_from": 2}
        slow = asyncio.create_task(saga.start(runtime, ORDER, key="late", data=data))
        await gate.entered.wait()
        clock.advance(LEASE)
        # ...so recovery runs attempt 2, which is refused: the saga compensates and ends.
        assert await saga.recover(runtime) == 1
        state = await saga.find_saga(runtime, "late")
        assert state is not None and state.status is SagaStatus.COMPENSATED

        gate.opened.set()  # the stalled attempt wakes up and tries to hold the stock
        after = await slow

        assert after.status is SagaStatus.COMPENSATED
        assert await holds(runtime, state.id) == set()
        reserve = [(s.phase, s.status, s.attempt) for s in after.steps if s.name == "reserve"]
        assert reserve == [("forward", "failed", 2), ("compensate", "done", 1)]


@pytest.mark.usefixtures("tables")
async def test_two_recovery_workers_at_once_run_each_step_once(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> None:
    keys = [f"crashed-{n}" for n in range(6)]
    async with process(settings, clock, gateway) as first:
        first.provide(
            saga.FAULT_HOOK,
            CrashAt("charge", Phase.FORWARD, FaultMoment.BEFORE_ACTION, every_time=True),
        )
        for key in keys:
            with pytest.raises(SimulatedCrash):
                await saga.start(first, ORDER, key=key, data={})

    clock.advance(LEASE)
    async with (
        process(settings, clock, gateway) as second,
        process(settings, clock, gateway) as third,
    ):
        recovered = await asyncio.gather(saga.recover(second), saga.recover(third))

        assert sum(recovered) == len(keys)
        for key in keys:
            state = await saga.find_saga(second, key)
            assert state is not None
            assert await assert_consistent(second, gateway, state.id) is SagaStatus.COMPLETED
            assert gateway.count("charge", state.id) == 1


@pytest.mark.usefixtures("tables")
async def test_a_step_that_kills_its_process_every_time_is_given_up_and_compensated(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> None:
    poison = CrashAt("charge", Phase.FORWARD, FaultMoment.AFTER_ACTION, every_time=True)
    async with process(settings, clock, gateway) as first:
        first.provide(saga.FAULT_HOOK, poison)
        with pytest.raises(SimulatedCrash):
            await saga.start(first, ORDER, key="poison", data={})
    for _ in range(ORDER.max_attempts - 1):
        clock.advance(LEASE)
        async with process(settings, clock, gateway) as again:
            again.provide(saga.FAULT_HOOK, poison)
            with pytest.raises(SimulatedCrash):
                await saga.recover(again)

    clock.advance(LEASE)
    async with process(settings, clock, gateway) as last:
        assert await saga.recover(last) == 1
        state = await saga.find_saga(last, "poison")
        assert state is not None and state.failure is not None
        assert await assert_consistent(last, gateway, state.id) is SagaStatus.FAILED
        assert state.failure["details"]["error"] == "interrupted"
        assert poison.fired == ORDER.max_attempts
        assert gateway.of(state.id) == {f"saga:{state.id}:charge:forward": "refunded"}


@pytest.mark.usefixtures("tables")
async def test_a_saga_left_waiting_by_a_dead_process_resumes_on_its_event(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> None:
    async with process(settings, clock, gateway) as first:
        state = await saga.start(first, PAYMENT, key="waits", data={})
        assert state.status is SagaStatus.WAITING

    async with process(settings, clock, gateway) as second:
        await pay(second, gateway, state)
        await settle(second)

        assert await assert_consistent(second, gateway, state.id) is SagaStatus.COMPLETED


@pytest.mark.usefixtures("tables")
async def test_the_recurring_recovery_job_continues_a_crashed_saga(
    settings: Settings, clock: FakeClock, gateway: FakeGateway
) -> None:
    async with process(settings, clock, gateway) as first:
        first.provide(saga.FAULT_HOOK, CrashAt("charge", Phase.FORWARD, FaultMoment.AFTER_ACTION))
        with pytest.raises(SimulatedCrash):
            await saga.start(first, ORDER, key="crashed", data={})

    async with process(settings, clock, gateway) as second:
        await jobs.ensure_registered_recurring(second)  # what a worker does when it starts
        clock.advance(LEASE)
        await settle(second)

        state = await saga.find_saga(second, "crashed")
        assert state is not None
        assert await assert_consistent(second, gateway, state.id) is SagaStatus.COMPLETED
        assert gateway.count("charge", state.id) == 2  # the gateway deduped the second call
        assert list(gateway.of(state.id).values()) == ["captured"]


async def test_the_recover_command_reports_how_many_sagas_it_continued(
    database_url: str, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emporium.cli",
        "sagas",
        "recover",
        cwd=tmp_path,
        env={**os.environ, "EMPORIUM_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()

    assert process.returncode == 0, stderr
    assert stdout.decode().strip() == "sagas recovered: 0"

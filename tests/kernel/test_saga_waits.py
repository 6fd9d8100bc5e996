"""A waiting step rests until its event arrives or its deadline passes; the first to come wins."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from emporium.kernel import saga
from emporium.kernel.clock import FakeClock
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.events import EventRecord
from emporium.kernel.jobs import JobRecord, JobStatus, run_due_jobs
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import SagaStatus
from tests.kernel.builders import append
from tests.kernel.saga_builders import (
    PAYMENT,
    FakeGateway,
    PaymentSucceeded,
    assert_consistent,
    create_saga_tables,
    equip,
    holds,
    pay,
    reference,
    settle,
)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
async def runtime(runtime: Runtime, gateway: FakeGateway) -> Runtime:
    await create_saga_tables(runtime.db.engine)
    return equip(runtime, gateway)


async def waiting_saga(runtime: Runtime, key: str = "pay-1") -> saga.SagaState:
    state = await saga.start(runtime, PAYMENT, key=key, data={})
    assert state.status is SagaStatus.WAITING
    return state


async def current(runtime: Runtime, state: saga.SagaState) -> saga.SagaState:
    fresh = await saga.get_saga(runtime, state.id)
    assert fresh is not None
    return fresh


async def count_events(runtime: Runtime, event_type: str, step: str | None = None) -> int:
    stmt = select(func.count()).where(EventRecord.type == event_type)
    if step is not None:
        stmt = stmt.where(EventRecord.payload["step"].as_string() == step)
    async with runtime.db.read() as session:
        return int(await session.scalar(stmt) or 0)


async def test_a_waiting_saga_says_what_it_waits_for_and_until_when(
    runtime: Runtime, clock: FakeClock
) -> None:
    state = await waiting_saga(runtime)

    assert state.current_step == "pay"
    assert state.waiting_for == "test.payment_succeeded"
    assert state.correlation == state.data["payment_reference"]
    assert state.deadline_at == clock.now() + timedelta(minutes=15)
    assert await holds(runtime, state.id) == {"reserve"}


async def test_the_event_it_waits_for_resumes_the_saga_to_completion(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    state = await waiting_saga(runtime)

    await pay(runtime, gateway, state)
    await settle(runtime)

    done = await current(runtime, state)
    assert done.status is SagaStatus.COMPLETED
    assert done.data["paid"] is True
    assert (done.waiting_for, done.correlation, done.deadline_at) == (None, None, None)
    assert await assert_consistent(runtime, gateway, state.id) is SagaStatus.COMPLETED


async def test_a_failure_event_compensates_the_waiting_saga(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    state = await waiting_saga(runtime)

    await pay(runtime, gateway, state, declined=True)
    await settle(runtime)

    failed = await current(runtime, state)
    assert failed.status is SagaStatus.COMPENSATED
    assert failed.failure is not None
    assert (failed.failure["code"], failed.failure["step"]) == ("PAYMENT_FAILED", "pay")
    assert failed.failure["details"]["reason"] == "card_declined"
    assert await holds(runtime, state.id) == set()


async def test_the_deadline_passing_compensates_and_voids_the_payment(
    runtime: Runtime, clock: FakeClock, gateway: FakeGateway
) -> None:
    state = await waiting_saga(runtime)

    clock.advance(minutes=15)
    await settle(runtime)

    timed_out = await current(runtime, state)
    assert timed_out.status is SagaStatus.COMPENSATED
    assert timed_out.failure is not None
    assert (timed_out.failure["kind"], timed_out.failure["code"]) == ("timeout", "DEADLINE_PASSED")
    assert list(gateway.of(state.id).values()) == ["voided"]
    assert await holds(runtime, state.id) == set()


async def test_nothing_happens_before_the_deadline(runtime: Runtime, clock: FakeClock) -> None:
    state = await waiting_saga(runtime)

    clock.advance(minutes=14, seconds=59)
    await settle(runtime)
    assert await saga.recover(runtime) == 0

    assert (await current(runtime, state)).status is SagaStatus.WAITING


async def test_an_event_for_another_payment_leaves_the_saga_waiting(runtime: Runtime) -> None:
    state = await waiting_saga(runtime)

    await append(runtime, PaymentSucceeded(reference="pay_someone_else"))
    await settle(runtime)

    assert (await current(runtime, state)).status is SagaStatus.WAITING


async def test_the_event_cancels_the_deadline_timer(runtime: Runtime, gateway: FakeGateway) -> None:
    state = await waiting_saga(runtime)

    await pay(runtime, gateway, state)
    await settle(runtime)

    async with runtime.db.read() as session:
        status = await session.scalar(
            select(JobRecord.status).where(JobRecord.key == f"saga:{state.id}:deadline:pay")
        )
    assert status == JobStatus.CANCELLED


async def test_an_event_logged_before_the_saga_starts_waiting_is_not_missed(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    # The provider answers faster than our own commit: its event is in the log first.
    async def webhook_first(ctx: saga.StepContext) -> saga.Wait:
        ref = gateway.authorize(ctx.idempotency_key)
        gateway.payments[ctx.idempotency_key] = "captured"
        await append(ctx.runtime, PaymentSucceeded(reference=ref))
        return saga.Wait(correlation=ref, result={"payment_reference": ref})

    quick = saga.SagaType(
        "test.quick",
        [
            saga.Step("reserve", action=PAYMENT.steps[0].action),
            saga.Step("pay", action=webhook_first, wait_for=PAYMENT.steps[1].wait_for),
        ],
    )
    saga.register(runtime, quick)

    state = await saga.start(runtime, quick, key="quick", data={})

    assert state.status is SagaStatus.COMPLETED
    assert state.data["paid"] is True
    await settle(runtime)
    assert await count_events(runtime, saga.SagaStepCompleted.type, "pay") == 1


@pytest.mark.parametrize(
    ("declined", "ending"), [(False, SagaStatus.COMPLETED), (True, SagaStatus.COMPENSATED)]
)
async def test_an_event_and_the_deadline_racing_resolve_each_wait_once(
    runtime: Runtime,
    clock: FakeClock,
    gateway: FakeGateway,
    declined: bool,
    ending: SagaStatus,
) -> None:
    states = [await waiting_saga(runtime, key=f"pay-{n}") for n in range(6)]
    for state in states:
        await pay(runtime, gateway, state, declined=declined)
    clock.advance(minutes=15)

    # The dispatcher delivers the events while the deadline timers fire, for real at once.
    await asyncio.gather(dispatch_until_idle(runtime), run_due_jobs(runtime))
    await settle(runtime)

    for state in states:
        # The event was logged before the deadline: it wins, whoever resolved the wait.
        assert await assert_consistent(runtime, gateway, state.id) is ending
    resolved = [saga.SagaStepCompleted.type, saga.SagaStepFailed.type]
    counts = [await count_events(runtime, event_type, "pay") for event_type in resolved]
    assert counts == ([0, len(states)] if declined else [len(states), 0])


async def test_recovery_times_out_a_wait_whose_timer_never_ran(
    runtime: Runtime, clock: FakeClock, gateway: FakeGateway
) -> None:
    state = await waiting_saga(runtime)
    async with runtime.uow() as uow:
        await uow.session.execute(
            JobRecord.__table__.delete().where(JobRecord.key == f"saga:{state.id}:deadline:pay")
        )
        await uow.commit()

    clock.advance(minutes=16)
    assert await saga.recover(runtime) == 1

    assert await assert_consistent(runtime, gateway, state.id) is SagaStatus.COMPENSATED
    assert gateway.payments == {reference_key(state): "voided"}


def reference_key(state: saga.SagaState) -> str:
    key = f"saga:{state.id}:pay:forward"
    assert reference(key) == state.data["payment_reference"]
    return key

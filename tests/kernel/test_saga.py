"""Sagas run their steps in order, compensate in reverse on failure, retry errors, start once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from emporium.kernel import saga
from emporium.kernel.clock import FakeClock
from emporium.kernel.events import EventRecord
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import Phase, SagaStatus, StepStatus
from emporium.kernel.saga_engine import Move, MoveKind, plan
from tests.kernel.saga_builders import (
    ORDER,
    FakeGateway,
    create_saga_tables,
    equip,
    holds,
    settle,
)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
async def runtime(runtime: Runtime, gateway: FakeGateway) -> Runtime:
    await create_saga_tables(runtime.db.engine)
    return equip(runtime, gateway)


def log_of(state: saga.SagaState) -> list[tuple[str, str, str, int]]:
    return [(s.name, s.phase, s.status, s.attempt) for s in state.steps]


async def count_events(runtime: Runtime, event_type: str) -> int:
    async with runtime.db.read() as session:
        stmt = select(func.count()).where(EventRecord.type == event_type)
        return int(await session.scalar(stmt) or 0)


async def retry_until_finished(runtime: Runtime, clock: FakeClock, saga_id: Any) -> saga.SagaState:
    """Let the retry timers fire (an hour covers any backoff) until the saga finishes."""
    for _ in range(10):
        state = await saga.get_saga(runtime, saga_id)
        assert state is not None
        if state.finished:
            return state
        clock.advance(hours=1)
        await settle(runtime)
    raise AssertionError("the saga never finished")


async def test_a_saga_runs_its_steps_in_order_and_completes(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={"amount": 1999})

    assert state.status is SagaStatus.COMPLETED
    assert log_of(state) == [
        ("reserve", "forward", "done", 1),
        ("charge", "forward", "done", 1),
        ("confirm", "forward", "done", 1),
    ]
    assert state.data["amount"] == 1999
    assert state.data["charge_id"].startswith("ch_")
    assert state.data["reserve_held"] and state.data["confirm_held"]
    assert await holds(runtime, state.id) == {"reserve", "confirm"}
    assert list(gateway.of(state.id).values()) == ["captured"]
    assert state.finished_at == runtime.clock.now()


@pytest.mark.parametrize("failing", ["reserve", "charge", "confirm"])
async def test_a_business_failure_compensates_the_started_steps_in_reverse(
    runtime: Runtime, gateway: FakeGateway, failing: str
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={"fail_at": failing})

    assert state.status is SagaStatus.COMPENSATED
    assert state.failure == {
        "kind": "business",
        "step": failing,
        "code": "OUT_OF_STOCK",
        "message": f"{failing} refused",
        "details": {"step": failing},
    }
    started = [s.name for s in ORDER.steps][: [s.name for s in ORDER.steps].index(failing) + 1]
    undone = [(s.name, s.status) for s in state.steps if s.phase is Phase.COMPENSATE]
    assert undone == [(name, StepStatus.DONE) for name in reversed(started)]
    assert await holds(runtime, state.id) == set()
    assert set(gateway.of(state.id).values()) <= {"refunded"}


async def test_a_refused_charge_leaves_nothing_charged_and_nothing_held(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={"fail_at": "charge"})

    assert gateway.count("charge", state.id) == 0
    assert gateway.of(state.id) == {}
    assert await holds(runtime, state.id) == set()
    assert ("confirm", "forward") not in {(s.name, s.phase) for s in state.steps}


async def test_an_unexpected_error_is_retried_later_and_the_saga_then_completes(
    runtime: Runtime, clock: FakeClock
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={"errors": {"charge": 1}})

    assert state.status is SagaStatus.RUNNING
    assert state.current_step == "charge"
    charge = next(s for s in state.steps if s.name == "charge")
    assert (charge.status, charge.attempt) == (StepStatus.RUNNING, 1)
    assert charge.error == "ConnectionError: charge is down (attempt 1)"

    finished = await retry_until_finished(runtime, clock, state.id)
    assert finished.status is SagaStatus.COMPLETED
    assert ("charge", "forward", "done", 2) in log_of(finished)


async def test_a_step_that_keeps_failing_is_compensated_and_the_saga_marked_failed(
    runtime: Runtime, clock: FakeClock, gateway: FakeGateway
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={"errors": {"charge": 99}})
    finished = await retry_until_finished(runtime, clock, state.id)

    assert finished.status is SagaStatus.FAILED
    assert finished.failure is not None
    assert (finished.failure["code"], finished.failure["kind"]) == ("STEP_ERROR", "error")
    assert finished.failure["details"]["error"] == "ConnectionError: charge is down (attempt 3)"
    assert ("charge", "forward", "failed", ORDER.max_attempts) in log_of(finished)
    assert await holds(runtime, state.id) == set()
    assert await count_events(runtime, saga.SagaFailed.type) == 1


async def test_a_compensation_that_errors_is_retried_until_it_succeeds(
    runtime: Runtime, clock: FakeClock
) -> None:
    data = {"fail_at": "confirm", "compensation_errors": {"reserve": 4}}
    state = await saga.start(runtime, ORDER, key="order-1", data=data)
    assert state.status is SagaStatus.COMPENSATING

    finished = await retry_until_finished(runtime, clock, state.id)
    assert finished.status is SagaStatus.COMPENSATED
    assert ("reserve", "compensate", "done", 5) in log_of(finished)
    assert await holds(runtime, state.id) == set()


async def test_starting_twice_with_one_key_runs_one_saga(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    first = await saga.start(runtime, ORDER, key="checkout:1", data={"n": 1})
    again = await saga.start(runtime, ORDER, key="checkout:1", data={"n": 2})

    assert again.id == first.id
    assert again.data["n"] == 1
    assert gateway.count("charge", first.id) == 1
    assert await count_events(runtime, saga.SagaStarted.type) == 1


async def test_concurrent_starts_with_one_key_run_one_saga(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    states = await asyncio.gather(
        *(saga.start(runtime, ORDER, key="checkout:1", data={}) for _ in range(4))
    )

    assert len({state.id for state in states}) == 1
    await settle(runtime)
    final = await saga.get_saga(runtime, states[0].id)
    assert final is not None and final.status is SagaStatus.COMPLETED
    assert gateway.count("charge", final.id) == 1
    assert await count_events(runtime, saga.SagaStepCompleted.type) == 3


async def test_running_a_finished_saga_again_runs_no_step(
    runtime: Runtime, gateway: FakeGateway
) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={})
    calls = list(gateway.calls)

    again = await saga.run(runtime, state.id)

    assert again.status is SagaStatus.COMPLETED
    assert gateway.calls == calls
    assert log_of(again) == log_of(state)


async def test_results_are_stored_as_json(runtime: Runtime) -> None:
    async def stamp(ctx: saga.StepContext) -> dict[str, Any]:
        return {"saga": ctx.saga_id, "at": ctx.now, "attempt": ctx.attempt}

    stamping = saga.SagaType("test.stamp", [saga.Step("stamp", action=stamp)])
    saga.register(runtime, stamping)
    state = await saga.start(runtime, stamping, key="s", data={})

    assert state.data == {"saga": str(state.id), "at": "2026-01-15T10:00:00Z", "attempt": 1}


async def test_a_step_returning_something_that_is_not_json_is_an_error(
    runtime: Runtime, clock: FakeClock
) -> None:
    async def odd(ctx: saga.StepContext) -> dict[str, Any]:
        return {"thing": object()}

    odd_saga = saga.SagaType("test.odd", [saga.Step("odd", action=odd)], max_attempts=1)
    saga.register(runtime, odd_saga)
    state = await saga.start(runtime, odd_saga, key="odd", data={})

    assert state.status is SagaStatus.FAILED
    assert state.failure is not None and "TypeError" in state.failure["details"]["error"]


def test_a_saga_type_needs_steps_with_distinct_names() -> None:
    with pytest.raises(ValueError, match="distinct"):
        saga.SagaType("test.twice", [saga.Step("a"), saga.Step("a")])


def test_a_waiting_step_needs_an_action() -> None:
    with pytest.raises(ValueError, match="needs an action"):
        saga.SagaType("test.idle", [saga.Step("a", wait_for=saga.WaitFor("x.happened"))])


def test_the_plan_runs_the_first_step_not_yet_done() -> None:
    steps = {("reserve", Phase.FORWARD): StepStatus.DONE}
    assert plan(ORDER, SagaStatus.RUNNING, steps) == Move(MoveKind.RUN, "charge", Phase.FORWARD)


def test_the_plan_runs_an_interrupted_step_again() -> None:
    steps = {("reserve", Phase.FORWARD): StepStatus.RUNNING}
    assert plan(ORDER, SagaStatus.RUNNING, steps) == Move(MoveKind.RUN, "reserve", Phase.FORWARD)


def test_the_plan_completes_a_saga_whose_steps_are_all_done() -> None:
    steps = {(s.name, Phase.FORWARD): StepStatus.DONE for s in ORDER.steps}
    assert plan(ORDER, SagaStatus.RUNNING, steps) == Move(
        MoveKind.FINISH, status=SagaStatus.COMPLETED
    )


def test_the_plan_undoes_the_failed_step_first_and_skips_steps_never_started() -> None:
    steps = {
        ("reserve", Phase.FORWARD): StepStatus.DONE,
        ("charge", Phase.FORWARD): StepStatus.FAILED,
    }
    move = plan(ORDER, SagaStatus.COMPENSATING, steps)
    assert move == Move(MoveKind.RUN, "charge", Phase.COMPENSATE)
    steps[("charge", Phase.COMPENSATE)] = StepStatus.DONE
    assert plan(ORDER, SagaStatus.COMPENSATING, steps) == Move(
        MoveKind.RUN, "reserve", Phase.COMPENSATE
    )


def test_the_plan_ends_compensated_after_a_refusal_and_failed_after_errors() -> None:
    steps = {
        ("reserve", Phase.FORWARD): StepStatus.FAILED,
        ("reserve", Phase.COMPENSATE): StepStatus.DONE,
    }
    refused = plan(ORDER, SagaStatus.COMPENSATING, steps, failure_kind="business")
    errored = plan(ORDER, SagaStatus.COMPENSATING, steps, failure_kind="error")
    assert refused.status is SagaStatus.COMPENSATED
    assert errored.status is SagaStatus.FAILED


def test_the_plan_lets_a_waiting_or_finished_saga_rest() -> None:
    for status in (SagaStatus.WAITING, SagaStatus.COMPLETED, SagaStatus.FAILED):
        assert plan(ORDER, status, {}).kind is MoveKind.REST


async def test_a_step_without_an_action_or_compensation_is_logged_as_skipped(
    runtime: Runtime,
) -> None:
    skipping = saga.SagaType(
        "test.skipping",
        [
            saga.Step("note"),
            saga.Step("refuse", action=_refuse),
        ],
    )
    saga.register(runtime, skipping)
    state = await saga.start(runtime, skipping, key="skip", data={})

    assert state.status is SagaStatus.COMPENSATED
    assert log_of(state) == [
        ("note", "forward", "skipped", 0),
        ("refuse", "forward", "failed", 1),
        ("refuse", "compensate", "skipped", 0),
        ("note", "compensate", "skipped", 0),
    ]


async def _refuse(ctx: saga.StepContext) -> None:
    raise saga.StepFailed("NO", "refused")


async def test_a_saga_of_an_unknown_key_is_not_found(runtime: Runtime) -> None:
    assert await saga.find_saga(runtime, "nothing") is None


async def test_the_step_log_times_come_from_the_clock(runtime: Runtime, clock: FakeClock) -> None:
    clock.advance(timedelta(days=3))
    state = await saga.start(runtime, ORDER, key="order-1", data={})

    assert {step.started_at for step in state.steps} == {clock.now()}
    assert state.created_at == clock.now()


async def test_a_saga_begun_in_a_rolled_back_unit_of_work_never_existed(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        await saga.begin(uow, ORDER, key="ghost", data={})
        # no commit: the caller's change and its saga go together

    assert await saga.find_saga(runtime, "ghost") is None


async def test_recovery_leaves_a_saga_just_begun_to_its_starter_for_a_moment(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.uow() as uow:
        saga_id = await saga.begin(uow, ORDER, key="begun", data={})
        await uow.commit()

    assert await saga.recover(runtime) == 0
    clock.advance(seconds=11)
    assert await saga.recover(runtime) == 1

    state = await saga.get_saga(runtime, saga_id)
    assert state is not None and state.status is SagaStatus.COMPLETED

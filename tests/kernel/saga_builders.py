"""Builders for saga tests: test saga types, the table their steps write, and a fake gateway.

`test.order` reserves (a database effect), charges (an outside call) and confirms (a database
effect); `test.payment` reserves, authorizes a payment and waits for its event, then confirms.
What a saga's data says drives failures: `fail_at` (a business failure at that step),
`fail_from` (from that attempt on), `errors` / `compensation_errors` ({step: n}: the first n
attempts raise).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import Column, MetaData, String, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from emporium.kernel import saga
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.events import DomainEvent
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import Phase, SagaStatus, StepContext, StepFailed
from tests.kernel.builders import ThingHappened, append

GATEWAY = "test.gateway"
GATE = "test.gate"
PAYMENT_SUCCEEDED = "test.payment_succeeded"
PAYMENT_FAILED = "test.payment_failed"

saga_metadata = MetaData()
hold = Table(
    "test_saga_hold",
    saga_metadata,
    Column("saga_id", String(40), primary_key=True),
    Column("step", String(40), primary_key=True),
)


async def create_saga_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(saga_metadata.create_all)


@dataclass
class FakeGateway:
    """A card processor outside our process: it survives our crashes, dedupes by key."""

    payments: dict[str, str] = field(default_factory=dict)  # key -> status
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, key)

    def charge(self, key: str) -> str:
        self.calls.append(("charge", key))
        self.payments.setdefault(key, "captured")
        return f"ch_{key}"

    def authorize(self, key: str) -> str:
        self.calls.append(("authorize", key))
        self.payments.setdefault(key, "pending")
        return reference(key)

    def undo(self, key: str) -> None:
        """Refund a capture or void an authorization; nothing to undo is fine."""
        self.calls.append(("undo", key))
        status = self.payments.get(key)
        if status == "captured":
            self.payments[key] = "refunded"
        elif status == "pending":
            self.payments[key] = "voided"

    def of(self, saga_id: uuid.UUID) -> dict[str, str]:
        return {k: v for k, v in self.payments.items() if str(saga_id) in k}

    def count(self, operation: str, saga_id: uuid.UUID) -> int:
        return sum(1 for op, key in self.calls if op == operation and str(saga_id) in key)


def reference(key: str) -> str:
    return f"pay_{key}"


@dataclass(frozen=True)
class Gate:
    """Holds a step's first attempt inside its action until the test opens it."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    opened: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(DomainEvent):
    type: ClassVar[str] = PAYMENT_SUCCEEDED
    aggregate_type: ClassVar[str] = "test_payment"
    aggregate_field: ClassVar[str] = "reference"

    reference: str


@dataclass(frozen=True, kw_only=True)
class PaymentDeclined(DomainEvent):
    type: ClassVar[str] = PAYMENT_FAILED
    aggregate_type: ClassVar[str] = "test_payment"
    aggregate_field: ClassVar[str] = "reference"

    reference: str
    code: str = "PAYMENT_FAILED"
    message: str = "The card was declined"
    reason: str = "card_declined"


def _misbehave(ctx: StepContext) -> None:
    """Fail as the saga's data asks: a business failure, or an error on early attempts."""
    failing = ctx.data.get("fail_at") == ctx.step and ctx.attempt >= ctx.data.get("fail_from", 1)
    if ctx.phase is Phase.FORWARD and failing:
        raise StepFailed("OUT_OF_STOCK", f"{ctx.step} refused", {"step": ctx.step})
    plan = "errors" if ctx.phase is Phase.FORWARD else "compensation_errors"
    if ctx.attempt <= ctx.data.get(plan, {}).get(ctx.step, 0):
        raise ConnectionError(f"{ctx.step} is down (attempt {ctx.attempt})")


def gateway_of(ctx: StepContext) -> FakeGateway:
    return ctx.runtime.service(GATEWAY, FakeGateway)


async def put_hold(ctx: StepContext) -> dict[str, Any]:
    _misbehave(ctx)
    gate: Gate | None = ctx.runtime.services.get(GATE)
    if gate is not None and ctx.attempt == 1:
        gate.entered.set()
        await gate.opened.wait()
    async with ctx.effect() as uow:
        insert = postgresql.insert if uow.db.is_postgres else sqlite.insert
        row = {"saga_id": str(ctx.saga_id), "step": ctx.step}
        await uow.session.execute(insert(hold).values(**row).on_conflict_do_nothing())
        uow.record(ThingHappened(id=ctx.step, n=ctx.attempt))
    return {f"{ctx.step}_held": True}


async def drop_hold(ctx: StepContext) -> None:
    _misbehave(ctx)
    async with ctx.effect() as uow:
        await uow.session.execute(
            delete(hold).where(hold.c.saga_id == str(ctx.saga_id), hold.c.step == ctx.step)
        )


async def charge(ctx: StepContext) -> dict[str, Any]:
    _misbehave(ctx)
    return {"charge_id": gateway_of(ctx).charge(ctx.idempotency_key)}


async def authorize(ctx: StepContext) -> saga.Wait:
    _misbehave(ctx)
    ref = gateway_of(ctx).authorize(ctx.idempotency_key)
    return saga.Wait(correlation=ref, result={"payment_reference": ref})


async def undo_payment(ctx: StepContext) -> None:
    _misbehave(ctx)
    gateway_of(ctx).undo(ctx.action_key)


ORDER = saga.SagaType(
    "test.order",
    steps=[
        saga.Step("reserve", action=put_hold, compensation=drop_hold),
        saga.Step("charge", action=charge, compensation=undo_payment),
        saga.Step("confirm", action=put_hold, compensation=drop_hold),
    ],
    max_attempts=3,
)
PAYMENT = saga.SagaType(
    "test.payment",
    steps=[
        saga.Step("reserve", action=put_hold, compensation=drop_hold),
        saga.Step(
            "pay",
            action=authorize,
            compensation=undo_payment,
            wait_for=saga.WaitFor(
                PAYMENT_SUCCEEDED,
                failure_types=[PAYMENT_FAILED],
                deadline=timedelta(minutes=15),
                on_success=lambda event: {"paid": True},
            ),
        ),
        saga.Step("notify"),
        saga.Step("confirm", action=put_hold, compensation=drop_hold),
    ],
)
LEASE = timedelta(seconds=61)  # a little past the test settings' lease


def equip(runtime: Runtime, gateway: FakeGateway) -> Runtime:
    """Teach runtime the test saga types and hand it the (shared, outside) gateway."""
    saga.register(runtime, ORDER)
    saga.register(runtime, PAYMENT)
    runtime.provide(GATEWAY, gateway)
    return runtime


async def holds(runtime: Runtime, saga_id: uuid.UUID) -> set[str]:
    async with runtime.db.read() as session:
        rows = await session.scalars(select(hold.c.step).where(hold.c.saga_id == str(saga_id)))
        return set(rows.all())


async def settle(runtime: Runtime) -> None:
    """Deliver events, run due timers and let kicked sagas finish, until nothing moves."""
    while True:
        moved = await dispatch_until_idle(runtime) + await run_due_jobs(runtime)
        await saga.drain(runtime)
        if not moved:
            return


async def pay(
    runtime: Runtime, gateway: FakeGateway, state: saga.SagaState, *, declined: bool = False
) -> None:
    """The payment provider settles the saga's pending payment and tells us by an event."""
    ref = state.data["payment_reference"]
    gateway.payments[ref.removeprefix("pay_")] = "declined" if declined else "captured"
    event = PaymentDeclined(reference=ref) if declined else PaymentSucceeded(reference=ref)
    await append(runtime, event)


async def assert_consistent(
    runtime: Runtime, gateway: FakeGateway, saga_id: uuid.UUID
) -> SagaStatus:
    """Completed with every effect once, or turned back with every effect undone."""
    state = await saga.get_saga(runtime, saga_id)
    assert state is not None
    payments = gateway.of(saga_id)
    if state.status is SagaStatus.COMPLETED:
        assert await holds(runtime, saga_id) == {"reserve", "confirm"}
        assert list(payments.values()) == ["captured"], payments
    else:
        assert state.status in (SagaStatus.COMPENSATED, SagaStatus.FAILED), state.status
        assert await holds(runtime, saga_id) == set()
        assert set(payments.values()) <= {"refunded", "voided", "declined"}, payments
    return state.status


def forward_and_back(saga_type: saga.SagaType) -> Iterator[tuple[str, Phase]]:
    """Every (step, phase) a saga of saga_type that fails at its last step goes through."""
    for step in saga_type.steps:
        yield step.name, Phase.FORWARD
    for step in reversed(saga_type.steps):
        yield step.name, Phase.COMPENSATE

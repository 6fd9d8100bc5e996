"""A stateful property test: random reservation histories against the real database.

Hypothesis drives reserve / resize / extend / release / consume / clock jumps (with and
without the timers running) / stock adjustments / restocks / reconciliation on one variant,
and after every step compares the database with a small model that says exactly what each
rule must do. Always: 0 <= reserved <= on_hand, reserved == the sum of active holds, and
on_hand moves only by adjustments, consumptions and restocks (no unit created or lost).

How the async code runs: Hypothesis calls rules synchronously, so each example owns an
`asyncio.Runner` (its own event loop) and a fresh runtime (engine, FakeClock) built on it;
every rule runs its coroutine to completion on that loop. The machine itself runs in a worker
thread (`asyncio.to_thread`), because the test's own loop is already running in this one.
Examples share the test's database but each stocks a variant of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from emporium.bootstrap import build_runtime
from emporium.contexts import inventory
from emporium.contexts.inventory.models import Reservation
from emporium.kernel.clock import FakeClock
from emporium.kernel.errors import DomainError
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.conftest import make_settings
from tests.inventory.builders import OWNER, committed, stock_item

T = TypeVar("T")
ACTIVE = "active"


@dataclass
class Hold:
    """What the model expects of one reservation."""

    quantity: int
    expires_at: datetime
    status: str = ACTIVE


class ReservationMachine(RuleBasedStateMachine):
    database_url = ""
    scratch = Path()

    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.clock = FakeClock()
        self.runtime: Runtime = build_runtime(
            make_settings(self.database_url, self.scratch), clock=self.clock
        )
        self.on_hand = 4
        self.variant_id = self.run(stock_item(self.runtime, on_hand=self.on_hand))
        self.model: dict[uuid.UUID, Hold] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def teardown(self) -> None:
        self.run(self.runtime.db.dispose())
        self.runner.close()

    # What the model predicts --------------------------------------------------------------

    def held(self) -> int:
        return sum(h.quantity for h in self.model.values() if h.status == ACTIVE)

    def overdue(self, keep: uuid.UUID | None = None) -> list[Hold]:
        now = self.clock.now()
        return [
            h
            for key, h in self.model.items()
            if h.status == ACTIVE and h.expires_at <= now and key != keep
        ]

    def attempt(self, coro: Coroutine[Any, Any, T]) -> T | DomainError:
        try:
            return self.run(coro)
        except DomainError as refused:
            return refused

    # Rules --------------------------------------------------------------------------------

    @rule(target=holds, quantity=st.integers(1, 3), ttl=st.sampled_from([60, 300, 900]))
    def reserve(self, quantity: int, ttl: int) -> uuid.UUID | None:
        reclaimable = sum(h.quantity for h in self.overdue())
        fits = self.on_hand - (self.held() - reclaimable) >= quantity
        outcome = self.attempt(
            committed(
                self.runtime,
                lambda uow: inventory.reserve(
                    uow,
                    variant_id=self.variant_id,
                    quantity=quantity,
                    owner_type=OWNER,
                    owner_id=uuid.uuid4(),
                    ttl_seconds=ttl,
                ),
            )
        )
        if not fits:
            assert isinstance(outcome, inventory.InsufficientInventory)
            return None
        assert isinstance(outcome, inventory.ReservationView)
        for h in self.overdue():
            h.status = "expired"
        self.model[outcome.id] = Hold(quantity, self.clock.now() + timedelta(seconds=ttl))
        return outcome.id

    @rule(held=holds, quantity=st.integers(1, 4))
    def resize(self, held: uuid.UUID | None, quantity: int) -> None:
        hold = self.model.get(held) if held else None
        if held is None or hold is None:
            return
        outcome = self.attempt(
            committed(self.runtime, lambda uow: inventory.resize(uow, held, quantity))
        )
        if hold.status != ACTIVE:
            assert isinstance(outcome, inventory.ReservationNotActive)
            return
        delta = quantity - hold.quantity
        reclaimable = sum(h.quantity for h in self.overdue(keep=held))
        if delta > 0 and self.on_hand - (self.held() - reclaimable) < delta:
            assert isinstance(outcome, inventory.InsufficientInventory)
            return
        assert isinstance(outcome, inventory.ReservationView)
        if delta > 0:
            for h in self.overdue(keep=held):
                h.status = "expired"
        hold.quantity = quantity

    @rule(held=holds, seconds=st.sampled_from([30, 600]))
    def extend(self, held: uuid.UUID | None, seconds: int) -> None:
        hold = self.model.get(held) if held else None
        if held is None or hold is None:
            return
        until = self.clock.now() + timedelta(seconds=seconds)
        outcome = self.attempt(
            committed(self.runtime, lambda uow: inventory.extend(uow, held, until))
        )
        if hold.status == ACTIVE:
            assert isinstance(outcome, inventory.ReservationView)
            hold.expires_at = until
        else:
            assert isinstance(outcome, inventory.ReservationNotActive)

    @rule(held=holds)
    def release(self, held: uuid.UUID | None) -> None:
        hold = self.model.get(held) if held else None
        if held is None or hold is None:
            return
        outcome = self.run(
            committed(self.runtime, lambda uow: inventory.release(uow, held, "changed my mind"))
        )
        assert (outcome is not None) == (hold.status == ACTIVE)
        if hold.status == ACTIVE:
            hold.status = "released"

    @rule(held=holds)
    def consume(self, held: uuid.UUID | None) -> None:
        hold = self.model.get(held) if held else None
        if held is None or hold is None:
            return
        outcome = self.attempt(committed(self.runtime, lambda uow: inventory.consume(uow, held)))
        if hold.status in (ACTIVE, "consumed"):
            assert isinstance(outcome, inventory.ReservationView)
            if hold.status == ACTIVE:
                self.on_hand -= hold.quantity
            hold.status = "consumed"
        else:
            assert isinstance(outcome, inventory.ReservationNotActive)

    @rule(seconds=st.sampled_from([30, 120, 600, 1200]), timers=st.booleans())
    def time_passes(self, seconds: int, timers: bool) -> None:
        """The clock jumps; the worker runs the due timers, or it is down."""
        self.clock.advance(seconds=seconds)
        if timers:
            self.run(run_due_jobs(self.runtime))
            for h in self.overdue():
                h.status = "expired"

    @rule(delta=st.integers(-3, 3))
    def adjust(self, delta: int) -> None:
        outcome = self.attempt(
            committed(
                self.runtime,
                lambda uow: inventory.adjust_stock(
                    uow,
                    inventory.AdjustStock(variant_id=self.variant_id, reason="count", delta=delta),
                    actor="test",
                ),
            )
        )
        if self.on_hand + delta < self.held():
            assert isinstance(outcome, DomainError)
        else:
            assert not isinstance(outcome, DomainError)
            self.on_hand += delta

    @rule(quantity=st.integers(1, 2))
    def restock(self, quantity: int) -> None:
        self.run(
            committed(
                self.runtime,
                lambda uow: inventory.restock(uow, self.variant_id, quantity, "returned"),
            )
        )
        self.on_hand += quantity

    @precondition(lambda self: any(h.status == ACTIVE for h in self.model.values()))
    @rule()
    def reconcile(self) -> None:
        report = self.run(inventory.run_reconcile(self.runtime))
        # It sweeps the whole database; earlier examples' variants are not this one's business.
        assert [d for d in report.drifts if d.variant_id == self.variant_id] == []
        for h in self.overdue():
            h.status = "expired"

    # What must always hold ---------------------------------------------------------------

    @invariant()
    def counters_match_the_holds(self) -> None:
        on_hand, reserved, active, statuses = self.run(self._facts())
        assert 0 <= reserved <= on_hand
        assert reserved == active
        assert on_hand == self.on_hand
        assert reserved == self.held()
        assert statuses == {key: h.status for key, h in self.model.items()}

    async def _facts(self) -> tuple[int, int, int, dict[uuid.UUID, str]]:
        async with self.runtime.db.read() as session:
            level = (await inventory.availability(session, [self.variant_id]))[self.variant_id]
            active = await session.scalar(
                select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
                    Reservation.variant_id == self.variant_id, Reservation.status == ACTIVE
                )
            )
            rows = await session.execute(
                select(Reservation.id, Reservation.status).where(
                    Reservation.variant_id == self.variant_id
                )
            )
            return (
                level.on_hand,
                level.reserved,
                int(active or 0),
                {key: status for key, status in rows},
            )


async def test_random_reservation_histories_keep_every_unit_accounted_for(
    database_url: str, tmp_path: Path
) -> None:
    ReservationMachine.database_url = database_url
    ReservationMachine.scratch = tmp_path
    run = settings(
        max_examples=20,
        stateful_step_count=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    await asyncio.to_thread(run_state_machine_as_test, ReservationMachine, settings=run)

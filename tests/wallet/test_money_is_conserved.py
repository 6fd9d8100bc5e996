"""A stateful property test: whatever buyers, vendors, the clock and refunds do, money is conserved.

Hypothesis drives random top-ups, checkouts (card or wallet, one hold per vendor),
confirmations, disputes, clock jumps that let the release timer run, refunds (before and
after release), cancellations and payouts, and after every step checks:

- the trial balance is zero per currency, and every balance is the sum of its entries;
- no account that must not go negative (wallets, vendor available, escrow…) is negative;
- for every order: captured = released to vendors + commission + refunded + still held;
- the ledger agrees with the holds and the model: buyers' wallets, escrow per vendor, the
  platform's commission, and each vendor's released money (available + in transit + paid
  out minus debt).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from emporium.bootstrap import build_runtime
from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, Cause, HoldAlreadyResolved, HoldStatus
from emporium.contexts.wallet.models import Account, EscrowHold, Payout
from emporium.kernel.clock import FakeClock
from emporium.kernel.errors import PaymentFailed
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.conftest import make_settings
from tests.wallet.builders import CLOSED_IBAN, GOOD_IBAN, assert_books_balance, eur

T = TypeVar("T")
RATES = [Decimal("0.10"), Decimal("0.125"), Decimal("0.085")]  # per vendor, on confirmation
HOLD = timedelta(days=7)


@dataclass
class Order:
    buyer: uuid.UUID
    captured: int
    by_wallet: bool
    holds: list[uuid.UUID] = field(default_factory=list)


def machine_for(runtime: Runtime, clock: FakeClock, run: Any) -> type[RuleBasedStateMachine]:
    """The state machine, bound to one runtime and the event loop that runs it."""

    def call(awaitable: Awaitable[T]) -> T:
        result: T = run(awaitable)
        return result

    class MoneyPaths(RuleBasedStateMachine):
        holds = Bundle("holds")
        orders = Bundle("orders")

        @initialize()
        def people(self) -> None:
            self.buyers = [uuid.uuid4() for _ in range(3)]
            self.vendors = [uuid.uuid4() for _ in range(3)]
            self.wallets: dict[uuid.UUID, int] = defaultdict(int)
            self.order_of: dict[uuid.UUID, Order] = {}
            self.hold_order: dict[uuid.UUID, uuid.UUID] = {}

        @rule(buyer=st.integers(0, 2), cents=st.integers(1, 50_000), declined=st.booleans())
        def top_up(self, buyer: int, cents: int, declined: bool) -> None:
            who = self.buyers[buyer]
            token = "tok_chargeDeclined" if declined and cents % 3 == 0 else "tok_visa"
            cmd = wallet.TopUpWallet(
                buyer_id=who, amount=eur(cents), token=token, key=str(uuid.uuid4())
            )
            try:
                call(wallet.top_up(runtime, cmd))
            except PaymentFailed:
                assert token == "tok_chargeDeclined"
                return
            self.wallets[who] += cents

        @rule(
            target=orders,
            buyer=st.integers(0, 2),
            parts=st.lists(
                st.tuples(st.integers(0, 2), st.integers(1, 10_000)),
                min_size=1,
                max_size=3,
                unique_by=lambda part: part[0],
            ),
            by_wallet=st.booleans(),
        )
        def checkout(self, buyer: int, parts: list[tuple[int, int]], by_wallet: bool) -> Any:
            who, total, order_id = self.buyers[buyer], sum(c for _, c in parts), uuid.uuid4()
            order = Order(who, total, by_wallet)
            try:
                call(self._capture(order_id, order, parts))
            except PaymentFailed:
                assert by_wallet and self.wallets[who] < total
                return multiple()
            if by_wallet:
                self.wallets[who] -= total
            self.order_of[order_id] = order
            for hold_id in order.holds:
                self.hold_order[hold_id] = order_id
            return order_id

        async def _capture(
            self, order_id: uuid.UUID, order: Order, parts: list[tuple[int, int]]
        ) -> None:
            async with runtime.uow() as uow:
                if order.by_wallet:
                    await wallet.pay_from_wallet(
                        uow,
                        buyer_id=order.buyer,
                        amount=eur(order.captured),
                        cause=Cause.of("order", order_id),
                    )
                for vendor, cents in parts:
                    view = await wallet.hold_in_escrow(
                        uow,
                        fulfillment_id=uuid.uuid4(),
                        vendor_id=self.vendors[vendor],
                        amount=eur(cents),
                        locked_until=clock.now() + HOLD,
                        order_id=order_id,
                    )
                    order.holds.append(view.id)
                await uow.commit()

        @rule(order=orders, pick=st.integers(0, 2))
        def confirm_delivery(self, order: uuid.UUID, pick: int) -> None:
            holds = self.order_of[order].holds
            hold_id = holds[pick % len(holds)]
            before = call(self._hold(hold_id))
            rate = RATES[self.vendors.index(before.vendor_id)]
            try:
                call(self._release(hold_id, rate))
            except HoldAlreadyResolved:
                assert before.status in {HoldStatus.RELEASED, HoldStatus.REFUNDED}
                return
            after = call(self._hold(hold_id))
            assert after.commission == before.held.times(rate)

        async def _release(self, hold_id: uuid.UUID, rate: Decimal) -> None:
            async with runtime.uow() as uow:
                await wallet.release_hold(uow, hold_id, commission_rate=rate)
                await uow.commit()

        async def _hold(self, hold_id: uuid.UUID) -> wallet.HoldView:
            async with runtime.db.read() as session:
                view = await wallet.get_hold(session, hold_id)
            assert view is not None
            return view

        @rule(order=orders, pick=st.integers(0, 2))
        def dispute(self, order: uuid.UUID, pick: int) -> None:
            holds = self.order_of[order].holds
            call(self._dispute(holds[pick % len(holds)]))

        async def _dispute(self, hold_id: uuid.UUID) -> None:
            async with runtime.uow() as uow:
                try:
                    await wallet.dispute_hold(uow, hold_id)
                except HoldAlreadyResolved:
                    return
                await uow.commit()

        @rule(days=st.sampled_from([1, 3, 8]))
        def time_passes(self, days: int) -> None:
            clock.advance(timedelta(days=days))
            call(run_due_jobs(runtime))
            call(wallet.payout_sender(runtime).drain())

        @rule(order=orders, pick=st.integers(0, 2), share=st.sampled_from([0.25, 0.5, 1.0]))
        def refund(self, order: uuid.UUID, pick: int, share: float) -> None:
            found = self.order_of[order]
            hold_id = found.holds[pick % len(found.holds)]
            view = call(self._hold(hold_id))
            left = (view.amount - view.refunded).amount
            if left == 0:
                return
            cents = max(1, int(left * share))
            call(self._refund(hold_id, cents, found))

        async def _refund(self, hold_id: uuid.UUID, cents: int, order: Order) -> None:
            to_wallet = order.buyer if order.by_wallet else None
            async with runtime.uow() as uow:
                await wallet.refund_hold(
                    uow, hold_id, eur(cents), refund_id=uuid.uuid4(), to_wallet_of=to_wallet
                )
                await uow.commit()
            if to_wallet:
                self.wallets[order.buyer] += cents

        @rule(order=orders, pick=st.integers(0, 2))
        def refund_after_the_vendor_was_paid_out(self, order: uuid.UUID, pick: int) -> None:
            """The vendor withdrew everything, then a released hold is refunded: a debt."""
            found = self.order_of[order]
            hold_id = found.holds[pick % len(found.holds)]
            view = call(self._hold(hold_id))
            if view.status is not HoldStatus.RELEASED:
                return
            self.payout(self.vendors.index(view.vendor_id), 1.0, closed=False)
            left = (view.amount - view.refunded).amount
            call(self._refund(hold_id, max(1, left // 2), found))

        @rule(order=consumes(orders))
        def cancel(self, order: uuid.UUID) -> None:
            """Cancel what is still held of an order: refund each open hold in full."""
            found = self.order_of[order]
            for hold_id in found.holds:
                view = call(self._hold(hold_id))
                if view.held:
                    call(self._refund(hold_id, view.held.amount, found))

        @rule(vendor=st.integers(0, 2), share=st.sampled_from([0.5, 1.0]), closed=st.booleans())
        def payout(self, vendor: int, share: float, closed: bool) -> None:
            who = self.vendors[vendor]
            available = call(self._balance(AccountKind.VENDOR_AVAILABLE, who))
            if available == 0:
                return
            cmd = wallet.RequestPayout(
                vendor_id=who,
                amount=eur(max(1, int(available * share))),
                iban=CLOSED_IBAN if closed else GOOD_IBAN,
                key=str(uuid.uuid4()),
            )
            call(self._payout(cmd))
            call(run_due_jobs(runtime))
            call(wallet.payout_sender(runtime).drain())

        async def _payout(self, cmd: wallet.RequestPayout) -> None:
            async with runtime.uow() as uow:
                await wallet.request_payout(uow, cmd)
                await uow.commit()

        async def _balance(self, kind: AccountKind, owner: uuid.UUID | None) -> int:
            async with runtime.db.read() as session:
                account = await wallet.find_account(session, kind, owner, "EUR")
                return (await wallet.balance(session, account)).amount if account else 0

        @invariant()
        def books_balance(self) -> None:
            call(assert_books_balance(runtime))
            call(self._nothing_negative())

        async def _nothing_negative(self) -> None:
            async with runtime.db.read() as session:
                negative = await session.scalar(
                    select(func.count()).where(
                        Account.must_not_go_negative.is_(True), Account.balance < 0
                    )
                )
            assert negative == 0

        @invariant()
        def every_order_is_accounted_for(self) -> None:
            holds = call(self._all_holds())
            for order_id, order in self.order_of.items():
                mine = [h for h in holds if h.order_id == order_id]
                assert sum(h.amount for h in mine) == order.captured
                accounted = sum(
                    h.released_amount + h.commission_amount + h.refunded_amount + h.held_amount
                    for h in mine
                )
                assert accounted == order.captured

        async def _all_holds(self) -> list[EscrowHold]:
            async with runtime.db.read() as session:
                ids = list(self.order_of)
                return list(
                    await session.scalars(select(EscrowHold).where(EscrowHold.order_id.in_(ids)))
                )

        @invariant()
        def the_ledger_agrees_with_the_holds_and_the_wallets(self) -> None:
            call(self._agree())

        async def _agree(self) -> None:
            for buyer in self.buyers:
                assert await self._balance(AccountKind.BUYER_WALLET, buyer) == self.wallets[buyer]
            async with runtime.db.read() as session:
                for vendor in self.vendors:
                    holds = list(
                        await session.scalars(
                            select(EscrowHold).where(EscrowHold.vendor_id == vendor)
                        )
                    )
                    paid = await session.scalar(
                        select(func.coalesce(func.sum(Payout.amount), 0)).where(
                            Payout.vendor_id == vendor, Payout.status == "paid"
                        )
                    )
                    found = await wallet.vendor_balances(session, vendor, "EUR")
                    assert found.pending.amount == sum(h.held_amount for h in holds)
                    released = sum(h.released_amount for h in holds)
                    kept = found.available + found.in_transit - found.debt
                    assert kept.amount + int(paid or 0) == released
                commission = await session.scalar(
                    select(func.coalesce(func.sum(EscrowHold.commission_amount), 0))
                )
            earned = await self._balance(AccountKind.PLATFORM_COMMISSION, None)
            assert earned == int(commission or 0)

    return MoneyPaths


def test_money_is_conserved_whatever_buyers_vendors_and_the_clock_do(
    database_url: str, tmp_path: Path
) -> None:
    config = make_settings(
        database_url, tmp_path, gateway_retry_base_seconds=0, public_url="http://testserver"
    )
    clock = FakeClock()
    runtime = build_runtime(config, clock=clock)
    with asyncio.Runner() as runner:
        try:
            run_state_machine_as_test(
                machine_for(runtime, clock, runner.run),
                settings=settings(
                    max_examples=8,
                    stateful_step_count=30,
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow],
                ),
            )
            runner.run(assert_books_balance(runtime))
        finally:
            runner.run(runtime.aclose())

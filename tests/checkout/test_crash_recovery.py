"""A checkout whose process dies after any step ends consistent: completed, or fully undone.

Each test kills the saga with the fault hook after one step (or one compensation), starts a
new runtime on the same database (another process, knowing only what the database holds),
lets it recover the saga, and checks stock, payment, order, shipments and cart.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from emporium.bootstrap import build_runtime
from emporium.contexts import checkout, orders, payments, shipping
from emporium.contexts.payments.sandbox import SandboxPayment
from emporium.kernel import saga
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import FaultMoment, Phase, SimulatedCrash
from emporium.settings import Settings
from tests.support.auth import AuthedUser
from tests.support.cart import CartHandle
from tests.support.checkout import (
    Shop,
    filled_cart,
    method_id,
    order_body,
    payment_of,
    settle,
    stock,
)

LEASE = timedelta(seconds=61)  # a little past the settings' job lease
FORWARD = [step.name for step in checkout.PLACE_ORDER.steps]
UNDONE = [s.name for s in reversed(checkout.PLACE_ORDER.steps) if s.compensation is not None]
MOMENTS = [FaultMoment.AFTER_ACTION, FaultMoment.BEFORE_PERSIST, FaultMoment.AFTER_PERSIST]


@dataclass
class CrashAfter:
    """Kills the engine once, at one step, phase and moment."""

    step: str
    phase: Phase
    moment: FaultMoment
    fired: int = 0

    def __call__(self, saga_id: uuid.UUID, step: str, phase: Phase, moment: FaultMoment) -> None:
        if self.fired or (step, phase, moment) != (self.step, self.phase, self.moment):
            return
        self.fired += 1
        raise SimulatedCrash(f"killed after {step} {phase} {moment}")


@asynccontextmanager
async def another_process(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    runtime = build_runtime(settings, clock=clock)
    try:
        yield runtime
    finally:
        await runtime.aclose()


async def crash_and_recover(
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    client: httpx.AsyncClient,
    buyer: AuthedUser,
    cart: CartHandle,
    crash: CrashAfter,
    postal_code: str,
) -> tuple[checkout.CheckoutState, uuid.UUID]:
    body = order_body(cart, await method_id(client), postal_code=postal_code)
    cmd = checkout.StartCheckout(
        buyer_id=buyer.id,
        idempotency_key="crashing",
        cart_id=uuid.UUID(cart.id),
        address=body["shipping_address"],
        shipping_method_id=uuid.UUID(body["shipping_method_id"]),
        payment_method=checkout.PaymentChoice.CARD,
        token="tok_visa",
    )
    runtime.provide(saga.FAULT_HOOK, crash)
    with contextlib.suppress(SimulatedCrash):
        await checkout.start_checkout(runtime, cmd)
    assert crash.fired == 1

    clock.advance(LEASE)
    async with another_process(settings, clock) as second:
        await saga.recover(second)
        await settle(second)
        row = await checkout.start_checkout(second, cmd)  # the buyer's retry: the same checkout
    return checkout.CheckoutState(row.state), row.id


async def assert_completed(runtime: Runtime, shop: Shop, checkout_id: uuid.UUID) -> None:
    async with runtime.db.read() as session:
        placed = await orders.order_of_checkout(session, checkout_id)
        assert placed is not None
        order = await orders.get_order_view(session, placed.id)
        assert order is not None
        booked = [await shipping.shipment_of(session, f.id) for f in order.fulfillments]
    assert order.status == "confirmed"
    assert [b.status if b else None for b in booked] == [shipping.ShipmentStatus.PENDING] * 2
    payment = await payment_of(runtime, str(checkout_id))
    assert payment is not None and payment.status is payments.PaymentStatus.CAPTURED
    assert await stock(runtime, shop.variant(0)) == (4, 0)
    assert await stock(runtime, shop.variant(1)) == (3, 0)


async def assert_undone(runtime: Runtime, shop: Shop, checkout_id: uuid.UUID) -> None:
    async with runtime.db.read() as session:
        placed = await orders.order_of_checkout(session, checkout_id)
        order = await orders.get_order_view(session, placed.id) if placed else None
        booked = (
            [await shipping.shipment_of(session, f.id) for f in order.fulfillments] if order else []
        )
    assert order is None or order.status == "cancelled"
    assert all(b is None or b.status is shipping.ShipmentStatus.CANCELLED for b in booked)
    payment = await payment_of(runtime, str(checkout_id))
    assert payment is None or payment.status is payments.PaymentStatus.REFUNDED
    assert await stock(runtime, shop.variant(0)) == (5, 0)
    assert await stock(runtime, shop.variant(1)) == (5, 0)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("step", FORWARD)
async def test_a_crash_after_a_step_recovers_into_a_completed_order(
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    client: httpx.AsyncClient,
    shop: Shop,
    buyer: AuthedUser,
    step: str,
    moment: FaultMoment,
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])

    state, checkout_id = await crash_and_recover(
        runtime,
        settings,
        clock,
        client,
        buyer,
        cart,
        CrashAfter(step, Phase.FORWARD, moment),
        "10115",
    )

    assert state is checkout.CheckoutState.COMPLETED
    await assert_completed(runtime, shop, checkout_id)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("step", UNDONE)
async def test_a_crash_after_a_compensation_recovers_into_a_fully_undone_checkout(
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    client: httpx.AsyncClient,
    shop: Shop,
    buyer: AuthedUser,
    step: str,
    moment: FaultMoment,
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])
    crash = CrashAfter(step, Phase.COMPENSATE, moment)

    state, checkout_id = await crash_and_recover(
        runtime, settings, clock, client, buyer, cart, crash, "99999"
    )

    assert state is checkout.CheckoutState.FAILED
    await assert_undone(runtime, shop, checkout_id)


async def test_a_crash_between_the_charge_and_our_record_of_it_charges_once(
    runtime: Runtime,
    settings: Settings,
    clock: FakeClock,
    client: httpx.AsyncClient,
    shop: Shop,
    buyer: AuthedUser,
) -> None:
    cart = await filled_cart(client, buyer, [(shop.variant(0), 1), (shop.variant(1), 2)])

    def cut_off(moment: str) -> None:
        if moment == "after_gateway_call":
            raise SimulatedCrash("killed after the gateway charged the card")

    runtime.provide(payments.FAULT, cut_off)
    never = CrashAfter("none", Phase.FORWARD, FaultMoment.AFTER_ACTION, fired=1)  # saga's own

    state, checkout_id = await crash_and_recover(
        runtime, settings, clock, client, buyer, cart, never, "10115"
    )

    assert state is checkout.CheckoutState.COMPLETED
    await assert_completed(runtime, shop, checkout_id)
    async with runtime.db.read() as session:
        charged = await session.scalar(select(func.count()).select_from(SandboxPayment))
    assert charged == 1

"""One key, one charge: retries, crashes and concurrent calls never charge a card twice."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from emporium.bootstrap import build_runtime
from emporium.contexts import payments
from emporium.contexts.payments import PaymentStatus
from emporium.contexts.payments.errors import KeyReused
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.payments.builders import EUR_50, pay, sandbox_charges
from tests.support.webhooks import events_of


class SimulatedCrash(Exception):
    """The process "dies" here: nothing after this point runs."""


async def test_the_same_key_charges_once(runtime: Runtime) -> None:
    owner = uuid.uuid4()
    first = await pay(runtime, owner_id=owner)
    again = await pay(runtime, owner_id=owner)
    assert again == first
    assert await sandbox_charges(runtime) == 1
    assert len(await events_of(runtime, "payments.payment_captured")) == 1


async def test_a_crash_after_the_charge_is_retried_without_a_second_charge(
    runtime: Runtime,
) -> None:
    def crash(moment: str) -> None:
        raise SimulatedCrash(moment)

    runtime.provide(payments.FAULT, crash)
    owner = uuid.uuid4()
    with pytest.raises(SimulatedCrash):
        await pay(runtime, owner_id=owner)
    async with runtime.db.read() as session:
        interrupted = await payments.payment_for(session, owner)
    assert interrupted is not None and interrupted.status is PaymentStatus.PENDING
    assert await sandbox_charges(runtime) == 1

    # Another process, knowing only the database, retries the same step with the same key.
    restarted = build_runtime(runtime.settings, clock=runtime.clock)
    try:
        outcome = await pay(restarted, owner_id=owner)
    finally:
        await restarted.db.dispose()
    assert outcome.status is PaymentStatus.CAPTURED
    assert outcome.id == interrupted.id
    assert await sandbox_charges(runtime) == 1
    assert len(await events_of(runtime, "payments.payment_captured")) == 1


async def test_concurrent_calls_with_one_key_charge_once(runtime: Runtime) -> None:
    owner = uuid.uuid4()
    outcomes = await asyncio.gather(*(pay(runtime, owner_id=owner) for _ in range(4)))
    assert {o.id for o in outcomes} == {outcomes[0].id}
    assert {o.status for o in outcomes} == {PaymentStatus.CAPTURED}
    assert await sandbox_charges(runtime) == 1
    assert len(await events_of(runtime, "payments.payment_captured")) == 1


async def test_a_key_reused_for_another_amount_is_refused(runtime: Runtime) -> None:
    owner = uuid.uuid4()
    await pay(runtime, owner_id=owner, amount=EUR_50)
    with pytest.raises(KeyReused):
        await pay(runtime, owner_id=owner, amount=Money(9900, "EUR"))
    assert await sandbox_charges(runtime) == 1

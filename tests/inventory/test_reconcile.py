"""Reconciliation finds reserved counters that disagree with their holds, and repairs them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from emporium import cli
from emporium.contexts import inventory
from emporium.contexts.inventory.models import InventoryItem
from emporium.kernel import jobs
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.inventory.builders import events, hold, status, stock, stock_item


async def _corrupt(runtime: Runtime, variant_id: uuid.UUID, reserved: int) -> None:
    """What a hand-written SQL fix or a bug might do to the counter."""
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(InventoryItem)
            .where(InventoryItem.variant_id == variant_id)
            .values(reserved=reserved)
        )
        await uow.commit()


def _drift_count(runtime: Runtime, repaired: str) -> float:
    value = runtime.metrics.registry.get_sample_value(
        "emporium_inventory_reservation_drift_total", {"repaired": repaired}
    )
    return value or 0.0


async def test_a_corrupted_counter_is_repaired_and_reported(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=10)
    await hold(runtime, variant_id, 2)
    await _corrupt(runtime, variant_id, 7)
    report = await inventory.run_reconcile(runtime)
    assert [(d.counter, d.actual, d.repaired) for d in report.drifts] == [(7, 2, True)]
    assert (await stock(runtime, variant_id)).reserved == 2
    (drift,) = await events(runtime, "inventory.reservation_drift_detected")
    assert drift == {"variant_id": str(variant_id), "counter": 7, "actual": 2, "repaired": True}
    assert _drift_count(runtime, "true") == 1


async def test_consistent_counters_are_left_alone(runtime: Runtime) -> None:
    variant_id = await stock_item(runtime, on_hand=10)
    await hold(runtime, variant_id, 2)
    report = await inventory.run_reconcile(runtime)
    assert report.drifts == []
    assert await events(runtime, "inventory.reservation_drift_detected") == []


async def test_a_counter_that_on_hand_cannot_cover_is_reported_not_repaired(
    runtime: Runtime,
) -> None:
    variant_id = await stock_item(runtime, on_hand=3)
    await hold(runtime, variant_id, 3)
    await _corrupt(runtime, variant_id, 0)
    async with runtime.uow() as uow:  # ... and someone lowers on_hand behind the holds' back
        await uow.session.execute(
            update(InventoryItem).where(InventoryItem.variant_id == variant_id).values(on_hand=1)
        )
        await uow.commit()
    report = await inventory.run_reconcile(runtime)
    assert [(d.counter, d.actual, d.repaired) for d in report.drifts] == [(0, 3, False)]
    assert (await stock(runtime, variant_id)).reserved == 0
    assert _drift_count(runtime, "false") == 1


async def test_overdue_holds_are_expired_first(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime, on_hand=3)
    held = await hold(runtime, variant_id, 3, ttl_seconds=60)
    clock.advance(minutes=5)
    report = await inventory.run_reconcile(runtime)
    assert (report.expired, report.drifts) == (1, [])
    assert await status(runtime, held.id) == "expired"
    assert (await stock(runtime, variant_id)).reserved == 0


async def test_the_daily_job_reconciles(runtime: Runtime, clock: FakeClock) -> None:
    variant_id = await stock_item(runtime, on_hand=10)
    await _corrupt(runtime, variant_id, 4)
    await jobs.ensure_registered_recurring(runtime)
    clock.advance(timedelta(days=1))
    await jobs.run_due_jobs(runtime)
    assert runtime.metrics.registry.get_sample_value(
        "emporium_jobs_run_total", {"kind": "inventory.reconcile", "outcome": "done"}
    )
    assert (await stock(runtime, variant_id)).reserved == 0
    assert _drift_count(runtime, "true") == 1


async def test_the_cli_reconciles_on_demand(
    runtime: Runtime,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    variant_id = await stock_item(runtime, on_hand=10)
    await _corrupt(runtime, variant_id, 4)
    monkeypatch.setenv("EMPORIUM_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EMPORIUM_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("EMPORIUM_MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setenv("EMPORIUM_SEARCH_INDEX_DIR", str(settings.search_index_dir))
    # The CLI runs its own event loop, as it does from a shell.
    exit_code = await asyncio.to_thread(cli.main, ["inventory", "reconcile"])
    assert exit_code == 0
    assert f"variant {variant_id}: reserved 4 -> 0 repaired" in capsys.readouterr().out
    assert (await stock(runtime, variant_id)).reserved == 0

"""Reconciliation: every item's `reserved` counter checked against the holds it stands for.

The counter is a cache of `SUM(quantity) WHERE status = 'active'`, kept in step by the same
transactions that change the holds. Nothing should ever make them differ, but a manual SQL
fix, a restore or a bug could (Medusa's counters went negative in #12401), so a daily job and
`emporium inventory reconcile` expire overdue holds, then find the items whose counter
differs in one consistent read, and repair each under its row lock: an event
`inventory.reservation_drift_detected` and a metric count every mismatch.

A counter is repaired only while on_hand still covers the holds (the database refuses
anything else); otherwise the drift is reported unrepaired for a person to look at.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import func, select

from emporium.contexts.inventory import counter
from emporium.contexts.inventory.events import ReservationDriftDetected
from emporium.contexts.inventory.expire import expire_overdue
from emporium.contexts.inventory.models import (
    InventoryItem,
    Reservation,
    ReservationStatus,
    StockMovement,
)
from emporium.kernel.ids import new_id
from emporium.kernel.metrics import Metrics
from emporium.kernel.registry import JobHandler
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.inventory")

RECONCILE_JOB = "inventory.reconcile"
DRIFT_METRIC = "emporium_inventory_reservation_drift_total"


@dataclass(frozen=True)
class Drift:
    variant_id: uuid.UUID
    counter: int
    actual: int
    repaired: bool


@dataclass(frozen=True)
class ReconcileReport:
    expired: int = 0
    drifts: list[Drift] = field(default_factory=list)


async def reconcile(uow: UnitOfWork) -> ReconcileReport:
    """Expire overdue holds, then make each drifted counter equal its active holds' sum."""
    session = uow.session
    overdue = await session.scalars(
        select(Reservation.variant_id)
        .where(
            Reservation.status == ReservationStatus.ACTIVE,
            Reservation.expires_at <= uow.clock.now(),
        )
        .distinct()
    )
    suspects = set(overdue) | set(await session.scalars(_drifted()))
    expired, drifts = 0, []
    # One variant after another in id order: the order every multi-variant writer locks in.
    for variant_id in sorted(suspects):
        await counter.locked(uow, variant_id)
        expired += len(await expire_overdue(uow, variant_id))
        drift = await _repair(uow, variant_id)
        if drift is not None:
            drifts.append(drift)
    return ReconcileReport(expired=expired, drifts=drifts)


async def run_reconcile(runtime: Runtime) -> ReconcileReport:
    """Reconcile in one transaction and count the drifts (the CLI and tests)."""
    async with runtime.uow() as uow:
        report = await reconcile(uow)
        await uow.commit()
    _count(runtime.metrics, report)
    return report


def reconcile_job(metrics: Metrics) -> JobHandler:
    """The handler of the daily reconciliation job."""

    async def handle(payload: dict[str, Any], uow: UnitOfWork) -> None:
        _count(metrics, await reconcile(uow))

    return handle


def _drifted() -> Any:
    held = (
        select(Reservation.variant_id, func.sum(Reservation.quantity).label("total"))
        .where(Reservation.status == ReservationStatus.ACTIVE)
        .group_by(Reservation.variant_id)
        .subquery()
    )
    return (
        select(InventoryItem.variant_id)
        .outerjoin(held, held.c.variant_id == InventoryItem.variant_id)
        .where(InventoryItem.reserved != func.coalesce(held.c.total, 0))
    )


async def _repair(uow: UnitOfWork, variant_id: uuid.UUID) -> Drift | None:
    item = await counter.locked(uow, variant_id)
    if item is None:
        return None
    actual = int(
        await uow.session.scalar(
            select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
                Reservation.variant_id == variant_id,
                Reservation.status == ReservationStatus.ACTIVE,
            )
        )
        or 0
    )
    if actual == item.reserved:
        return None
    repaired = actual <= item.on_hand
    if repaired:
        await counter.overwrite(uow, item, actual)
        uow.session.add(
            StockMovement(
                id=new_id(),
                variant_id=variant_id,
                location_id=None,
                kind="reconcile",
                reason="reserved counter repaired from active reservations",
                actor="system:reconcile",
                on_hand_before=item.on_hand,
                on_hand_after=item.on_hand,
                reserved_before=item.reserved,
                reserved_after=actual,
                created_at=uow.clock.now(),
            )
        )
    uow.record(
        ReservationDriftDetected(
            variant_id=variant_id, counter=item.reserved, actual=actual, repaired=repaired
        )
    )
    log.warning(
        "reservation_drift_detected",
        variant_id=str(variant_id),
        counter=item.reserved,
        actual=actual,
        repaired=repaired,
    )
    return Drift(variant_id, item.reserved, actual, repaired)


def _count(metrics: Metrics, report: ReconcileReport) -> None:
    drift = metrics.counter(
        DRIFT_METRIC,
        "Reserved counters found different from their active reservations",
        ("repaired",),
    )
    for found in report.drifts:
        drift.labels(str(found.repaired).lower()).inc()

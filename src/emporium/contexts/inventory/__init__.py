"""Inventory: stock per variant (summed over locations), reservations, history.

The public facade other contexts may use. Functions taking a unit of work never commit:
the caller does, so a reservation commits with the cart line or checkout it belongs to.

Reservations, in short (docs/inventory.md has the whole story):
- `reserve`/`reserve_many` take stock with one conditional UPDATE of the item's counter
  (409 INSUFFICIENT_INVENTORY when it does not match), after reclaiming overdue holds;
- a hold is guaranteed until `expires_at`; a durable timer then expires it, and any later
  reserve of the same variant reclaims it if the timer is late;
- `release`, `expire`, `consume` are guarded by `status = 'active'`: the units come back
  (or are sold) exactly once, whoever wins a race;
- `consume` makes the hold an order allocation: `on_hand` and `reserved` both drop (sold);
  `restock` puts sold units back when an order is cancelled or returned.
"""

from __future__ import annotations

from emporium.contexts.inventory.bulk import bulk_create_items, default_locations, new_item_rows
from emporium.contexts.inventory.consume import consume
from emporium.contexts.inventory.errors import (
    InsufficientInventory,
    ReservationNotActive,
    ReservationNotFound,
)
from emporium.contexts.inventory.expire import expire, expire_job
from emporium.contexts.inventory.extend import extend
from emporium.contexts.inventory.holds import EXPIRY_JOB, ReservationView
from emporium.contexts.inventory.models import ReservationStatus
from emporium.contexts.inventory.queries import (
    Availability,
    availability,
    has_stock,
    in_stock_variant_ids,
    reservations,
    reservations_of,
    stock_rows,
)
from emporium.contexts.inventory.reconcile import (
    RECONCILE_JOB,
    ReconcileReport,
    reconcile,
    reconcile_job,
    run_reconcile,
)
from emporium.contexts.inventory.release import release
from emporium.contexts.inventory.reserve import ReserveLine, reserve, reserve_many
from emporium.contexts.inventory.resize import resize
from emporium.contexts.inventory.restock import restock
from emporium.contexts.inventory.stock import AdjustStock, adjust_stock, create_item
from emporium.contexts.inventory.transfer import merge_reservations, transfer
from emporium.kernel import jobs
from emporium.kernel.recurrence import DailyAt
from emporium.kernel.runtime import Runtime

__all__ = [
    "AdjustStock",
    "Availability",
    "InsufficientInventory",
    "ReconcileReport",
    "ReservationNotActive",
    "ReservationNotFound",
    "ReservationStatus",
    "ReservationView",
    "ReserveLine",
    "adjust_stock",
    "availability",
    "bulk_create_items",
    "consume",
    "create_item",
    "default_locations",
    "expire",
    "extend",
    "has_stock",
    "in_stock_variant_ids",
    "merge_reservations",
    "new_item_rows",
    "reconcile",
    "release",
    "reservations",
    "reservations_of",
    "reserve",
    "reserve_many",
    "resize",
    "restock",
    "run_reconcile",
    "stock_rows",
    "transfer",
    "wire",
]


def wire(runtime: Runtime) -> None:
    """Register the expiry timer's handler and the daily reconciliation (04:15 UTC)."""
    runtime.jobs.add(EXPIRY_JOB, expire_job)
    runtime.jobs.add(RECONCILE_JOB, reconcile_job(runtime.metrics))
    jobs.register_recurring(runtime, kind=RECONCILE_JOB, every=DailyAt(4, 15))

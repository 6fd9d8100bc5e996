"""Bulk creation of stock items for imports and demo data (same rows, one statement per batch)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.inventory.models import (
    InventoryItem,
    StockLevel,
    StockLocation,
    StockMovement,
)
from emporium.contexts.inventory.stock import DEFAULT_LOCATION
from emporium.kernel.bulk import bulk_insert
from emporium.kernel.db import table_of
from emporium.kernel.ids import new_id


async def default_locations(
    session: AsyncSession, vendor_ids: set[uuid.UUID], now: datetime
) -> dict[uuid.UUID, uuid.UUID]:
    """Each vendor's default stock location, created where it is missing."""
    rows = await session.execute(
        select(StockLocation.vendor_id, StockLocation.id).where(
            StockLocation.vendor_id.in_(vendor_ids), StockLocation.code == DEFAULT_LOCATION
        )
    )
    found: dict[uuid.UUID, uuid.UUID] = {vendor_id: location_id for vendor_id, location_id in rows}
    missing = {v: new_id() for v in vendor_ids if v not in found}
    if missing:
        await session.execute(
            insert(StockLocation),
            [
                {
                    "id": location_id,
                    "vendor_id": vendor_id,
                    "code": DEFAULT_LOCATION,
                    "name": "Default",
                    "created_at": now,
                }
                for vendor_id, location_id in missing.items()
            ],
        )
        found.update(missing)
    return found


async def bulk_create_items(
    session: AsyncSession, rows: list[dict[str, Any]], *, now: datetime
) -> None:
    """rows: variant_id, product_id, vendor_id, is_unique, on_hand (at the default location)."""
    if not rows:
        return
    locations = await default_locations(session, {r["vendor_id"] for r in rows}, now)
    for table, table_rows in new_item_rows(rows, locations, now=now):
        await bulk_insert(session, table, table_rows)


def new_item_rows(
    rows: list[dict[str, Any]], locations: dict[uuid.UUID, uuid.UUID], *, now: datetime
) -> list[tuple[Table, list[dict[str, Any]]]]:
    """The item, level and movement rows of new items, by table, in insertion order.

    locations: each vendor's default location (default_locations). Pure, so a bulk load
    may build the rows in a worker process.
    """
    stocked = [r for r in rows if r["on_hand"]]
    items = [{**r, "reserved": 0, "low_stock_threshold": 0, "updated_at": now} for r in rows]
    levels = [
        {
            "variant_id": r["variant_id"],
            "location_id": locations[r["vendor_id"]],
            "on_hand": r["on_hand"],
        }
        for r in stocked
    ]
    movements = [
        {
            "id": new_id(),
            "variant_id": r["variant_id"],
            "location_id": locations[r["vendor_id"]],
            "kind": "adjust",
            "reason": "initial stock",
            "actor": "import",
            "on_hand_before": 0,
            "on_hand_after": r["on_hand"],
            "reserved_before": 0,
            "reserved_after": 0,
            "created_at": now,
        }
        for r in stocked
    ]
    tables = [
        (table_of(InventoryItem), items),
        (table_of(StockLevel), levels),
        (table_of(StockMovement), movements),
    ]
    return [(table, table_rows) for table, table_rows in tables if table_rows]

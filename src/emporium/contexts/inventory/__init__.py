"""Inventory: stock per variant (summed over locations), reservations, history.

The public facade other contexts may use.
"""

from __future__ import annotations

from emporium.contexts.inventory.bulk import bulk_create_items
from emporium.contexts.inventory.errors import InsufficientInventory
from emporium.contexts.inventory.queries import (
    Availability,
    availability,
    has_stock,
    in_stock_variant_ids,
    stock_rows,
)
from emporium.contexts.inventory.stock import AdjustStock, adjust_stock, create_item

__all__ = [
    "AdjustStock",
    "Availability",
    "InsufficientInventory",
    "adjust_stock",
    "availability",
    "bulk_create_items",
    "create_item",
    "has_stock",
    "in_stock_variant_ids",
    "stock_rows",
]

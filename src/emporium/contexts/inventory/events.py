"""Events the inventory publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(DomainEvent):
    type = "inventory.stock_adjusted"
    aggregate_type = "inventory_item"
    aggregate_field = "variant_id"
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    on_hand_before: int
    on_hand_after: int
    reserved: int
    reason: str
    actor: str | None


@dataclass(frozen=True, kw_only=True)
class LowStockDetected(DomainEvent):
    type = "inventory.low_stock_detected"
    aggregate_type = "inventory_item"
    aggregate_field = "variant_id"
    variant_id: uuid.UUID
    vendor_id: uuid.UUID
    available: int
    threshold: int


@dataclass(frozen=True, kw_only=True)
class OutOfStock(DomainEvent):
    type = "inventory.out_of_stock"
    aggregate_type = "inventory_item"
    aggregate_field = "variant_id"
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class BackInStock(DomainEvent):
    type = "inventory.back_in_stock"
    aggregate_type = "inventory_item"
    aggregate_field = "variant_id"
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    available: int

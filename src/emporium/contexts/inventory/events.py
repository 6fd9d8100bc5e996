"""Events the inventory publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True, kw_only=True)
class ReservationEvent(DomainEvent):
    """What every reservation event says about the hold."""

    aggregate_type = "inventory_reservation"
    aggregate_field = "reservation_id"
    reservation_id: uuid.UUID
    variant_id: uuid.UUID
    owner_type: str
    owner_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, kw_only=True)
class StockReserved(ReservationEvent):
    type = "inventory.reserved"
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReservationReleased(ReservationEvent):
    type = "inventory.released"
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReservationExpired(ReservationEvent):
    type = "inventory.reservation_expired"
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReservationConsumed(ReservationEvent):
    """The hold became an order allocation: the units left on_hand."""

    type = "inventory.consumed"


@dataclass(frozen=True, kw_only=True)
class ReservationExtended(ReservationEvent):
    type = "inventory.reservation_extended"
    expires_at_before: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReservationResized(ReservationEvent):
    type = "inventory.reservation_resized"
    quantity_before: int


@dataclass(frozen=True, kw_only=True)
class ReservationTransferred(ReservationEvent):
    """The hold moved to another owner (a guest's cart line joined the buyer's cart)."""

    type = "inventory.reservation_transferred"
    previous_owner_type: str
    previous_owner_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReservationMerged(ReservationEvent):
    """This hold's units now belong to another hold of the same variant; no stock moved."""

    type = "inventory.reservation_merged"
    into_reservation_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReservationDriftDetected(DomainEvent):
    """The item's reserved counter disagreed with its active reservations."""

    type = "inventory.reservation_drift_detected"
    aggregate_type = "inventory_item"
    aggregate_field = "variant_id"
    variant_id: uuid.UUID
    counter: int
    actual: int
    repaired: bool

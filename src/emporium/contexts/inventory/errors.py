"""Inventory errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import Conflict, InvalidStateTransition, NotFound, ValidationFailed


class InsufficientInventory(Conflict):
    code = "INSUFFICIENT_INVENTORY"
    default_message = "Not enough inventory for product variant"


class StockBelowReserved(Conflict):
    default_message = "Stock cannot drop below what is reserved in carts and orders"


class UniqueItemOverstocked(ValidationFailed):
    default_message = "A unique item has a quantity of at most 1"


class InventoryItemNotFound(NotFound):
    default_message = "Variant not found"


class ReservationNotFound(NotFound):
    default_message = "Reservation not found"


class ReservationNotActive(InvalidStateTransition):
    default_message = "The reservation is no longer active"

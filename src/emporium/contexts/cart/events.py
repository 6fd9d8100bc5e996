"""Events the cart publishes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from emporium.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CartCreated(DomainEvent):
    type = "cart.created"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    user_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CartLineEvent(DomainEvent):
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    item_id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, kw_only=True)
class CartItemAdded(CartLineEvent):
    type = "cart.item_added"
    reservation_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CartItemUpdated(CartLineEvent):
    type = "cart.item_updated"
    quantity_before: int
    reservation_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CartItemRemoved(CartLineEvent):
    type = "cart.item_removed"


@dataclass(frozen=True, kw_only=True)
class CartMerged(DomainEvent):
    """A guest cart's lines joined the buyer's cart (or the cart became the buyer's)."""

    type = "cart.merged"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    into_cart_id: uuid.UUID
    user_id: uuid.UUID
    moved_items: int
    conflicts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class CartDiscountCodeAdded(DomainEvent):
    type = "cart.discount_code_added"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    code: str


@dataclass(frozen=True, kw_only=True)
class CartDiscountCodeRemoved(DomainEvent):
    type = "cart.discount_code_removed"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    code: str


@dataclass(frozen=True, kw_only=True)
class CartBundleAdded(DomainEvent):
    type = "cart.bundle_added"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    bundle_id: uuid.UUID
    bundle_group_id: uuid.UUID
    item_ids: list[uuid.UUID]
    reservation_ids: list[uuid.UUID]


@dataclass(frozen=True, kw_only=True)
class CartConverted(DomainEvent):
    type = "cart.converted"
    aggregate_type = "cart"
    aggregate_field = "cart_id"
    cart_id: uuid.UUID
    order_id: uuid.UUID

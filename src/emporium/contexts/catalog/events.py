"""Events the catalog publishes (past tense). Vendor events keep the contract's `vendor.*` names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from emporium.kernel.events import DomainEvent
from emporium.kernel.money import Money


@dataclass(frozen=True, kw_only=True)
class VendorRegistered(DomainEvent):
    type = "vendor.registered"
    aggregate_type = "vendor"
    id: uuid.UUID
    name: str
    owner_user_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class VendorApproved(DomainEvent):
    type = "vendor.approved"
    aggregate_type = "vendor"
    id: uuid.UUID
    name: str


@dataclass(frozen=True, kw_only=True)
class VendorSuspended(DomainEvent):
    type = "vendor.suspended"
    aggregate_type = "vendor"
    id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class VendorUpdated(DomainEvent):
    type = "vendor.updated"
    aggregate_type = "vendor"
    id: uuid.UUID
    changes: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    type = "catalog.product_created"
    aggregate_type = "product"
    id: uuid.UUID
    vendor_id: uuid.UUID
    slug: str
    title: str


@dataclass(frozen=True, kw_only=True)
class ProductUpdated(DomainEvent):
    type = "catalog.product_updated"
    aggregate_type = "product"
    id: uuid.UUID
    vendor_id: uuid.UUID
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ProductPublished(DomainEvent):
    type = "catalog.product_published"
    aggregate_type = "product"
    id: uuid.UUID
    vendor_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ProductArchived(DomainEvent):
    type = "catalog.product_archived"
    aggregate_type = "product"
    id: uuid.UUID
    vendor_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class VariantAdded(DomainEvent):
    type = "catalog.variant_added"
    aggregate_type = "product"
    aggregate_field = "product_id"
    id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str
    price: Money
    unique: bool


@dataclass(frozen=True, kw_only=True)
class VariantUpdated(DomainEvent):
    type = "catalog.variant_updated"
    aggregate_type = "product"
    aggregate_field = "product_id"
    id: uuid.UUID
    product_id: uuid.UUID
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PriceChanged(DomainEvent):
    type = "catalog.price_changed"
    aggregate_type = "product"
    aggregate_field = "product_id"
    variant_id: uuid.UUID
    product_id: uuid.UUID
    old_price: Money
    new_price: Money


@dataclass(frozen=True, kw_only=True)
class CategoryChanged(DomainEvent):
    type = "catalog.category_changed"
    aggregate_type = "category"
    id: uuid.UUID
    slug: str
    name: str
    parent_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class CollectionChanged(DomainEvent):
    type = "catalog.collection_changed"
    aggregate_type = "collection"
    id: uuid.UUID
    slug: str
    deleted: bool = False


# Every event after which a product's store view or search document may differ.
PRODUCT_VIEW_EVENTS = (
    ProductCreated.type,
    ProductUpdated.type,
    ProductPublished.type,
    ProductArchived.type,
    VariantAdded.type,
    VariantUpdated.type,
    PriceChanged.type,
    VendorApproved.type,
    VendorSuspended.type,
    VendorUpdated.type,
    CategoryChanged.type,
)

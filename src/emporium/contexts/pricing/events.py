"""Events the pricing context publishes (past tense)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from emporium.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class VatRateChanged(DomainEvent):
    type = "pricing.vat_rate_changed"
    aggregate_type = "vat_rate"
    aggregate_field = "country"
    country: str
    tax_category: str
    old_rate: Decimal | None
    new_rate: Decimal


@dataclass(frozen=True, kw_only=True)
class CustomerGroupChanged(DomainEvent):
    """A group was created, renamed or deleted (`deleted`)."""

    type = "pricing.customer_group_changed"
    aggregate_type = "customer_group"
    id: uuid.UUID
    name: str
    deleted: bool = False


@dataclass(frozen=True, kw_only=True)
class CustomersGrouped(DomainEvent):
    """Customers joined (group_id) or left (group_id None) a group."""

    type = "pricing.customers_grouped"
    aggregate_type = "customer_group"
    aggregate_field = "changed_group_id"
    changed_group_id: uuid.UUID
    group_id: uuid.UUID | None
    customer_ids: list[uuid.UUID]


@dataclass(frozen=True, kw_only=True)
class PriceListChanged(DomainEvent):
    """A list's terms or entries changed, or it was deleted; `changed` names what."""

    type = "pricing.price_list_changed"
    aggregate_type = "price_list"
    id: uuid.UUID
    changed: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass(frozen=True, kw_only=True)
class DiscountRuleChanged(DomainEvent):
    """A rule was created, edited or deleted; `values` are the fields as they now stand."""

    type = "pricing.discount_rule_changed"
    aggregate_type = "discount_rule"
    id: uuid.UUID
    values: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False


@dataclass(frozen=True, kw_only=True)
class _RedemptionFact(DomainEvent):
    aggregate_type = "discount_rule"
    aggregate_field = "rule_id"
    rule_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class DiscountRedeemed(_RedemptionFact):
    type = "pricing.discount_redeemed"


@dataclass(frozen=True, kw_only=True)
class DiscountRedemptionReleased(_RedemptionFact):
    type = "pricing.discount_redemption_released"


@dataclass(frozen=True, kw_only=True)
class BundleChanged(DomainEvent):
    type = "pricing.bundle_changed"
    aggregate_type = "bundle"
    id: uuid.UUID
    title: str
    deleted: bool = False

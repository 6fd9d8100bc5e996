"""What the pricing engine is given: lines, customer, codes, and the loaded lists and rules.

Plain frozen values and no database: `engine.price` is a pure function of a PricingInput.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from emporium.kernel.money import Money


@dataclass(frozen=True)
class PricingLine:
    """One cart or order line as pricing sees it.

    Lines of a chosen bundle carry the bundle's id and their share of its price
    (`bundle_amount`, for the whole line): that share is their price before discounts.
    """

    id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    quantity: int
    unit_price: Money  # the catalog's gross (VAT-inclusive) price
    tax_category: str
    category_ids: frozenset[uuid.UUID] = frozenset()  # the product's category and its ancestors
    collection_ids: frozenset[uuid.UUID] = frozenset()
    bundle_id: uuid.UUID | None = None
    bundle_amount: Money | None = None

    @property
    def in_bundle(self) -> bool:
        return self.bundle_id is not None


@dataclass(frozen=True)
class Customer:
    id: uuid.UUID | None = None  # None: a guest
    group_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PriceList:
    """A price list's terms: for whom (a group, or everyone), in what currency, when."""

    id: uuid.UUID
    name: str
    currency: str
    customer_group_id: uuid.UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    active: bool = True


@dataclass(frozen=True)
class PriceEntry:
    """A variant's price in a list, from a minimum quantity on (a quantity break)."""

    price_list: PriceList
    variant_id: uuid.UUID
    price: Money
    min_quantity: int = 1


class RuleKind(StrEnum):
    FIXED = "fixed"  # an amount off the matching items, once per order
    PERCENTAGE = "percentage"  # a percentage off the matching items
    BUY_X_GET_Y = "buy_x_get_y"  # for every X+Y matching units, the cheapest Y free or cheaper
    TIERED = "tiered"  # the highest spend or quantity threshold reached sets amount or %
    CART = "cart"  # an amount or a percentage off the whole order
    FREE_SHIPPING = "free_shipping"


class TierBasis(StrEnum):
    SPEND = "spend"  # thresholds in minor units of the matching items' subtotal
    QUANTITY = "quantity"  # thresholds in matching units


@dataclass(frozen=True)
class Tier:
    threshold: int
    amount: Money | None = None
    percent: Decimal | None = None


@dataclass(frozen=True)
class Conditions:
    """Which lines a rule is about and who may have it.

    A line matches when it passes every non-empty item condition (products, categories,
    collections, vendors); within one condition any listed id will do.
    """

    product_ids: frozenset[uuid.UUID] = frozenset()
    category_ids: frozenset[uuid.UUID] = frozenset()
    collection_ids: frozenset[uuid.UUID] = frozenset()
    vendor_ids: frozenset[uuid.UUID] = frozenset()
    customer_group_ids: frozenset[uuid.UUID] = frozenset()
    min_subtotal: Money | None = None

    @property
    def names_items(self) -> bool:
        return bool(self.product_ids or self.category_ids or self.collection_ids or self.vendor_ids)

    def matches(self, line: PricingLine) -> bool:
        """Whether the line passes every item condition."""
        return (
            (not self.product_ids or line.product_id in self.product_ids)
            and (not self.category_ids or bool(self.category_ids & line.category_ids))
            and (not self.collection_ids or bool(self.collection_ids & line.collection_ids))
            and (not self.vendor_ids or line.vendor_id in self.vendor_ids)
        )


@dataclass(frozen=True)
class DiscountRule:
    """A discount rule with the usage counts that concern this customer."""

    id: uuid.UUID
    name: str
    kind: RuleKind
    amount: Money | None = None
    percent: Decimal | None = None  # 0 < percent <= 100
    buy_quantity: int | None = None
    get_quantity: int | None = None
    tier_basis: TierBasis | None = None
    tiers: tuple[Tier, ...] = ()
    conditions: Conditions = field(default_factory=Conditions)
    vendor_id: uuid.UUID | None = None  # a vendor's own rule: only that vendor's lines match
    priority: int = 0
    exclusive: bool = False
    code: str | None = None  # None: automatic
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    active: bool = True
    usage_limit: int | None = None
    used: int = 0
    usage_limit_per_customer: int | None = None
    customer_uses: int = 0

    @property
    def names_items(self) -> bool:
        """Whether the rule is about some items rather than the whole order."""
        return self.conditions.names_items or self.vendor_id is not None

    def matches(self, line: PricingLine) -> bool:
        if self.vendor_id is not None and line.vendor_id != self.vendor_id:
            return False
        return self.conditions.matches(line)

    def amounts(self) -> list[Money]:
        """Every amount the rule names (they must all be in the cart's currency)."""
        named = [self.amount, self.conditions.min_subtotal, *(t.amount for t in self.tiers)]
        return [m for m in named if m is not None]


def money_sum(amounts: Iterable[Money], currency: str) -> Money:
    """The sum of amounts already known to be in currency (the engine checks its input once).

    Summing the minor units and making one Money is what keeps the engine fast: adding
    Money objects one by one makes and checks a new object at every step.
    """
    return Money(sum(m.amount for m in amounts), currency)


def normalize_code(code: str) -> str:
    """Discount codes compare case-insensitively: kept and looked up in upper case."""
    return code.strip().upper()


@dataclass(frozen=True)
class PricingInput:
    """Everything one pricing depends on; the same input always gives the same result."""

    currency: str
    lines: tuple[PricingLine, ...]
    country: str
    shipping: Money
    now: datetime
    vat_rates: Mapping[str, Decimal]  # by tax category, for the destination country
    customer: Customer = field(default_factory=Customer)
    codes: frozenset[str] = frozenset()
    rules: tuple[DiscountRule, ...] = ()
    price_entries: tuple[PriceEntry, ...] = ()
    # Lines the caller asked about that cannot be priced now (unknown or unpurchasable variant).
    unpriced_line_ids: tuple[uuid.UUID, ...] = ()

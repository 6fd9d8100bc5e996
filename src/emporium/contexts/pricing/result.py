"""What the pricing engine answers: priced lines, totals, and why each list and rule did or not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from emporium.contexts.pricing.terms import RuleKind
from emporium.kernel.money import Money


class Reason(StrEnum):
    """Why a discount rule did not apply (the `details.reason` of DISCOUNT_NOT_APPLICABLE)."""

    UNKNOWN_CODE = "unknown_code"
    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    CODE_NOT_ENTERED = "code_not_entered"
    WRONG_CUSTOMER_GROUP = "wrong_customer_group"
    SIGN_IN_REQUIRED = "sign_in_required"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    CUSTOMER_USAGE_LIMIT_REACHED = "customer_usage_limit_reached"
    CURRENCY_MISMATCH = "currency_mismatch"
    NO_MATCHING_ITEMS = "no_matching_items"
    MIN_SUBTOTAL_NOT_MET = "min_subtotal_not_met"
    THRESHOLD_NOT_MET = "threshold_not_met"
    EXCLUDED_BY_EXCLUSIVE_RULE = "excluded_by_exclusive_rule"
    NOTHING_LEFT_TO_DISCOUNT = "nothing_left_to_discount"


class ListReason(StrEnum):
    """Why a price list entry for a line's variant did not set its price."""

    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    WRONG_CUSTOMER_GROUP = "wrong_customer_group"
    CURRENCY_MISMATCH = "currency_mismatch"
    MIN_QUANTITY_NOT_MET = "min_quantity_not_met"
    NOT_LOWEST = "not_lowest"
    ABOVE_BASE_PRICE = "above_base_price"
    BUNDLE_PRICED = "bundle_priced"


@dataclass(frozen=True)
class LineDiscount:
    rule_id: uuid.UUID
    amount: Money


@dataclass(frozen=True)
class PricedLine:
    """A line's price: chosen unit price, discounts by rule, then net + VAT = gross."""

    line_id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int
    base_unit_price: Money
    unit_price: Money
    price_list_id: uuid.UUID | None
    price_list_name: str | None
    bundle_id: uuid.UUID | None
    subtotal: Money  # before discounts
    discounts: tuple[LineDiscount, ...]
    discount: Money
    gross: Money  # subtotal - discount, VAT included
    vat_rate: Decimal
    net: Money
    vat: Money


@dataclass(frozen=True)
class PricedShipping:
    amount: Money  # before discounts
    discount: Money
    gross: Money
    net: Money
    vat: Money


@dataclass(frozen=True)
class Totals:
    subtotal: Money
    discount: Money  # line discounts and the shipping discount
    shipping: Money  # before discounts
    vat: Money
    total: Money  # subtotal - discount + shipping
    net: Money

    def to_dict(self) -> dict[str, Any]:
        return {
            "subtotal": self.subtotal.to_dict(),
            "discount": self.discount.to_dict(),
            "shipping": self.shipping.to_dict(),
            "vat": self.vat.to_dict(),
            "total": self.total.to_dict(),
            "net": self.net.to_dict(),
        }


@dataclass(frozen=True)
class ListNote:
    price_list_id: uuid.UUID
    name: str
    min_quantity: int
    price: Money
    reason: ListReason | None = None  # None: this entry set the price


@dataclass(frozen=True)
class LinePriceExplanation:
    line_id: uuid.UUID
    applied: ListNote | None
    rejected: tuple[ListNote, ...] = ()


@dataclass(frozen=True)
class AppliedRule:
    rule_id: uuid.UUID
    name: str
    code: str | None
    kind: RuleKind
    amount: Money  # everything it took off: lines and shipping
    shipping_amount: Money


@dataclass(frozen=True)
class SkippedRule:
    rule_id: uuid.UUID
    name: str
    code: str | None
    kind: RuleKind
    reason: Reason
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    price_lists: tuple[LinePriceExplanation, ...]
    applied: tuple[AppliedRule, ...]  # in the order they were applied
    not_applied: tuple[SkippedRule, ...]
    unknown_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PricingResult:
    currency: str
    lines: tuple[PricedLine, ...]  # in the order of the input
    shipping: PricedShipping
    totals: Totals
    explanation: Explanation

    def line(self, line_id: uuid.UUID) -> PricedLine:
        """The priced line with this id (KeyError when it was not priced)."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)

    def skipped(self, rule_id: uuid.UUID) -> SkippedRule | None:
        """Why the rule did not apply, or None when it did (or was not considered)."""
        return next((s for s in self.explanation.not_applied if s.rule_id == rule_id), None)

    def applied_rule_ids(self) -> list[uuid.UUID]:
        """Rules that took something off, in application order (what an order redeems)."""
        return [a.rule_id for a in self.explanation.applied]

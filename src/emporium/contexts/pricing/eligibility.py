"""Whether a discount rule may apply to a basket at all, and if so to which lines.

Conditions are checked before any rule is applied, on prices before discounts, so whether
a rule qualifies never depends on the order in which the others were applied.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emporium.contexts.pricing.result import Reason
from emporium.contexts.pricing.terms import (
    Customer,
    DiscountRule,
    PricingLine,
    RuleKind,
    money_sum,
)
from emporium.kernel.clock import isoformat
from emporium.kernel.money import Money


@dataclass(frozen=True)
class Basket:
    """The lines after price selection, as discount rules see them (sorted by line id)."""

    currency: str
    lines: tuple[PricingLine, ...]  # the discountable lines: bundle lines are already a deal
    subtotals: Mapping[uuid.UUID, Money]  # every line's subtotal, bundle lines included
    order_subtotal: Money
    customer: Customer
    codes: frozenset[str]
    now: datetime


@dataclass(frozen=True)
class NotApplicable:
    reason: Reason
    details: dict[str, Any] = field(default_factory=dict)


def _who_and_when(rule: DiscountRule, basket: Basket) -> NotApplicable | None:
    if not rule.active:
        return NotApplicable(Reason.INACTIVE)
    if rule.code is not None and rule.code not in basket.codes:
        return NotApplicable(Reason.CODE_NOT_ENTERED, {"code": rule.code})
    if rule.starts_at is not None and basket.now < rule.starts_at:
        return NotApplicable(Reason.NOT_STARTED, {"starts_at": isoformat(rule.starts_at)})
    if rule.ends_at is not None and basket.now >= rule.ends_at:
        return NotApplicable(Reason.EXPIRED, {"ends_at": isoformat(rule.ends_at)})
    groups = rule.conditions.customer_group_ids
    if groups and basket.customer.group_id not in groups:
        return NotApplicable(Reason.WRONG_CUSTOMER_GROUP)
    return None


def _limits(rule: DiscountRule, basket: Basket) -> NotApplicable | None:
    per_customer = rule.usage_limit_per_customer
    if per_customer is not None and basket.customer.id is None:
        return NotApplicable(Reason.SIGN_IN_REQUIRED)
    if rule.usage_limit is not None and rule.used >= rule.usage_limit:
        return NotApplicable(Reason.USAGE_LIMIT_REACHED, {"usage_limit": rule.usage_limit})
    if per_customer is not None and rule.customer_uses >= per_customer:
        return NotApplicable(
            Reason.CUSTOMER_USAGE_LIMIT_REACHED, {"usage_limit_per_customer": per_customer}
        )
    if any(amount.currency != basket.currency for amount in rule.amounts()):
        return NotApplicable(Reason.CURRENCY_MISMATCH, {"currency": basket.currency})
    return None


def scope(rule: DiscountRule, basket: Basket) -> tuple[PricingLine, ...] | NotApplicable:
    """The lines the rule may discount, or why it does not apply to this basket."""
    refused = _who_and_when(rule, basket) or _limits(rule, basket)
    if refused is not None:
        return refused
    lines = tuple(line for line in basket.lines if rule.matches(line))
    order_wide = rule.kind is RuleKind.FREE_SHIPPING and not rule.names_items
    if not lines and not order_wide:
        return NotApplicable(Reason.NO_MATCHING_ITEMS)
    minimum = rule.conditions.min_subtotal
    if minimum is not None:
        # Rules about some items count those items; order-wide rules count the whole order.
        reached = (
            money_sum([basket.subtotals[line.id] for line in lines], basket.currency)
            if rule.names_items
            else basket.order_subtotal
        )
        if reached < minimum:
            return NotApplicable(
                Reason.MIN_SUBTOTAL_NOT_MET,
                {"min_subtotal": minimum.to_dict(), "subtotal": reached.to_dict()},
            )
    return lines

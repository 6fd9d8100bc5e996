"""How much one rule takes off what is left of its lines (and of shipping).

Every amount is capped by what it discounts, and an order-level amount is spread over the
lines with Money.allocate, weighted by what is left of each line, so no line ever goes
below zero and the parts add up to the amount exactly. Percentages are taken of the total
being discounted, rounded half-up to the cent once, then spread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from emporium.contexts.pricing.eligibility import Basket, NotApplicable
from emporium.contexts.pricing.result import Reason
from emporium.contexts.pricing.terms import (
    DiscountRule,
    PricingLine,
    RuleKind,
    Tier,
    TierBasis,
    money_sum,
)
from emporium.kernel.money import Money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Taken:
    """What a rule takes off: per line, and from shipping."""

    lines: dict[uuid.UUID, Money]
    shipping: Money
    details: dict[str, object] = field(default_factory=dict)

    @property
    def amount(self) -> Money:
        return money_sum(list(self.lines.values()), self.shipping.currency) + self.shipping


def spread(
    amount: Money, lines: Sequence[PricingLine], left: Mapping[uuid.UUID, Money]
) -> dict[uuid.UUID, Money]:
    """amount (at most what is left of lines) over lines, in proportion to what is left."""
    weights = [left[line.id].amount for line in lines]
    if amount.amount <= 0 or sum(weights) == 0:
        return {}
    amount = min(amount, Money(sum(weights), amount.currency))
    parts = amount.allocate(weights)
    return {line.id: part for line, part in zip(lines, parts, strict=True) if part.amount > 0}


def _off(
    amount: Money | None,
    percent: Decimal | None,
    lines: Sequence[PricingLine],
    left: Mapping[uuid.UUID, Money],
    currency: str,
) -> dict[uuid.UUID, Money]:
    remaining = money_sum([left[line.id] for line in lines], currency)
    if amount is not None:
        return spread(amount, lines, left)
    return spread(remaining.times((percent or Decimal(0)) / HUNDRED), lines, left)


def _reached_tier(rule: DiscountRule, lines: Sequence[PricingLine], basket: Basket) -> Tier | int:
    """The highest tier reached, or (when none is) how far the basket got."""
    if rule.tier_basis is TierBasis.QUANTITY:
        reached = sum(line.quantity for line in lines)
    else:
        reached = sum(basket.subtotals[line.id].amount for line in lines)
    best = None
    for tier in sorted(rule.tiers, key=lambda t: t.threshold):
        if tier.threshold <= reached:
            best = tier
    return best if best is not None else reached


def _short_of(basis: TierBasis, threshold: object, reached: object) -> NotApplicable:
    details = {"basis": basis.value, "threshold": threshold, "reached": reached}
    return NotApplicable(Reason.THRESHOLD_NOT_MET, details)


def _tiered(
    rule: DiscountRule, lines: Sequence[PricingLine], left: Mapping[uuid.UUID, Money], b: Basket
) -> Taken | NotApplicable:
    reached = _reached_tier(rule, lines, b)
    if isinstance(reached, int):
        lowest = min((t.threshold for t in rule.tiers), default=0)
        if rule.tier_basis is TierBasis.QUANTITY:
            return _short_of(TierBasis.QUANTITY, lowest, reached)
        return _short_of(
            TierBasis.SPEND,
            Money(lowest, b.currency).to_dict(),
            Money(reached, b.currency).to_dict(),
        )
    taken = _off(reached.amount, reached.percent, lines, left, b.currency)
    return Taken(taken, Money.zero(b.currency), {"tier_threshold": reached.threshold})


def _unit_shares(amount: int, quantity: int) -> list[int]:
    """amount split evenly over quantity units, the odd cents going to the first ones."""
    share, odd = divmod(amount, quantity)
    return [share + 1] * odd + [share] * (quantity - odd)


def _buy_x_get_y(
    rule: DiscountRule, lines: Sequence[PricingLine], left: Mapping[uuid.UUID, Money], b: Basket
) -> Taken | NotApplicable:
    group = (rule.buy_quantity or 1) + (rule.get_quantity or 1)
    # Each unit is worth its share of what is left of its line (as Money.allocate splits it).
    units = [
        (amount, line.id, index)
        for line in lines
        for index, amount in enumerate(_unit_shares(left[line.id].amount, line.quantity))
    ]
    groups = len(units) // group
    if groups == 0:
        return _short_of(TierBasis.QUANTITY, group, len(units))
    chosen: dict[uuid.UUID, int] = {}
    for amount, line_id, _ in sorted(units)[: groups * (rule.get_quantity or 1)]:
        chosen[line_id] = chosen.get(line_id, 0) + amount
    rate = (rule.percent or HUNDRED) / HUNDRED
    taken = {
        line_id: Money(amount, b.currency).times(rate)
        for line_id, amount in chosen.items()
        if amount > 0
    }
    return Taken(
        {k: v for k, v in taken.items() if v.amount > 0},
        Money.zero(b.currency),
        {"free_units": groups * (rule.get_quantity or 1)},
    )


def take(
    rule: DiscountRule,
    lines: Sequence[PricingLine],
    left: Mapping[uuid.UUID, Money],
    shipping_left: Money,
    basket: Basket,
) -> Taken | NotApplicable:
    """What rule takes off lines (its scope) and shipping, given what is left of them."""
    zero = Money.zero(basket.currency)
    if rule.kind is RuleKind.FREE_SHIPPING:
        taken = Taken({}, shipping_left)
    elif rule.kind is RuleKind.TIERED:
        return _settle(_tiered(rule, lines, left, basket))
    elif rule.kind is RuleKind.BUY_X_GET_Y:
        return _settle(_buy_x_get_y(rule, lines, left, basket))
    else:  # fixed, percentage, cart
        taken = Taken(_off(rule.amount, rule.percent, lines, left, basket.currency), zero)
    return _settle(taken)


def _settle(outcome: Taken | NotApplicable) -> Taken | NotApplicable:
    if isinstance(outcome, Taken) and outcome.amount.amount == 0:
        return NotApplicable(Reason.NOTHING_LEFT_TO_DISCOUNT)
    return outcome

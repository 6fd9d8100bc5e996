"""Stacking: which of the qualifying rules apply, in what order, on what is left.

- Rules are considered by priority (higher first), then by id (older first).
- If any exclusive rule qualifies and takes something off, exactly one exclusive rule
  applies, alone: the one with the highest priority; on a tie the one that takes off the
  most (each is measured alone, on the undiscounted basket); then the older one. Every
  other qualifying rule is reported as excluded by it.
- Otherwise every combinable rule applies in turn to what the rules before it left of
  each line (and of shipping).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from emporium.contexts.pricing.discounting import Taken, take
from emporium.contexts.pricing.eligibility import Basket, NotApplicable, scope
from emporium.contexts.pricing.result import Reason
from emporium.contexts.pricing.terms import DiscountRule, PricingLine
from emporium.kernel.money import Money


@dataclass(frozen=True)
class Stacked:
    applied: tuple[tuple[DiscountRule, Taken], ...]
    skipped: tuple[tuple[DiscountRule, NotApplicable], ...]


def application_order(rule: DiscountRule) -> tuple[int, uuid.UUID]:
    return (-rule.priority, rule.id)


def _exclusive_winner(
    exclusive: Sequence[DiscountRule], alone: dict[uuid.UUID, Taken | NotApplicable]
) -> DiscountRule | None:
    def rank(rule: DiscountRule) -> tuple[int, int, uuid.UUID]:
        taken = alone[rule.id]
        assert isinstance(taken, Taken)
        return (-rule.priority, -taken.amount.amount, rule.id)

    contenders = [rule for rule in exclusive if isinstance(alone[rule.id], Taken)]
    return min(contenders, key=rank) if contenders else None


def stack(rules: Sequence[DiscountRule], basket: Basket, shipping: Money) -> Stacked:
    """The rules that apply with what each takes off, and why each other one does not."""
    ordered = sorted(rules, key=application_order)
    skipped: dict[uuid.UUID, NotApplicable] = {}
    scopes: dict[uuid.UUID, tuple[PricingLine, ...]] = {}
    for rule in ordered:
        found = scope(rule, basket)
        if isinstance(found, NotApplicable):
            skipped[rule.id] = found
        else:
            scopes[rule.id] = found
    fresh = {line.id: basket.subtotals[line.id] for line in basket.lines}
    exclusive = [rule for rule in ordered if rule.id in scopes and rule.exclusive]
    alone = {rule.id: take(rule, scopes[rule.id], fresh, shipping, basket) for rule in exclusive}
    winner = _exclusive_winner(exclusive, alone)
    applied: list[tuple[DiscountRule, Taken]] = []
    if winner is not None:
        won = alone[winner.id]
        assert isinstance(won, Taken)
        applied.append((winner, won))
        excluded = NotApplicable(Reason.EXCLUDED_BY_EXCLUSIVE_RULE, {"rule_id": str(winner.id)})
        for rule in ordered:
            if rule.id in scopes and rule is not winner:
                skipped[rule.id] = excluded
    else:
        for rule in exclusive:
            outcome = alone[rule.id]
            assert isinstance(outcome, NotApplicable)
            skipped[rule.id] = outcome
        left, shipping_left = dict(fresh), shipping
        for rule in ordered:
            if rule.id not in scopes or rule.exclusive:
                continue
            outcome = take(rule, scopes[rule.id], left, shipping_left, basket)
            if isinstance(outcome, NotApplicable):
                skipped[rule.id] = outcome
                continue
            for line_id, amount in outcome.lines.items():
                left[line_id] = left[line_id] - amount
            shipping_left = shipping_left - outcome.shipping
            applied.append((rule, outcome))
    return Stacked(
        applied=tuple(applied),
        skipped=tuple((rule, skipped[rule.id]) for rule in ordered if rule.id in skipped),
    )

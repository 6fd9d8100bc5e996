"""The pricing engine: `price(input) -> result`, a pure function (no database, no clock).

Steps: each line's unit price (base or price list, see price_selection); which rules may
apply (eligibility); the exclusive rule that wins alone, else every combinable rule in
priority order on what is left (discounting); then per line net and VAT on the discounted
gross, and shipping's VAT split over the lines' rates. Lines are handled in line-id order,
so the result does not depend on the order in which they were given.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from emporium.contexts.pricing.discounting import Taken
from emporium.contexts.pricing.eligibility import Basket, NotApplicable
from emporium.contexts.pricing.errors import InvalidPricingInput, VatRateMissing
from emporium.contexts.pricing.messages import sentence
from emporium.contexts.pricing.price_selection import ChosenPrice, choose_price
from emporium.contexts.pricing.result import (
    AppliedRule,
    Explanation,
    LineDiscount,
    PricedLine,
    PricedShipping,
    PricingResult,
    SkippedRule,
    Totals,
)
from emporium.contexts.pricing.stacking import Stacked, stack
from emporium.contexts.pricing.terms import (
    DiscountRule,
    PriceEntry,
    PricingInput,
    PricingLine,
    money_sum,
)
from emporium.contexts.pricing.vat import vat_part
from emporium.kernel.money import Money


def _check(data: PricingInput) -> None:
    problems = []
    if data.shipping.currency != data.currency or data.shipping.amount < 0:
        problems.append({"field": "shipping", "message": f"must be >= 0 {data.currency}"})
    if len({line.id for line in data.lines}) != len(data.lines):
        problems.append({"field": "lines", "message": "line ids must differ"})
    for line in data.lines:
        amounts = [line.unit_price, *([line.bundle_amount] if line.bundle_amount else [])]
        if line.quantity < 1 or any(m.currency != data.currency or m.amount < 0 for m in amounts):
            problems.append({"line_id": str(line.id), "message": "bad quantity or price"})
    if problems:
        raise InvalidPricingInput(details={"problems": problems})


def _rate(data: PricingInput, tax_category: str) -> Decimal:
    rate = data.vat_rates.get(tax_category)
    if rate is None:
        raise VatRateMissing(details={"country": data.country, "tax_category": tax_category})
    return rate


def _prices(data: PricingInput, lines: list[PricingLine]) -> dict[uuid.UUID, ChosenPrice]:
    quantities: dict[uuid.UUID, int] = defaultdict(int)
    for line in lines:
        if not line.in_bundle:
            quantities[line.variant_id] += line.quantity
    entries: dict[uuid.UUID, list[PriceEntry]] = defaultdict(list)
    for entry in data.price_entries:
        entries[entry.variant_id].append(entry)
    return {
        line.id: choose_price(
            line,
            entries.get(line.variant_id, ()),
            quantity=quantities[line.variant_id],
            customer=data.customer,
            now=data.now,
        )
        for line in lines
    }


def _subtotal(line: PricingLine, chosen: ChosenPrice) -> Money:
    if line.bundle_amount is not None:
        return line.bundle_amount
    return chosen.unit_price * line.quantity


def _per_line(stacked: Stacked) -> dict[uuid.UUID, list[LineDiscount]]:
    """Each line's discounts, in the order the rules were applied."""
    found: dict[uuid.UUID, list[LineDiscount]] = defaultdict(list)
    for rule, taken in stacked.applied:
        for line_id, amount in taken.lines.items():
            found[line_id].append(LineDiscount(rule.id, amount))
    return found


def _priced_line(
    data: PricingInput,
    line: PricingLine,
    chosen: ChosenPrice,
    subtotal: Money,
    discounts: tuple[LineDiscount, ...],
) -> PricedLine:
    discount = money_sum([d.amount for d in discounts], data.currency)
    gross = subtotal - discount
    rate = _rate(data, line.tax_category)
    vat = vat_part(gross, rate)
    entry = chosen.entry
    return PricedLine(
        line_id=line.id,
        variant_id=line.variant_id,
        quantity=line.quantity,
        base_unit_price=line.unit_price,
        unit_price=chosen.unit_price,
        price_list_id=entry.price_list.id if entry else None,
        price_list_name=entry.price_list.name if entry else None,
        bundle_id=line.bundle_id,
        subtotal=subtotal,
        discounts=discounts,
        discount=discount,
        gross=gross,
        vat_rate=rate,
        net=gross - vat,
        vat=vat,
    )


def _shipping(data: PricingInput, lines: list[PricedLine], discount: Money) -> PricedShipping:
    """Shipping follows the goods' VAT: its gross is split over the lines' rates by weight."""
    gross = data.shipping - discount
    weights: dict[Decimal, int] = defaultdict(int)
    for line in lines:
        weights[line.vat_rate] += line.gross.amount
    if not any(weights.values()):
        weights = {_rate(data, "standard") if data.shipping else Decimal(0): 1}
    rates = sorted(weights)
    parts = gross.allocate([weights[rate] for rate in rates])
    vats = [vat_part(part, rate) for part, rate in zip(parts, rates, strict=True)]
    vat = money_sum(vats, gross.currency)
    return PricedShipping(data.shipping, discount, gross, gross - vat, vat)


def _explain_rule(rule: DiscountRule, why: NotApplicable) -> SkippedRule:
    return SkippedRule(
        rule_id=rule.id,
        name=rule.name,
        code=rule.code,
        kind=rule.kind,
        reason=why.reason,
        message=sentence(why.reason, why.details),
        details=dict(why.details),
    )


def _applied(rule: DiscountRule, taken: Taken) -> AppliedRule:
    return AppliedRule(rule.id, rule.name, rule.code, rule.kind, taken.amount, taken.shipping)


def price(data: PricingInput) -> PricingResult:
    """Price the lines: unit prices, discounts per rule, net/VAT/gross per line, totals."""
    _check(data)
    ordered = sorted(data.lines, key=lambda line: line.id)
    chosen = _prices(data, ordered)
    subtotals = {line.id: _subtotal(line, chosen[line.id]) for line in ordered}
    basket = Basket(
        currency=data.currency,
        lines=tuple(line for line in ordered if not line.in_bundle),
        subtotals=subtotals,
        order_subtotal=money_sum(list(subtotals.values()), data.currency),
        customer=data.customer,
        codes=data.codes,
        now=data.now,
    )
    stacked = stack(data.rules, basket, data.shipping)
    discounts = _per_line(stacked)
    priced = {
        line.id: _priced_line(
            data, line, chosen[line.id], subtotals[line.id], tuple(discounts.get(line.id, ()))
        )
        for line in ordered
    }
    ship_discount = money_sum([taken.shipping for _, taken in stacked.applied], data.currency)
    shipping = _shipping(data, list(priced.values()), ship_discount)
    lines = [priced[line.id] for line in data.lines]
    line_discount = money_sum([line.discount for line in lines], data.currency)
    totals = Totals(
        subtotal=basket.order_subtotal,
        discount=line_discount + ship_discount,
        shipping=data.shipping,
        vat=money_sum([line.vat for line in lines], data.currency) + shipping.vat,
        total=money_sum([line.gross for line in lines], data.currency) + shipping.gross,
        net=money_sum([line.net for line in lines], data.currency) + shipping.net,
    )
    known = {rule.code for rule in data.rules if rule.code}
    explanation = Explanation(
        price_lists=tuple(chosen[line.id].explanation for line in data.lines),
        applied=tuple(_applied(rule, taken) for rule, taken in stacked.applied),
        not_applied=tuple(_explain_rule(rule, why) for rule, why in stacked.skipped),
        unknown_codes=tuple(sorted(data.codes - known)),
    )
    return PricingResult(data.currency, tuple(lines), shipping, totals, explanation)

"""Properties of the pure engine over generated carts, rules and price lists (hypothesis)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from emporium.contexts.pricing import (
    Conditions,
    Customer,
    DiscountRule,
    PriceEntry,
    PricingInput,
    PricingLine,
    PricingResult,
    RuleKind,
    Tier,
    TierBasis,
    price,
)
from tests.pricing.builders import NOW, eur, price_list, pricing_input

PRODUCTS = [uuid.UUID(int=i) for i in range(1, 5)]
VENDORS = [uuid.UUID(int=i) for i in range(10, 13)]
CATEGORIES = [uuid.UUID(int=i) for i in range(20, 23)]
GROUPS = [uuid.UUID(int=i) for i in range(30, 32)]
CODES = ["SPRING", "CLUB"]

ids = st.integers(1, 2**64).map(lambda n: uuid.UUID(int=n))
cents = st.integers(min_value=0, max_value=50_000)
percents = st.integers(1, 10_000).map(lambda hundredths: Decimal(hundredths) / 100)
some = st.frozensets


# Strategies are built once: building them inside the composites is most of hypothesis's time.
one_in_five = st.integers(0, 4).map(lambda n: n == 0)
products, vendors = st.sampled_from(PRODUCTS), st.sampled_from(VENDORS)
groups = st.sampled_from(GROUPS)
tax_categories = st.sampled_from(["standard", "reduced", "zero"])
minimums = st.none() | cents.map(eur)
small = {n: st.integers(0, n) for n in (2, 3, 4, 6, 8)}
thresholds = {TierBasis.SPEND: st.integers(0, 30_000), TierBasis.QUANTITY: small[8]}
ended = st.none() | st.just(NOW - timedelta(days=1))
item_conditions = st.builds(
    Conditions,
    product_ids=some(products, max_size=2),
    category_ids=some(st.sampled_from(CATEGORIES), max_size=1),
    vendor_ids=some(vendors, max_size=1),
    customer_group_ids=some(groups, max_size=1),
    min_subtotal=minimums,
)
order_conditions = st.builds(Conditions, min_subtotal=minimums)


@st.composite
def lines(draw: st.DrawFn) -> PricingLine:
    unit, quantity = draw(cents), draw(small[6]) + 1
    bundle = draw(one_in_five)
    return PricingLine(
        id=draw(ids),
        variant_id=draw(products),  # one variant per product keeps quantity breaks likely
        product_id=draw(products),
        vendor_id=draw(vendors),
        quantity=quantity,
        unit_price=eur(unit),
        tax_category=draw(tax_categories),
        category_ids=draw(some(st.sampled_from(CATEGORIES), max_size=2)),
        bundle_id=uuid.UUID(int=99) if bundle else None,
        bundle_amount=eur(draw(st.integers(0, unit * quantity))) if bundle else None,
    )


@st.composite
def rules(draw: st.DrawFn) -> DiscountRule:
    kind = draw(st.sampled_from(list(RuleKind)))
    amount = draw(st.none() | st.integers(1, 20_000).map(eur))
    percent = draw(percents) if amount is None else None
    if kind is RuleKind.FIXED:
        amount, percent = amount or eur(500), None
    if kind is RuleKind.PERCENTAGE:
        amount, percent = None, percent or Decimal(10)
    basis = draw(st.sampled_from(list(TierBasis)))
    tiers = tuple(Tier(draw(thresholds[basis]), amount, percent) for _ in range(draw(small[2]) + 1))
    return DiscountRule(
        id=draw(ids),
        name="generated",
        kind=kind,
        amount=amount,
        percent=draw(percents) if kind is RuleKind.BUY_X_GET_Y else percent,
        buy_quantity=draw(small[2]) + 1,
        get_quantity=draw(small[2]) + 1,
        tier_basis=basis,
        tiers=tiers if kind is RuleKind.TIERED else (),
        conditions=draw(order_conditions if kind is RuleKind.CART else item_conditions),
        priority=draw(small[3]),
        exclusive=draw(one_in_five),
        code=draw(st.none() | st.sampled_from(CODES)),
        ends_at=draw(ended),
    )


@st.composite
def inputs(draw: st.DrawFn) -> PricingInput:
    drawn = draw(st.lists(lines(), max_size=7, unique_by=lambda line: line.id))
    entries = [
        PriceEntry(
            price_list=price_list(customer_group_id=draw(st.none() | groups)),
            variant_id=draw(products),
            price=eur(draw(cents)),
            min_quantity=draw(small[8]) + 1,
        )
        for _ in range(draw(small[4]))
    ]
    return pricing_input(
        drawn,
        rules=draw(st.lists(rules(), max_size=6, unique_by=lambda rule: rule.id)),
        entries=entries,
        customer=Customer(draw(ids), draw(st.none() | groups)),
        codes=draw(some(st.sampled_from(CODES))),
        shipping=draw(st.integers(0, 2_000)),
    )


def _line_sum(result: PricingResult, field: str) -> int:
    return sum(getattr(line, field).amount for line in result.lines)


@settings(deadline=None)
@given(inputs())
def test_total_is_subtotal_minus_discount_plus_shipping(data: PricingInput) -> None:
    t = price(data).totals
    assert t.total == t.subtotal - t.discount + t.shipping


@settings(deadline=None)
@given(inputs())
def test_no_line_and_no_total_is_negative(data: PricingInput) -> None:
    result = price(data)
    for line in result.lines:
        assert min(line.gross.amount, line.net.amount, line.vat.amount) >= 0
    assert min(result.shipping.gross.amount, result.totals.total.amount) >= 0


@settings(deadline=None)
@given(inputs())
def test_discounts_never_exceed_what_they_discount(data: PricingInput) -> None:
    result = price(data)
    for line in result.lines:
        assert line.discount <= line.subtotal
        assert all(d.amount.amount > 0 for d in line.discounts)
    assert result.shipping.discount <= result.shipping.amount
    applied = sum(a.amount.amount for a in result.explanation.applied)
    assert applied == result.totals.discount.amount


@settings(deadline=None)
@given(inputs())
def test_net_plus_vat_is_gross_per_line_and_in_total(data: PricingInput) -> None:
    result = price(data)
    for line in result.lines:
        assert line.net + line.vat == line.gross
    assert result.shipping.net + result.shipping.vat == result.shipping.gross
    t = result.totals
    assert t.net + t.vat == t.total
    assert t.vat.amount == _line_sum(result, "vat") + result.shipping.vat.amount


def _by_line(result: PricingResult) -> tuple[object, ...]:
    return (
        result.totals,
        result.shipping,
        {line.line_id: line for line in result.lines},
        {note.line_id: note for note in result.explanation.price_lists},
        result.explanation.applied,
        result.explanation.not_applied,
    )


@settings(deadline=None)
@given(inputs(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_lines(
    data: PricingInput, rng: object
) -> None:
    shuffled = list(data.lines)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    again = PricingInput(**{**data.__dict__, "lines": tuple(shuffled)})
    assert _by_line(price(again)) == _by_line(price(data))

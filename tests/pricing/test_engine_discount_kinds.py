"""Each kind of discount rule, on the pure engine (no database)."""

from __future__ import annotations

from decimal import Decimal

from emporium.contexts.pricing import Conditions, Reason, RuleKind, Tier, TierBasis, price
from tests.pricing.builders import eur, line, pricing_input, rule


def test_a_fixed_amount_comes_off_the_matching_items_once() -> None:
    a, b = line(3000), line(1000)
    off = rule(RuleKind.FIXED, amount=eur(800))
    result = price(pricing_input([a, b], rules=[off]))
    assert result.totals.discount == eur(800)
    assert result.line(a.id).discount == eur(600)  # spread by what each line costs
    assert result.line(b.id).discount == eur(200)


def test_a_fixed_amount_never_exceeds_what_it_discounts() -> None:
    cheap = line(500)
    result = price(pricing_input([cheap], rules=[rule(RuleKind.FIXED, amount=eur(2000))]))
    assert result.line(cheap.id).gross == eur(0)
    assert result.totals.total == eur(0)


def test_a_percentage_is_taken_of_the_matching_items_and_rounded_half_up() -> None:
    a = line(1005)
    result = price(pricing_input([a], rules=[rule(RuleKind.PERCENTAGE, percent=Decimal(10))]))
    assert result.line(a.id).discount == eur(101)  # 100.5 cents rounds up


def test_buy_two_get_one_free_gives_the_cheapest_unit() -> None:
    dear, cheap = line(3000, quantity=2), line(1000)
    deal = rule(RuleKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1)
    result = price(pricing_input([dear, cheap], rules=[deal]))
    assert result.line(cheap.id).discount == eur(1000)
    assert result.line(dear.id).discount == eur(0)


def test_buy_one_get_one_at_half_price_counts_every_pair() -> None:
    comic = line(1000, quantity=5)
    deal = rule(RuleKind.BUY_X_GET_Y, buy_quantity=1, get_quantity=1, percent=Decimal(50))
    result = price(pricing_input([comic], rules=[deal]))
    assert result.line(comic.id).discount == eur(1000)  # two of five units at half price


def test_buy_x_get_y_explains_how_many_items_are_missing() -> None:
    comic = line(1000, quantity=2)
    deal = rule(RuleKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1)
    skipped = price(pricing_input([comic], rules=[deal])).skipped(deal.id)
    assert skipped is not None
    assert skipped.reason is Reason.THRESHOLD_NOT_MET
    assert skipped.details == {"basis": "quantity", "threshold": 3, "reached": 2}


def test_spend_tiers_apply_the_highest_tier_reached() -> None:
    tiers = (Tier(5000, percent=Decimal(5)), Tier(10000, percent=Decimal(10)))
    tiered = rule(RuleKind.TIERED, tier_basis=TierBasis.SPEND, tiers=tiers)
    small, large = line(6000), line(12000)
    assert price(pricing_input([small], rules=[tiered])).totals.discount == eur(300)
    assert price(pricing_input([large], rules=[tiered])).totals.discount == eur(1200)


def test_quantity_tiers_count_matching_units() -> None:
    tiers = (Tier(3, amount=eur(500)), Tier(10, amount=eur(2000)))
    tiered = rule(RuleKind.TIERED, tier_basis=TierBasis.QUANTITY, tiers=tiers)
    result = price(pricing_input([line(1000, quantity=4)], rules=[tiered]))
    assert result.totals.discount == eur(500)


def test_below_the_lowest_tier_nothing_comes_off_and_the_threshold_is_named() -> None:
    tiered = rule(
        RuleKind.TIERED, tier_basis=TierBasis.SPEND, tiers=(Tier(5000, percent=Decimal(5)),)
    )
    result = price(pricing_input([line(4000)], rules=[tiered]))
    skipped = result.skipped(tiered.id)
    assert skipped is not None and skipped.reason is Reason.THRESHOLD_NOT_MET
    assert skipped.message == "This discount needs 50.00 EUR of qualifying items (now 40.00 EUR)"


def test_a_cart_level_percentage_is_spread_over_every_line_by_its_gross() -> None:
    a, b, c = line(1000), line(1000), line(1000)
    result = price(pricing_input([a, b, c], rules=[rule(RuleKind.CART, amount=eur(100))]))
    assert sorted(result.line(x.id).discount.amount for x in (a, b, c)) == [33, 33, 34]
    assert result.totals.discount == eur(100)


def test_free_shipping_takes_the_shipping_off() -> None:
    result = price(pricing_input([line(2000)], rules=[rule(RuleKind.FREE_SHIPPING)], shipping=495))
    assert result.shipping.gross == eur(0)
    assert result.totals.discount == eur(495)
    assert result.totals.total == eur(2000)


def test_item_conditions_limit_a_rule_to_the_matching_lines() -> None:
    marvel, dc = line(1000), line(1000)
    only_marvel = rule(
        RuleKind.PERCENTAGE,
        percent=Decimal(50),
        conditions=Conditions(product_ids=frozenset({marvel.product_id})),
    )
    result = price(pricing_input([marvel, dc], rules=[only_marvel]))
    assert result.line(marvel.id).discount == eur(500)
    assert result.line(dc.id).discount == eur(0)

"""Priority, stacking and exclusive rules, on the pure engine."""

from __future__ import annotations

from decimal import Decimal

from emporium.contexts.pricing import Reason, RuleKind, price
from tests.pricing.builders import eur, line, pricing_input, rule


def test_combinable_rules_apply_in_priority_order_on_what_is_left() -> None:
    comic = line(10000)
    first = rule(RuleKind.FIXED, amount=eur(2000), priority=10)
    then = rule(RuleKind.PERCENTAGE, percent=Decimal(10), priority=1)
    result = price(pricing_input([comic], rules=[then, first]))
    assert [a.rule_id for a in result.explanation.applied] == [first.id, then.id]
    assert [a.amount for a in result.explanation.applied] == [eur(2000), eur(800)]


def test_the_same_rules_in_the_other_priority_order_take_off_a_different_amount() -> None:
    comic = line(10000)
    first = rule(RuleKind.PERCENTAGE, percent=Decimal(10), priority=10)
    then = rule(RuleKind.FIXED, amount=eur(2000), priority=1)
    result = price(pricing_input([comic], rules=[first, then]))
    assert result.totals.discount == eur(3000)


def test_an_exclusive_rule_wins_alone_over_combinable_ones() -> None:
    comic = line(10000)
    exclusive = rule(RuleKind.PERCENTAGE, percent=Decimal(15), exclusive=True)
    other = rule(RuleKind.PERCENTAGE, percent=Decimal(10), priority=50)
    result = price(pricing_input([comic], rules=[exclusive, other]))
    assert result.applied_rule_ids() == [exclusive.id]
    skipped = result.skipped(other.id)
    assert skipped is not None
    assert skipped.reason is Reason.EXCLUDED_BY_EXCLUSIVE_RULE
    assert skipped.details == {"rule_id": str(exclusive.id)}


def test_among_exclusive_rules_the_highest_priority_wins() -> None:
    comic = line(10000)
    big = rule(RuleKind.PERCENTAGE, percent=Decimal(50), exclusive=True, priority=1)
    urgent = rule(RuleKind.PERCENTAGE, percent=Decimal(5), exclusive=True, priority=9)
    result = price(pricing_input([comic], rules=[big, urgent]))
    assert result.applied_rule_ids() == [urgent.id]


def test_among_exclusive_rules_of_equal_priority_the_larger_discount_wins() -> None:
    comic = line(10000)
    small = rule(RuleKind.PERCENTAGE, percent=Decimal(5), exclusive=True)
    large = rule(RuleKind.FIXED, amount=eur(2500), exclusive=True)
    result = price(pricing_input([comic], rules=[small, large]))
    assert result.applied_rule_ids() == [large.id]


def test_an_exclusive_rule_that_takes_nothing_off_excludes_nobody() -> None:
    comic = line(1000, quantity=1)
    exclusive = rule(RuleKind.BUY_X_GET_Y, buy_quantity=2, get_quantity=1, exclusive=True)
    other = rule(RuleKind.PERCENTAGE, percent=Decimal(10))
    result = price(pricing_input([comic], rules=[exclusive, other]))
    assert result.applied_rule_ids() == [other.id]


def test_a_rule_whose_items_are_already_free_reports_nothing_left() -> None:
    comic = line(1000)
    everything = rule(RuleKind.FIXED, amount=eur(1000), priority=2)
    more = rule(RuleKind.PERCENTAGE, percent=Decimal(10), priority=1)
    skipped = price(pricing_input([comic], rules=[everything, more])).skipped(more.id)
    assert skipped is not None and skipped.reason is Reason.NOTHING_LEFT_TO_DISCOUNT


def test_code_rules_apply_only_when_their_code_was_entered() -> None:
    comic = line(1000)
    coded = rule(RuleKind.PERCENTAGE, percent=Decimal(10), code="SPIDEY")
    without = price(pricing_input([comic], rules=[coded]))
    with_code = price(pricing_input([comic], rules=[coded], codes=["SPIDEY"]))
    skipped = without.skipped(coded.id)
    assert skipped is not None and skipped.reason is Reason.CODE_NOT_ENTERED
    assert with_code.applied_rule_ids() == [coded.id]


def test_codes_that_match_no_rule_are_listed_as_unknown() -> None:
    result = price(pricing_input([line()], codes=["NOPE"]))
    assert result.explanation.unknown_codes == ("NOPE",)

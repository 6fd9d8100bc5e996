"""Who may have a rule and when: the reasons the explanation gives, on the pure engine."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from emporium.contexts.pricing import Conditions, Customer, Reason, RuleKind, price
from emporium.kernel.money import Money
from tests.pricing.builders import NOW, eur, line, pricing_input, rule

GROUP = uuid.UUID("00000000-0000-7000-8000-0000000000aa")
BUYER = uuid.UUID("00000000-0000-7000-8000-0000000000bb")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"active": False}, Reason.INACTIVE),
        ({"starts_at": NOW + timedelta(seconds=1)}, Reason.NOT_STARTED),
        ({"ends_at": NOW}, Reason.EXPIRED),
        (
            {"conditions": Conditions(customer_group_ids=frozenset({GROUP}))},
            Reason.WRONG_CUSTOMER_GROUP,
        ),
        ({"usage_limit": 3, "used": 3}, Reason.USAGE_LIMIT_REACHED),
        ({"usage_limit_per_customer": 1}, Reason.SIGN_IN_REQUIRED),
    ],
)
def test_a_rule_that_does_not_qualify_says_why(
    overrides: dict[str, object], reason: Reason
) -> None:
    refused = rule(RuleKind.PERCENTAGE, percent=Decimal(10), **overrides)
    skipped = price(pricing_input([line()], rules=[refused])).skipped(refused.id)
    assert skipped is not None
    assert skipped.reason is reason


def test_a_rule_applies_from_its_start_until_just_before_its_end() -> None:
    window = rule(
        RuleKind.PERCENTAGE, percent=Decimal(10), starts_at=NOW, ends_at=NOW + timedelta(hours=1)
    )
    at_start = price(pricing_input([line()], rules=[window], now=NOW))
    at_end = price(pricing_input([line()], rules=[window], now=NOW + timedelta(hours=1)))
    assert at_start.applied_rule_ids() == [window.id]
    assert at_end.applied_rule_ids() == []


def test_a_group_rule_applies_to_the_groups_members() -> None:
    members_only = rule(
        RuleKind.PERCENTAGE,
        percent=Decimal(10),
        conditions=Conditions(customer_group_ids=frozenset({GROUP})),
    )
    member = Customer(BUYER, GROUP)
    assert price(pricing_input([line()], rules=[members_only], customer=member)).applied_rule_ids()


def test_a_customer_who_used_a_rule_up_is_told_so() -> None:
    once = rule(
        RuleKind.PERCENTAGE, percent=Decimal(10), usage_limit_per_customer=1, customer_uses=1
    )
    result = price(pricing_input([line()], rules=[once], customer=Customer(BUYER)))
    skipped = result.skipped(once.id)
    assert skipped is not None and skipped.reason is Reason.CUSTOMER_USAGE_LIMIT_REACHED


def test_a_minimum_subtotal_counts_the_matching_items_before_discounts() -> None:
    comic, game = line(3000), line(4000)
    conditions = Conditions(product_ids=frozenset({comic.product_id}), min_subtotal=eur(5000))
    comics_over_50 = rule(RuleKind.FIXED, amount=eur(500), conditions=conditions)
    skipped = price(pricing_input([comic, game], rules=[comics_over_50])).skipped(comics_over_50.id)
    assert skipped is not None
    assert skipped.reason is Reason.MIN_SUBTOTAL_NOT_MET
    assert skipped.message == "Spend at least 50.00 EUR on qualifying items (now 30.00 EUR)"


def test_an_order_wide_minimum_subtotal_counts_the_whole_order() -> None:
    over_50 = rule(RuleKind.FREE_SHIPPING, conditions=Conditions(min_subtotal=eur(5000)))
    result = price(pricing_input([line(3000), line(2000)], rules=[over_50], shipping=495))
    assert result.applied_rule_ids() == [over_50.id]


def test_a_rule_in_another_currency_does_not_apply() -> None:
    dollars = rule(RuleKind.FIXED, amount=Money(100, "USD"))
    skipped = price(pricing_input([line()], rules=[dollars])).skipped(dollars.id)
    assert skipped is not None and skipped.reason is Reason.CURRENCY_MISMATCH


def test_a_vendor_rule_only_discounts_that_vendors_lines() -> None:
    theirs, others = line(1000), line(1000, vendor_id=uuid.uuid4())
    vendor_rule = rule(RuleKind.PERCENTAGE, percent=Decimal(20), vendor_id=theirs.vendor_id)
    result = price(pricing_input([theirs, others], rules=[vendor_rule]))
    assert result.line(theirs.id).discount == eur(200)
    assert result.line(others.id).discount == eur(0)


def test_a_rule_about_a_category_matches_products_in_its_subcategories() -> None:
    comics, graded = uuid.uuid4(), uuid.uuid4()
    graded_comic = line(1000, category_ids=frozenset({comics, graded}))
    about_comics = rule(
        RuleKind.PERCENTAGE,
        percent=Decimal(10),
        conditions=Conditions(category_ids=frozenset({comics})),
    )
    assert price(pricing_input([graded_comic], rules=[about_comics])).totals.discount == eur(100)


def test_a_rule_with_no_matching_items_says_so() -> None:
    elsewhere = rule(
        RuleKind.PERCENTAGE,
        percent=Decimal(10),
        conditions=Conditions(collection_ids=frozenset({uuid.uuid4()})),
    )
    skipped = price(pricing_input([line()], rules=[elsewhere])).skipped(elsewhere.id)
    assert skipped is not None and skipped.reason is Reason.NO_MATCHING_ITEMS

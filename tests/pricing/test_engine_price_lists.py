"""Which price a line gets from price lists: the selection rule of docs/pricing.md."""

from __future__ import annotations

import uuid
from datetime import timedelta

from emporium.contexts.pricing import Customer, ListReason, price
from tests.pricing.builders import NOW, entry, eur, line, price_list, pricing_input

CLUB = uuid.UUID("00000000-0000-7000-8000-0000000000c1")
MEMBER = Customer(uuid.UUID("00000000-0000-7000-8000-0000000000b1"), CLUB)


def test_without_price_lists_a_line_costs_its_base_price() -> None:
    comic = line(2000, quantity=2)
    priced = price(pricing_input([comic])).line(comic.id)
    assert priced.unit_price == eur(2000)
    assert priced.subtotal == eur(4000)
    assert priced.price_list_id is None


def test_the_lowest_applicable_price_wins() -> None:
    comic = line(2000)
    sale, clearance = price_list(name="Sale"), price_list(name="Clearance")
    result = price(
        pricing_input([comic], entries=[entry(comic, 1800, sale), entry(comic, 1500, clearance)])
    )
    assert result.line(comic.id).unit_price == eur(1500)
    explained = result.explanation.price_lists[0]
    assert explained.applied is not None and explained.applied.price_list_id == clearance.id
    assert [(n.price_list_id, n.reason) for n in explained.rejected] == [
        (sale.id, ListReason.NOT_LOWEST)
    ]


def test_a_group_list_applies_only_to_its_members() -> None:
    comic = line(2000)
    club = entry(comic, 1600, price_list(name="Collectors club", customer_group_id=CLUB))
    guest = price(pricing_input([comic], entries=[club]))
    member = price(pricing_input([comic], entries=[club], customer=MEMBER))
    assert guest.line(comic.id).unit_price == eur(2000)
    assert guest.explanation.price_lists[0].rejected[0].reason is ListReason.WRONG_CUSTOMER_GROUP
    assert member.line(comic.id).unit_price == eur(1600)


def test_on_equal_prices_the_group_list_beats_the_everyone_list() -> None:
    comic = line(2000)
    everyone = entry(comic, 1600, price_list(name="Everyone"))
    club = entry(comic, 1600, price_list(name="Club", customer_group_id=CLUB))
    result = price(pricing_input([comic], entries=[everyone, club], customer=MEMBER))
    assert result.line(comic.id).price_list_name == "Club"


def test_quantity_breaks_apply_from_their_minimum_quantity() -> None:
    terms = price_list(name="Wholesale")
    few, many = line(1000, quantity=9), line(1000, quantity=10)
    breaks = [entry(few, 900, terms, min_quantity=10)]
    assert price(pricing_input([few], entries=breaks)).line(few.id).unit_price == eur(1000)
    breaks_many = [
        entry(many, 900, terms, min_quantity=10),
        entry(many, 950, terms, min_quantity=5),
    ]
    assert price(pricing_input([many], entries=breaks_many)).line(many.id).unit_price == eur(900)


def test_quantity_breaks_count_the_variant_across_lines() -> None:
    first = line(1000, quantity=6)
    second = line(1000, quantity=6, variant_id=first.variant_id, product_id=first.product_id)
    breaks = [entry(first, 900, min_quantity=10)]
    result = price(pricing_input([first, second], entries=breaks))
    assert result.line(second.id).unit_price == eur(900)


def test_a_list_outside_its_window_does_not_apply() -> None:
    comic = line(2000)
    later = entry(comic, 1500, price_list(starts_at=NOW + timedelta(days=1)))
    over = entry(comic, 1500, price_list(ends_at=NOW))
    result = price(pricing_input([comic], entries=[later, over]))
    reasons = {n.reason for n in result.explanation.price_lists[0].rejected}
    assert reasons == {ListReason.NOT_STARTED, ListReason.EXPIRED}
    assert result.line(comic.id).unit_price == eur(2000)


def test_a_list_price_above_the_base_price_is_ignored() -> None:
    comic = line(2000)
    result = price(pricing_input([comic], entries=[entry(comic, 2500)]))
    assert result.line(comic.id).unit_price == eur(2000)
    assert result.explanation.price_lists[0].rejected[0].reason is ListReason.ABOVE_BASE_PRICE


def test_an_inactive_list_does_not_apply() -> None:
    comic = line(2000)
    result = price(pricing_input([comic], entries=[entry(comic, 1000, price_list(active=False))]))
    assert result.line(comic.id).unit_price == eur(2000)

"""Net, VAT and gross per line and in total; shipping's VAT follows the goods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from emporium.contexts.pricing import RuleKind, VatRateMissing, price
from tests.pricing.builders import eur, line, pricing_input, rule


def test_vat_is_the_part_of_the_gross_price_at_the_categorys_rate() -> None:
    book, comic = line(1070, tax_category="reduced"), line(1190)
    result = price(pricing_input([book, comic]))
    assert result.line(book.id).vat == eur(70)
    assert result.line(comic.id).vat == eur(190)
    assert result.line(comic.id).net == eur(1000)
    assert result.totals.vat == eur(260)


def test_zero_rated_lines_carry_no_vat() -> None:
    gift = line(500, tax_category="zero")
    assert price(pricing_input([gift])).line(gift.id).vat == eur(0)


def test_vat_is_computed_on_the_discounted_gross() -> None:
    comic = line(1190)
    result = price(pricing_input([comic], rules=[rule(RuleKind.FIXED, amount=eur(595))]))
    assert result.line(comic.id).gross == eur(595)
    assert result.line(comic.id).vat == eur(95)


def test_net_rounds_half_up_and_vat_is_the_rest() -> None:
    comic = line(1)  # net 0.84 cents rounds to 1
    priced = price(pricing_input([comic])).line(comic.id)
    assert (priced.net, priced.vat) == (eur(1), eur(0))


def test_shipping_vat_is_split_over_the_lines_rates_by_their_gross() -> None:
    book, comic = line(1000, tax_category="reduced"), line(1000)
    result = price(pricing_input([book, comic], shipping=1000))
    # 5.00 at 7% (0.33) and 5.00 at 19% (0.80)
    assert result.shipping.vat == eur(113)
    assert result.totals.vat == result.line(book.id).vat + result.line(comic.id).vat + eur(113)


def test_a_destination_without_a_rate_for_the_category_is_refused() -> None:
    with pytest.raises(VatRateMissing):
        price(pricing_input([line()], rates={"zero": Decimal(0)}))

"""Bundle choices and bundle prices, on the pure functions (no database)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from emporium.contexts.pricing import (
    BundleChoice,
    BundlePricing,
    BundleSetSpec,
    BundleSpec,
    InvalidBundleChoice,
    price_bundle,
    validate_bundle_choice,
)
from emporium.kernel.ids import new_id
from tests.pricing.builders import eur

A, B, C, D = (new_id() for _ in range(4))
COMICS = BundleSetSpec(new_id(), "Pick three comics", 3, 3, (A, B, C))
EXTRA = BundleSetSpec(new_id(), "Add a slab case?", 0, 1, (D,))


def bundle(pricing: BundlePricing = BundlePricing.FIXED, **overrides: object) -> BundleSpec:
    values: dict[str, object] = {
        "id": new_id(),
        "title": "Starter pack",
        "currency": "EUR",
        "pricing": pricing,
        "sets": (COMICS, EXTRA),
        "amount": eur(2500) if pricing is BundlePricing.FIXED else None,
        "percent": Decimal(20) if pricing is BundlePricing.PERCENTAGE else None,
    }
    values.update(overrides)
    return BundleSpec(**values)  # type: ignore[arg-type]


def pick(spec: BundleSetSpec, variant: uuid.UUID, quantity: int = 1) -> BundleChoice:
    return BundleChoice(spec.id, variant, quantity)


def _problems(choices: list[BundleChoice]) -> list[str]:
    with pytest.raises(InvalidBundleChoice) as raised:
        validate_bundle_choice(bundle(), choices)
    assert raised.value.status == 422
    return [p["problem"] for p in raised.value.details["problems"]]


def test_a_valid_choice_adds_up_to_variants_and_quantities() -> None:
    chosen = [pick(COMICS, A, 2), pick(COMICS, C), pick(EXTRA, D)]
    assert validate_bundle_choice(bundle(), chosen) == [(A, 2), (C, 1), (D, 1)]


def test_optional_sets_may_be_left_out() -> None:
    assert validate_bundle_choice(bundle(), [pick(COMICS, B, 3)]) == [(B, 3)]


def test_too_few_items_in_a_set_are_refused() -> None:
    assert _problems([pick(COMICS, A, 2)]) == ["too_few"]


def test_too_many_items_in_a_set_are_refused() -> None:
    assert _problems([pick(COMICS, A, 3), pick(EXTRA, D, 2)]) == ["too_many"]


def test_an_item_from_elsewhere_is_refused_with_every_other_problem() -> None:
    problems = _problems([pick(COMICS, D), pick(BundleSetSpec(new_id(), "?", 0, 1, ()), A)])
    assert problems == ["not_in_set", "unknown_set", "too_few"]


def test_a_fixed_price_is_shared_by_the_components_in_proportion_to_their_prices() -> None:
    priced = price_bundle(bundle(), [(A, 2, eur(1000)), (C, 1, eur(1000))])
    assert priced.items_total == eur(3000)
    assert priced.price == eur(2500)
    assert [line.amount for line in priced.lines] == [eur(1667), eur(833)]
    assert priced.saving == eur(500)


def test_a_fixed_price_never_exceeds_the_items_on_their_own() -> None:
    priced = price_bundle(bundle(), [(A, 3, eur(500))])
    assert priced.price == eur(1500)


def test_a_percentage_bundle_takes_its_percent_off_the_items() -> None:
    priced = price_bundle(bundle(BundlePricing.PERCENTAGE), [(A, 1, eur(999)), (B, 2, eur(500))])
    assert priced.price == eur(1999 - 400)  # 20% of 19.99 is 4.00 (half-up)
    assert sum(line.amount.amount for line in priced.lines) == priced.price.amount

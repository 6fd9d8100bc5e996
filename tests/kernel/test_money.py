from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emporium.kernel.errors import ValidationFailed
from emporium.kernel.money import CurrencyMismatch, Money


def test_adds_amounts_of_one_currency() -> None:
    assert Money(1999, "EUR") + Money(1, "EUR") == Money(2000, "EUR")


def test_refuses_to_add_amounts_of_different_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(100, "EUR") + Money(100, "USD")


def test_refuses_to_compare_amounts_of_different_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        assert Money(100, "EUR") < Money(200, "USD")


def test_refuses_floats_and_bad_currency_codes() -> None:
    with pytest.raises(TypeError):
        Money(19.99, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        Money(100, "euro")


def test_rounds_rates_half_up_to_the_cent() -> None:
    assert Money(1005, "EUR").times(Decimal("0.1")) == Money(101, "EUR")  # 100.5 -> 101
    assert Money(1004, "EUR").times(Decimal("0.1")) == Money(100, "EUR")


def test_allocates_a_total_without_losing_a_cent() -> None:
    parts = Money(100, "EUR").allocate([1, 1, 1])
    assert parts == [Money(34, "EUR"), Money(33, "EUR"), Money(33, "EUR")]


def test_allocates_in_proportion_to_weights() -> None:
    parts = Money(1000, "EUR").allocate([1999, 2999, 5002])
    assert sum(p.amount for p in parts) == 1000
    assert parts == [Money(200, "EUR"), Money(300, "EUR"), Money(500, "EUR")]


def test_allocates_negative_totals_like_positive_ones() -> None:
    assert Money(-100, "EUR").allocate([1, 1, 1]) == [
        Money(-34, "EUR"),
        Money(-33, "EUR"),
        Money(-33, "EUR"),
    ]


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=50),
)
def test_allocation_always_sums_to_the_total_and_parts_differ_by_at_most_their_share(
    total: int, weights: list[int]
) -> None:
    parts = Money(total, "EUR").allocate(weights)
    assert sum(p.amount for p in parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights) or len(weights)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, weight in zip(parts, effective, strict=True):
        exact = abs(total) * weight / weight_sum
        assert abs(abs(part.amount) - exact) < 1 + 1e-6

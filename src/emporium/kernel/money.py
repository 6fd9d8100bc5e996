"""Money as integer minor units plus an ISO 4217 currency; never floats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emporium.kernel.errors import ValidationFailed

# Minor units per currency where it is not 2 (ISO 4217). Everything else has cents.
_EXPONENTS = {"JPY": 0, "KRW": 0, "HUF": 2, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "TND": 3}


class CurrencyMismatch(ValidationFailed):
    """Two amounts in different currencies were combined."""

    code = "VALIDATION_ERROR"


def exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount in minor units (cents) of one currency."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValidationFailed(
                "Currency must be a three-letter ISO 4217 code", details={"currency": self.currency}
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                "Cannot combine amounts in different currencies",
                details={"currencies": [self.currency, other.currency]},
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an int; use .times() for rates")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def times(self, rate: Decimal) -> Money:
        """This amount times a rate, rounded half-up to the minor unit."""
        value = (Decimal(self.amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(value), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split this amount over parts in proportion to weights, losing no minor unit.

        Remainders go to the parts with the largest fractional share first (ties to the
        earlier part), so the split is deterministic and the parts always sum to the total.
        Negative totals split like their absolute value, then negate.
        """
        if not weights:
            raise ValueError("allocate needs at least one weight")
        if any(w < 0 for w in weights):
            raise ValueError("weights must not be negative")
        total_weight = sum(weights)
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.amount)
        if total_weight == 0:
            # Nothing to weigh by: split evenly.
            weights = [1] * len(weights)
            total_weight = len(weights)
        shares = [whole * w // total_weight for w in weights]
        remainders = [whole * w % total_weight for w in weights]
        left = whole - sum(shares)
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    def __str__(self) -> str:
        exp = exponent(self.currency)
        value = Decimal(self.amount).scaleb(-exp)
        return f"{value:.{exp}f} {self.currency}"


def total(amounts: Sequence[Money], currency: str) -> Money:
    """The sum of amounts, all in one currency (zero for an empty list)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result

"""Rates: brackets of weight or order value, a free-shipping threshold, and quotes.

A bracket `{"up_to": N, "price": …}` covers measures up to N inclusive, from just above the
previous bracket's N; `up_to: null` (last only) has no upper bound. The measure is the
parcel's weight in grams for weight-based rates, the order's subtotal in minor units for
value-based ones. An order whose subtotal reaches the free-shipping threshold ships free.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.shipping.errors import (
    MethodDoesNotServe,
    MethodNotFound,
    NoRateForCart,
    UnknownCountry,
)
from emporium.contexts.shipping.models import RateBasis, ShippingMethod, ZoneCountry
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.money import Money


def country_code(value: str) -> str:
    """value as an upper-case ISO 3166-1 alpha-2 code; UnknownCountry otherwise."""
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise UnknownCountry(details={"country": value})
    return code


def _checked_country(value: str) -> str:
    try:
        return country_code(value)
    except UnknownCountry as exc:
        raise ValueError(exc.message) from None


Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_checked_country)]


class Bracket(Strict):
    up_to: int | None = Field(None, ge=0, le=10**12)
    price: MoneyIn


class RateIn(Strict):
    basis: RateBasis
    brackets: list[Bracket] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _ascending(self) -> RateIn:
        bounds = [b.up_to for b in self.brackets]
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("only the last bracket may leave up_to empty (no upper bound)")
        finite = [b for b in bounds if b is not None]
        if any(later <= earlier for earlier, later in itertools.pairwise(finite)):
            raise ValueError("brackets must be in strictly ascending order of up_to")
        if len({b.price.currency for b in self.brackets}) != 1:
            raise ValueError("every bracket must be priced in the same currency")
        return self

    @property
    def currency(self) -> str:
        return self.brackets[0].price.currency

    def stored(self) -> list[dict[str, Any]]:
        return [{"up_to": b.up_to, "amount": b.price.amount} for b in self.brackets]


class BracketOut(BaseModel):
    up_to: int | None
    price: MoneyOut


class RateOut(BaseModel):
    basis: RateBasis
    brackets: list[BracketOut]

    @classmethod
    def of(cls, method: ShippingMethod) -> RateOut:
        return cls(
            basis=RateBasis(method.rate_basis),
            brackets=[
                BracketOut(
                    up_to=b["up_to"], price=MoneyOut(amount=b["amount"], currency=method.currency)
                )
                for b in method.brackets
            ],
        )


def check_threshold(currency: str, threshold: MoneyIn | None) -> None:
    """The free-shipping threshold must be in the rate's currency."""
    if threshold is not None and threshold.currency != currency:
        raise ValidationFailed(
            "The free-shipping threshold must be in the rate's currency",
            details={"currency": threshold.currency, "rate_currency": currency},
        )


def price(method: ShippingMethod, *, weight_grams: int, subtotal: Money) -> Money | None:
    """What method charges for a cart, or None when no bracket covers it."""
    if subtotal.currency != method.currency:
        raise ValidationFailed(
            "The subtotal is in another currency than the shipping method",
            details={"currency": subtotal.currency, "method_currency": method.currency},
        )
    free_over = method.free_over
    measure = weight_grams if method.rate_basis == RateBasis.WEIGHT else subtotal.amount
    for bracket in method.brackets:
        if bracket["up_to"] is None or measure <= bracket["up_to"]:
            if free_over is not None and subtotal >= free_over:
                return Money.zero(method.currency)
            return Money(int(bracket["amount"]), method.currency)
    return None


async def serves(session: AsyncSession, method: ShippingMethod, country: str) -> bool:
    """Whether method's zone includes country."""
    found = await session.scalar(
        select(ZoneCountry.zone_id).where(
            ZoneCountry.zone_id == method.zone_id, ZoneCountry.country == country
        )
    )
    return found is not None


async def quote(
    session: AsyncSession,
    *,
    method_id: uuid.UUID,
    country: str,
    weight_grams: int,
    subtotal: Money,
) -> Money:
    """The shipping price of a cart; a clear error when the method cannot ship it there."""
    method = await session.get(ShippingMethod, method_id)
    if method is None or not method.active:
        raise MethodNotFound(details={"method_id": str(method_id)})
    code = country_code(country)
    if not await serves(session, method, code):
        raise MethodDoesNotServe(details={"method_id": str(method_id), "country": code})
    amount = price(method, weight_grams=weight_grams, subtotal=subtotal)
    if amount is None:
        raise NoRateForCart(
            details={
                "method_id": str(method_id),
                "weight_grams": weight_grams,
                **subtotal.to_dict(),
            }
        )
    return amount

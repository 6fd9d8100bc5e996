"""Cart totals: what the cart costs, priced by the pricing engine.

One call prices the whole cart (price lists, discount rules and the codes on the cart,
bundles, VAT of the destination) and keeps the engine's answer, explanation included, so the
checkout can snapshot exactly what the buyer saw. Lines that cannot be bought now
(archived, draft, suspended vendor) count for nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import pricing
from emporium.kernel.money import Money


@dataclass(frozen=True)
class CartLineRef:
    id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int
    bundle_id: uuid.UUID | None = None
    bundle_amount: Money | None = None  # the line's share of its bundle's price


@dataclass(frozen=True)
class CartContents:
    """What a cart's price depends on."""

    id: uuid.UUID
    user_id: uuid.UUID | None
    currency: str
    lines: tuple[CartLineRef, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineTotals:
    unit_price: Money
    subtotal: Money
    discount: Money
    vat: Money
    total: Money


@dataclass(frozen=True)
class CartDiscount:
    """A discount on the cart: an applied rule, or an entered code that does not apply now."""

    code: str | None
    rule_id: uuid.UUID | None
    name: str | None
    applied: bool
    amount: Money
    reason: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class CartTotals:
    subtotal: Money
    discount: Money
    shipping: Money
    vat: Money
    total: Money
    result: pricing.PricingResult
    lines: dict[uuid.UUID, LineTotals] = field(default_factory=dict)
    discounts: tuple[CartDiscount, ...] = ()


async def pricing_input(
    session: AsyncSession,
    cart: CartContents,
    *,
    country: str,
    now: datetime,
    shipping: Money | None = None,
) -> pricing.PricingInput:
    """What the pricing engine needs to price this cart (for `cart_totals` or a code check)."""
    return await pricing.build_input(
        session,
        [
            pricing.LineRequest(
                line.id, line.variant_id, line.quantity, line.bundle_id, line.bundle_amount
            )
            for line in cart.lines
        ],
        customer_id=cart.user_id,
        codes=cart.codes,
        country=country,
        shipping=shipping or Money.zero(cart.currency),
        now=now,
    )


async def cart_totals(
    session: AsyncSession,
    cart: CartContents,
    *,
    country: str,
    now: datetime,
    shipping: Money | None = None,
) -> CartTotals:
    """The cart's totals, each purchasable line's, and the discounts, for a destination."""
    data = await pricing_input(session, cart, country=country, now=now, shipping=shipping)
    result = pricing.price(data)
    totals = result.totals
    return CartTotals(
        subtotal=totals.subtotal,
        discount=totals.discount,
        shipping=totals.shipping,
        vat=totals.vat,
        total=totals.total,
        result=result,
        lines={
            line.line_id: LineTotals(
                line.unit_price, line.subtotal, line.discount, line.vat, line.gross
            )
            for line in result.lines
        },
        discounts=_discounts(result, cart.codes),
    )


def _discounts(result: pricing.PricingResult, codes: tuple[str, ...]) -> tuple[CartDiscount, ...]:
    """Applied rules in the order they applied, then entered codes that do not apply, and why."""
    explanation = result.explanation
    found = [
        CartDiscount(rule.code, rule.rule_id, rule.name, True, rule.amount)
        for rule in explanation.applied
    ]
    applied_codes = {rule.code for rule in explanation.applied if rule.code}
    skipped = {rule.code: rule for rule in explanation.not_applied if rule.code}
    zero = Money.zero(result.currency)
    for code in codes:
        wanted = pricing.normalize_code(code)
        if wanted in applied_codes:
            continue
        why = skipped.get(wanted)
        if why is None:
            found.append(
                CartDiscount(wanted, None, None, False, zero, "unknown_code", "No such code")
            )
            continue
        found.append(
            CartDiscount(wanted, why.rule_id, why.name, False, zero, why.reason.value, why.message)
        )
    return tuple(found)

"""Cart totals: what the cart costs. Issue 5's pricing engine replaces the inside of
`cart_totals` (price lists, discounts); its signature and result stay.

Until then: unit price = the variant's gross price, discount and shipping 0, the VAT part
per line from the destination's rate for the line's tax category, rounded half-up per line.
Lines that cannot be bought now (archived, draft, suspended vendor) count for nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog, pricing
from emporium.kernel.money import Money


@dataclass(frozen=True)
class CartLineRef:
    id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class CartContents:
    """What a cart's price depends on."""

    id: uuid.UUID
    user_id: uuid.UUID | None
    currency: str
    lines: tuple[CartLineRef, ...] = ()


@dataclass(frozen=True)
class LineTotals:
    unit_price: Money
    subtotal: Money
    discount: Money
    vat: Money
    total: Money


@dataclass(frozen=True)
class CartTotals:
    subtotal: Money
    discount: Money
    shipping: Money
    vat: Money
    total: Money
    lines: dict[uuid.UUID, LineTotals] = field(default_factory=dict)


async def cart_totals(session: AsyncSession, cart: CartContents, *, country: str) -> CartTotals:
    """The cart's totals and each purchasable line's, for a destination country."""
    infos = await catalog.variant_infos(session, [line.variant_id for line in cart.lines])
    rates = await pricing.vat_rates(session, country)
    zero = Money.zero(cart.currency)
    priced: dict[uuid.UUID, LineTotals] = {}
    for line in cart.lines:
        info = infos.get(line.variant_id)
        if info is None or not info.purchasable:
            continue
        gross = info.price * line.quantity
        rate = rates.get(info.tax_category, rates.get("standard", Decimal(0)))
        vat = pricing.vat_part(gross, rate)
        priced[line.id] = LineTotals(info.price, gross, zero, vat, gross)
    subtotal = sum((p.subtotal for p in priced.values()), zero)
    vat = sum((p.vat for p in priced.values()), zero)
    return CartTotals(
        subtotal=subtotal, discount=zero, shipping=zero, vat=vat, total=subtotal, lines=priced
    )

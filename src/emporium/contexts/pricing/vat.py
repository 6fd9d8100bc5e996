"""VAT on gross prices: the VAT part of a VAT-inclusive amount, rounded half-up to the cent."""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.pricing.models import VatRate
from emporium.kernel.money import Money

# Standard and one reduced rate of the 27 EU states (as of 2026); admins can edit them.
EU_VAT_RATES: dict[str, tuple[str, str]] = {
    "AT": ("0.20", "0.10"),
    "BE": ("0.21", "0.06"),
    "BG": ("0.20", "0.09"),
    "HR": ("0.25", "0.05"),
    "CY": ("0.19", "0.05"),
    "CZ": ("0.21", "0.12"),
    "DK": ("0.25", "0.25"),
    "EE": ("0.24", "0.09"),
    "FI": ("0.255", "0.14"),
    "FR": ("0.20", "0.055"),
    "DE": ("0.19", "0.07"),
    "GR": ("0.24", "0.13"),
    "HU": ("0.27", "0.05"),
    "IE": ("0.23", "0.135"),
    "IT": ("0.22", "0.10"),
    "LV": ("0.21", "0.12"),
    "LT": ("0.21", "0.09"),
    "LU": ("0.17", "0.08"),
    "MT": ("0.18", "0.07"),
    "NL": ("0.21", "0.09"),
    "PL": ("0.23", "0.08"),
    "PT": ("0.23", "0.06"),
    "RO": ("0.21", "0.11"),
    "SK": ("0.23", "0.19"),
    "SI": ("0.22", "0.095"),
    "ES": ("0.21", "0.10"),
    "SE": ("0.25", "0.12"),
}


def vat_part(gross: Money, rate: Decimal) -> Money:
    """The VAT inside a gross amount: gross - net, net = gross / (1 + rate) rounded half-up."""
    if rate == 0:
        return Money.zero(gross.currency)
    net = (Decimal(gross.amount) / (Decimal(1) + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(gross.amount - int(net), gross.currency)


async def vat_rates(session: AsyncSession, country: str) -> dict[str, Decimal]:
    """Rates by tax category for a destination; zero-rated goods are always 0."""
    rows = await session.execute(
        select(VatRate.tax_category, VatRate.rate).where(VatRate.country == country.upper())
    )
    rates = {category: Decimal(rate) for category, rate in rows}
    rates.setdefault("zero", Decimal(0))
    return rates


VAT_CACHE = "pricing.vat_cache"


class VatRateCache:
    """Rates per country held for a few seconds: the storefront asks on every product view.

    An edit in this process clears it at once; other API processes see it within
    `ttl_seconds` (rates change a few times a year, and the gross price never depends on
    them: only the VAT part shown beside it).
    """

    def __init__(self, ttl_seconds: float = 5.0) -> None:
        self._ttl = ttl_seconds
        self._entries: dict[str, tuple[float, dict[str, Decimal]]] = {}

    async def rates(self, session: AsyncSession, country: str) -> dict[str, Decimal]:
        key = country.upper()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        rates = await vat_rates(session, key)
        self._entries[key] = (time.monotonic() + self._ttl, rates)
        return rates

    def invalidate(self) -> None:
        self._entries.clear()

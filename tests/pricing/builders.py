"""Builders for pure pricing-engine tests: lines, rules, price lists and inputs in EUR."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from emporium.contexts.pricing import (
    Customer,
    DiscountRule,
    PriceEntry,
    PriceList,
    PricingInput,
    PricingLine,
    RuleKind,
)
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
VENDOR = uuid.UUID("00000000-0000-7000-8000-000000000001")
DE_RATES = {"standard": Decimal("0.19"), "reduced": Decimal("0.07"), "zero": Decimal(0)}


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def line(price: int = 1000, quantity: int = 1, **overrides: Any) -> PricingLine:
    values: dict[str, Any] = {
        "id": new_id(),
        "variant_id": new_id(),
        "product_id": new_id(),
        "vendor_id": VENDOR,
        "quantity": quantity,
        "unit_price": eur(price),
        "tax_category": "standard",
    }
    values.update(overrides)
    return PricingLine(**values)


def rule(kind: RuleKind = RuleKind.PERCENTAGE, **overrides: Any) -> DiscountRule:
    values: dict[str, Any] = {"id": new_id(), "name": f"{kind.value} rule", "kind": kind}
    values.update(overrides)
    return DiscountRule(**values)


def price_list(**overrides: Any) -> PriceList:
    values: dict[str, Any] = {"id": new_id(), "name": "Everyone", "currency": "EUR"}
    values.update(overrides)
    return PriceList(**values)


def entry(of: PricingLine, cents: int, terms: PriceList | None = None, **kw: Any) -> PriceEntry:
    return PriceEntry(
        price_list=terms or price_list(), variant_id=of.variant_id, price=eur(cents), **kw
    )


def pricing_input(
    lines: Iterable[PricingLine],
    *,
    rules: Iterable[DiscountRule] = (),
    entries: Iterable[PriceEntry] = (),
    customer: Customer | None = None,
    codes: Iterable[str] = (),
    shipping: int = 0,
    rates: dict[str, Decimal] | None = None,
    now: datetime = NOW,
) -> PricingInput:
    return PricingInput(
        currency="EUR",
        lines=tuple(lines),
        country="DE",
        shipping=eur(shipping),
        now=now,
        vat_rates=rates or DE_RATES,
        customer=customer or Customer(),
        codes=frozenset(codes),
        rules=tuple(rules),
        price_entries=tuple(entries),
    )

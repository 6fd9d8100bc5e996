"""What a checkout will buy and at what price, as its saga carries it (plain JSON) between steps.

The price is taken once, by the first step, and never again: the order's lines store these
snapshots, so a price or VAT change during payment does not change what the buyer pays.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emporium.kernel.events import to_json
from emporium.kernel.money import Money


def money(value: Mapping[str, Any]) -> Money:
    return Money(int(value["amount"]), str(value["currency"]))


@dataclass(frozen=True)
class PlannedLine:
    """One cart line, priced."""

    line_id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str
    title: str
    quantity: int
    weight_grams: int
    unit_price: Money
    discount: Money
    vat: Money
    total: Money  # gross after discounts
    snapshot: dict[str, Any]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> PlannedLine:
        return cls(
            line_id=uuid.UUID(data["line_id"]),
            variant_id=uuid.UUID(data["variant_id"]),
            product_id=uuid.UUID(data["product_id"]),
            vendor_id=uuid.UUID(data["vendor_id"]),
            sku=str(data["sku"]),
            title=str(data["title"]),
            quantity=int(data["quantity"]),
            weight_grams=int(data["weight_grams"]),
            unit_price=money(data["unit_price"]),
            discount=money(data["discount"]),
            vat=money(data["vat"]),
            total=money(data["total"]),
            snapshot=dict(data["snapshot"]),
        )


@dataclass(frozen=True)
class Plan:
    """The priced cart: its lines, its totals, and the discount rules an order redeems."""

    lines: tuple[PlannedLine, ...]
    totals: dict[str, Money]  # subtotal, discount, shipping, vat, total, shipping_gross
    rule_ids: tuple[uuid.UUID, ...]
    pricing: dict[str, Any]  # the engine's totals and explanation, kept with the order

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = to_json(
            {
                "lines": [vars(line) for line in self.lines],
                "totals": self.totals,
                "rule_ids": list(self.rule_ids),
                "pricing": self.pricing,
            }
        )
        return value

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            lines=tuple(PlannedLine.of(line) for line in data["lines"]),
            totals={name: money(value) for name, value in data["totals"].items()},
            rule_ids=tuple(uuid.UUID(rule_id) for rule_id in data["rule_ids"]),
            pricing=dict(data["pricing"]),
        )

    @property
    def total(self) -> Money:
        return self.totals["total"]

    def weight_of(self, vendor_id: uuid.UUID) -> int:
        return sum(
            line.weight_grams * line.quantity for line in self.lines if line.vendor_id == vendor_id
        )

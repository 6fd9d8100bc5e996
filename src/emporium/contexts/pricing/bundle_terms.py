"""Bundles (seed 003): sets of choices with min/max quantities, and what a chosen bundle costs.

Pure functions of loaded values: `validate_bundle_choice` says what the choices add up to
(or 422 with every problem), `price_bundle` prices them and splits the bundle's price over
its components with Money.allocate, weighted by each component's own price, so every
component line carries its share and VAT is computed per line at its own rate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from emporium.contexts.pricing.errors import InvalidBundleChoice
from emporium.kernel.money import Money, total


class BundlePricing(StrEnum):
    FIXED = "fixed"  # the bundle's own price for the chosen items
    PERCENTAGE = "percentage"  # a percentage off the chosen items' prices


@dataclass(frozen=True)
class BundleSetSpec:
    id: uuid.UUID
    title: str
    min_quantity: int
    max_quantity: int
    variant_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class BundleSpec:
    id: uuid.UUID
    title: str
    currency: str
    pricing: BundlePricing
    sets: tuple[BundleSetSpec, ...]
    amount: Money | None = None
    percent: Decimal | None = None
    active: bool = True


@dataclass(frozen=True)
class BundleChoice:
    set_id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class BundleLine:
    variant_id: uuid.UUID
    quantity: int
    unit_price: Money  # the item's own price
    amount: Money  # this line's share of the bundle's price


@dataclass(frozen=True)
class BundlePrice:
    bundle_id: uuid.UUID
    items_total: Money  # the chosen items at their own prices
    price: Money  # what the bundle costs
    lines: tuple[BundleLine, ...]

    @property
    def saving(self) -> Money:
        return self.items_total - self.price


def _tally(
    bundle: BundleSpec, choices: Sequence[BundleChoice]
) -> tuple[dict[uuid.UUID, dict[uuid.UUID, int]], list[dict[str, Any]]]:
    sets = {s.id: s for s in bundle.sets}
    chosen: dict[uuid.UUID, dict[uuid.UUID, int]] = {s.id: {} for s in bundle.sets}
    problems: list[dict[str, Any]] = []
    for index, choice in enumerate(choices):
        where = {
            "choice": index,
            "set_id": str(choice.set_id),
            "variant_id": str(choice.variant_id),
        }
        found = sets.get(choice.set_id)
        if found is None:
            problems.append({**where, "problem": "unknown_set"})
        elif choice.variant_id not in found.variant_ids:
            problems.append({**where, "problem": "not_in_set"})
        elif choice.quantity < 1:
            problems.append({**where, "problem": "quantity_not_positive"})
        else:
            picks = chosen[found.id]
            picks[choice.variant_id] = picks.get(choice.variant_id, 0) + choice.quantity
    return chosen, problems


def validate_bundle_choice(
    bundle: BundleSpec, choices: Sequence[BundleChoice]
) -> list[tuple[uuid.UUID, int]]:
    """The variants and quantities the choices add up to; 422 listing every problem if invalid.

    Each set's chosen quantity must lie within its [min_quantity, max_quantity]; a variant
    chosen in two sets adds up. The order is the sets' order, then the items' order.
    """
    chosen, problems = _tally(bundle, choices)
    for spec in bundle.sets:
        count = sum(chosen[spec.id].values())
        if not spec.min_quantity <= count <= spec.max_quantity:
            problems.append(
                {
                    "set_id": str(spec.id),
                    "title": spec.title,
                    "problem": "too_few" if count < spec.min_quantity else "too_many",
                    "min_quantity": spec.min_quantity,
                    "max_quantity": spec.max_quantity,
                    "chosen": count,
                }
            )
    if not problems and not any(chosen.values()):
        problems.append({"problem": "nothing_chosen"})
    if problems:
        raise InvalidBundleChoice(details={"bundle_id": str(bundle.id), "problems": problems})
    merged: dict[uuid.UUID, int] = {}
    for spec in bundle.sets:
        for variant_id in spec.variant_ids:
            if variant_id in chosen[spec.id]:
                merged[variant_id] = merged.get(variant_id, 0) + chosen[spec.id][variant_id]
    return list(merged.items())


def price_bundle(
    bundle: BundleSpec, components: Sequence[tuple[uuid.UUID, int, Money]]
) -> BundlePrice:
    """What the chosen components cost as this bundle, and each one's share.

    A fixed price never exceeds what the items cost on their own (prices may have fallen
    since the bundle was made): a bundle is a deal or it is nothing.
    """
    weights = [unit.amount * quantity for _, quantity, unit in components]
    items_total = total([unit * quantity for _, quantity, unit in components], bundle.currency)
    if bundle.pricing is BundlePricing.FIXED:
        assert bundle.amount is not None
        price = min(bundle.amount, items_total)
    else:
        price = items_total - items_total.times((bundle.percent or Decimal(0)) / 100)
    shares = price.allocate(weights) if components else []
    lines = tuple(
        BundleLine(variant_id, quantity, unit, share)
        for (variant_id, quantity, unit), share in zip(components, shares, strict=True)
    )
    return BundlePrice(bundle.id, items_total, price, lines)

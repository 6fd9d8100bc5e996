"""Derived product fields kept in step with its variants: price range, attribute index, version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from emporium.contexts.catalog.models import AttributeValue, Product, Variant
from emporium.kernel.uow import UnitOfWork


def attribute_pairs(*sources: dict[str, Any]) -> set[tuple[str, str]]:
    """Distinct (key, normalised value) pairs, as the attribute filter matches them."""
    pairs: set[tuple[str, str]] = set()
    for attributes in sources:
        for key, value in attributes.items():
            pairs.add((key, normalise_value(value)))
    return pairs


def normalise_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()[:200]


async def refresh_product(uow: UnitOfWork, product: Product) -> None:
    """Recompute price range and attribute index from the active variants; bump the version."""
    variants = list(
        await uow.session.scalars(
            select(Variant).where(Variant.product_id == product.id, Variant.archived_at.is_(None))
        )
    )
    prices = [v.price_amount for v in variants]
    product.price_min = min(prices) if prices else None
    product.price_max = max(prices) if prices else None
    product.version = (product.version or 0) + 1
    product.updated_at = uow.clock.now()
    pairs = attribute_pairs(product.attributes or {}, *(v.attributes or {} for v in variants))
    await uow.session.execute(delete(AttributeValue).where(AttributeValue.product_id == product.id))
    if pairs:
        await uow.session.execute(
            insert(AttributeValue),
            [{"product_id": product.id, "key": k, "value": v} for k, v in sorted(pairs)],
        )

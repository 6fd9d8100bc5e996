"""Buyers see bundles and price their choices; carts add a chosen bundle's component lines.

Adding a bundle to a cart (`POST /store/carts/{id}/bundles`, the cart context's route):
`prepare_bundle` validates the choices and prices them, `inventory.reserve_many` reserves
every component or none, and the cart stores one line per component carrying the bundle
id and its share of the price (`LineRequest(bundle_id=…, bundle_amount=…)` for pricing).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.pricing.bundle_schemas import (
    BundleChoices,
    BundleLineRead,
    BundleQuote,
    BundleRead,
)
from emporium.contexts.pricing.bundle_terms import (
    BundleChoice,
    BundlePrice,
    BundlePricing,
    BundleSetSpec,
    BundleSpec,
    price_bundle,
    validate_bundle_choice,
)
from emporium.contexts.pricing.bundles import bundle_read, get_bundle
from emporium.contexts.pricing.errors import InvalidBundleChoice
from emporium.contexts.pricing.models import BundleRecord
from emporium.contexts.pricing.queries import page_by_id
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.money import Money

router = APIRouter(prefix="/store/bundles", tags=["bundles"])


async def load_bundle(session: AsyncSession, bundle_id: uuid.UUID | str) -> BundleSpec:
    """The active bundle as the pure functions see it (404 if missing or inactive)."""
    row = await get_bundle(session, str(bundle_id), active_only=True)
    read = await bundle_read(session, row)
    return BundleSpec(
        id=row.id,
        title=row.title,
        currency=row.currency,
        pricing=BundlePricing(row.pricing),
        sets=tuple(
            BundleSetSpec(s.id, s.title, s.min_quantity, s.max_quantity, tuple(s.variant_ids))
            for s in read.sets
        ),
        amount=Money(row.amount, row.currency) if row.amount is not None else None,
        percent=Decimal(row.percent) if row.percent is not None else None,
        active=row.active,
    )


async def prepare_bundle(
    session: AsyncSession, bundle_id: uuid.UUID | str, choices: Sequence[BundleChoice]
) -> BundlePrice:
    """Validate choices of a bundle (422 with every problem) and price its component lines."""
    bundle = await load_bundle(session, bundle_id)
    components = validate_bundle_choice(bundle, choices)
    infos = await catalog.variant_infos(session, [variant_id for variant_id, _ in components])
    gone = [
        {"variant_id": str(variant_id), "problem": "not_available"}
        for variant_id, _ in components
        if variant_id not in infos
        or not infos[variant_id].purchasable
        or infos[variant_id].price.currency != bundle.currency
    ]
    if gone:
        raise InvalidBundleChoice(
            "Some chosen items cannot be bought now",
            details={"bundle_id": str(bundle.id), "problems": gone},
        )
    return price_bundle(
        bundle,
        [(variant_id, quantity, infos[variant_id].price) for variant_id, quantity in components],
    )


@router.get("", response_model=Page[BundleRead])
async def list_bundles(
    runtime: RuntimeDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[BundleRead]:
    stmt = select(BundleRecord).where(BundleRecord.active.is_(True))
    async with runtime.db.read() as session:
        rows, after = await page_by_id(session, stmt, BundleRecord.id, limit=limit, cursor=cursor)
        return Page(items=[await bundle_read(session, r) for r in rows], next_cursor=after)


@router.get("/{bundle_id}", response_model=BundleRead)
async def get_one(bundle_id: str, runtime: RuntimeDep) -> BundleRead:
    async with runtime.db.read() as session:
        return await bundle_read(session, await get_bundle(session, bundle_id, active_only=True))


@router.post("/{bundle_id}/quote", response_model=BundleQuote)
async def quote(bundle_id: str, body: BundleChoices, runtime: RuntimeDep) -> BundleQuote:
    """What these choices would cost as the bundle, and each component's share."""
    choices = [BundleChoice(c.set_id, c.variant_id, c.quantity) for c in body.choices]
    async with runtime.db.read() as session:
        priced = await prepare_bundle(session, bundle_id, choices)
    return BundleQuote(
        bundle_id=priced.bundle_id,
        items_total=MoneyOut.of(priced.items_total),
        price=MoneyOut.of(priced.price),
        saving=MoneyOut.of(priced.saving),
        lines=[
            BundleLineRead(
                variant_id=line.variant_id,
                quantity=line.quantity,
                unit_price=MoneyOut.of(line.unit_price),
                amount=MoneyOut.of(line.amount),
            )
            for line in priced.lines
        ],
    )

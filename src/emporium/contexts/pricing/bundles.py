"""Admins define bundles: sets of items to choose from, priced fixed or as a percentage off."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.pricing.bundle_schemas import (
    BundleCreate,
    BundleRead,
    BundleSetRead,
    BundleUpdate,
)
from emporium.contexts.pricing.bundle_terms import BundlePricing
from emporium.contexts.pricing.errors import BundleNotFound, InvalidPricingData
from emporium.contexts.pricing.events import BundleChanged
from emporium.contexts.pricing.models import BundleItemRecord, BundleRecord, BundleSetRecord
from emporium.contexts.pricing.queries import page_by_id
from emporium.contexts.pricing.schemas import hundredths, merge_patch
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/bundles", tags=["admin: pricing"])


async def get_bundle(
    session: AsyncSession, bundle_id: str, *, active_only: bool = False
) -> BundleRecord:
    key = parse_id(bundle_id)
    row = await session.get(BundleRecord, key) if key else None
    if row is None or (active_only and not row.active):
        raise BundleNotFound()
    return row


async def bundle_read(session: AsyncSession, row: BundleRecord) -> BundleRead:
    """A bundle with its sets and their items, in their positions."""
    sets = list(
        await session.scalars(
            select(BundleSetRecord)
            .where(BundleSetRecord.bundle_id == row.id)
            .order_by(BundleSetRecord.position)
        )
    )
    items = await session.execute(
        select(BundleItemRecord.set_id, BundleItemRecord.variant_id)
        .where(BundleItemRecord.set_id.in_([s.id for s in sets]))
        .order_by(BundleItemRecord.position)
    )
    by_set: dict[uuid.UUID, list[uuid.UUID]] = {s.id: [] for s in sets}
    for set_id, variant_id in items:
        by_set[set_id].append(variant_id)
    return BundleRead(
        id=row.id,
        title=row.title,
        description=row.description,
        pricing=BundlePricing(row.pricing),
        price=MoneyOut(amount=row.amount, currency=row.currency)
        if row.amount is not None
        else None,
        percent=hundredths(row.percent),
        active=row.active,
        sets=[
            BundleSetRead(
                id=s.id,
                title=s.title,
                position=s.position,
                min_quantity=s.min_quantity,
                max_quantity=s.max_quantity,
                variant_ids=by_set[s.id],
            )
            for s in sets
        ],
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def save_bundle(
    uow: UnitOfWork, row: BundleRecord, body: BundleCreate, *, currency: str
) -> None:
    """Write the bundle and replace its sets (422 for unknown variants or a foreign currency)."""
    wanted = [v for s in body.sets for v in s.variant_ids]
    infos = await catalog.variant_infos(uow.session, wanted)
    unknown = sorted({str(v) for v in wanted if v not in infos})
    if unknown:
        raise InvalidPricingData("Unknown variants in the bundle", details={"variant_ids": unknown})
    if body.price is not None and body.price.currency != currency:
        raise InvalidPricingData(
            f"The price must be in {currency}", details={"currency": body.price.currency}
        )
    row.title, row.description, row.active = body.title, body.description, body.active
    row.currency, row.pricing = currency, body.pricing.value
    row.amount = body.price.amount if body.price else None
    row.percent = body.percent
    row.updated_at = uow.clock.now()
    old_sets = select(BundleSetRecord.id).where(BundleSetRecord.bundle_id == row.id)
    await uow.session.execute(delete(BundleItemRecord).where(BundleItemRecord.set_id.in_(old_sets)))
    await uow.session.execute(delete(BundleSetRecord).where(BundleSetRecord.bundle_id == row.id))
    await uow.flush()  # the bundle row first: sets and items refer to it
    sets = [
        BundleSetRecord(
            id=new_id(),
            bundle_id=row.id,
            title=spec.title,
            position=position,
            min_quantity=spec.min_quantity,
            max_quantity=spec.max_quantity,
        )
        for position, spec in enumerate(body.sets)
    ]
    uow.session.add_all(sets)
    await uow.flush()
    uow.session.add_all(
        BundleItemRecord(set_id=set_row.id, variant_id=variant_id, position=item_position)
        for set_row, spec in zip(sets, body.sets, strict=True)
        for item_position, variant_id in enumerate(spec.variant_ids)
    )
    await uow.flush()
    uow.record(BundleChanged(id=row.id, title=row.title))


@router.post("", status_code=201, response_model=BundleRead)
async def post_bundle(body: BundleCreate, _: AdminPrincipal, runtime: RuntimeDep) -> BundleRead:
    async with runtime.uow() as uow:
        now = uow.clock.now()
        row = BundleRecord(id=new_id(), created_at=now, updated_at=now)
        uow.session.add(row)
        await save_bundle(uow, row, body, currency=runtime.settings.default_currency)
        read = await bundle_read(uow.session, row)
        await uow.commit()
    return read


@router.get("", response_model=Page[BundleRead])
async def list_bundles(
    _: AdminPrincipal, runtime: RuntimeDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[BundleRead]:
    async with runtime.db.read() as session:
        rows, after = await page_by_id(
            session, select(BundleRecord), BundleRecord.id, limit=limit, cursor=cursor
        )
        return Page(items=[await bundle_read(session, r) for r in rows], next_cursor=after)


@router.get("/{bundle_id}", response_model=BundleRead)
async def get_one(bundle_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> BundleRead:
    async with runtime.db.read() as session:
        return await bundle_read(session, await get_bundle(session, bundle_id))


@router.patch("/{bundle_id}", response_model=BundleRead)
async def patch_bundle(
    bundle_id: str, body: BundleUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> BundleRead:
    async with runtime.uow() as uow:
        row = await get_bundle(uow.session, bundle_id)
        current = await bundle_read(uow.session, row)
        merged = merge_patch(current.as_create(), body, BundleCreate)
        await save_bundle(uow, row, merged, currency=runtime.settings.default_currency)
        read = await bundle_read(uow.session, row)
        await uow.commit()
    return read


@router.delete("/{bundle_id}", status_code=204)
async def delete_bundle(bundle_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        row = await get_bundle(uow.session, bundle_id)
        await uow.session.delete(row)
        uow.record(BundleChanged(id=row.id, title=row.title, deleted=True))
        await uow.commit()
    return Response(status_code=204)

"""Price lists: a variant's price for a customer group (or everyone), with quantity breaks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.pricing.customer_groups import get_group
from emporium.contexts.pricing.errors import (
    InvalidPricingData,
    PriceEntryNotFound,
    PriceListNotFound,
)
from emporium.contexts.pricing.events import PriceListChanged
from emporium.contexts.pricing.models import PriceListEntryRecord, PriceListRecord
from emporium.contexts.pricing.queries import page_by_id
from emporium.contexts.pricing.schemas import check_window
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/price-lists", tags=["admin: pricing"])


class PriceListCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Default: the store's")
    customer_group_id: uuid.UUID | None = Field(None, description="None: for everyone")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    active: bool = True


class PriceListUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    customer_group_id: uuid.UUID | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    active: bool | None = None


class PriceListRead(BaseModel):
    id: uuid.UUID
    name: str
    currency: str
    customer_group_id: uuid.UUID | None
    starts_at: datetime | None
    ends_at: datetime | None
    active: bool
    entry_count: int = 0
    created_at: datetime
    updated_at: datetime


class PriceEntryIn(Strict):
    variant_id: uuid.UUID
    price: MoneyIn
    min_quantity: int = Field(1, ge=1, le=1_000_000)


class PriceEntries(Strict):
    entries: list[PriceEntryIn] = Field(min_length=1, max_length=1000)


class PriceEntryRead(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID
    price: MoneyOut
    min_quantity: int


def _entry_read(row: PriceListEntryRecord, currency: str) -> PriceEntryRead:
    return PriceEntryRead(
        id=row.id,
        variant_id=row.variant_id,
        price=MoneyOut(amount=row.amount, currency=currency),
        min_quantity=row.min_quantity,
    )


async def _get(session: AsyncSession, price_list_id: str) -> PriceListRecord:
    key = parse_id(price_list_id)
    found = await session.get(PriceListRecord, key) if key else None
    if found is None:
        raise PriceListNotFound()
    return found


async def _read(session: AsyncSession, row: PriceListRecord) -> PriceListRead:
    count = await session.scalar(
        select(func.count()).where(PriceListEntryRecord.price_list_id == row.id)
    )
    read = PriceListRead.model_validate(row, from_attributes=True)
    read.entry_count = int(count or 0)
    return read


async def _apply(uow: UnitOfWork, row: PriceListRecord, values: dict[str, Any]) -> None:
    if values.get("customer_group_id") is not None:
        await get_group(uow.session, values["customer_group_id"])
    for field, value in values.items():
        setattr(row, field, value)
    check_window(row.starts_at, row.ends_at)


async def upsert_entries(
    uow: UnitOfWork, row: PriceListRecord, entries: list[PriceEntryIn]
) -> list[PriceListEntryRecord]:
    """Add or change entries, keyed by (variant, minimum quantity)."""
    keys = [(e.variant_id, e.min_quantity) for e in entries]
    problems: list[dict[str, Any]] = []
    if len(set(keys)) != len(keys):
        problems.append({"message": "an entry is given twice for one variant and quantity"})
    infos = await catalog.variant_infos(uow.session, [e.variant_id for e in entries])
    for e in entries:
        if e.variant_id not in infos:
            problems.append({"variant_id": str(e.variant_id), "message": "unknown variant"})
        if e.price.currency != row.currency:
            problems.append(
                {"variant_id": str(e.variant_id), "message": f"price must be in {row.currency}"}
            )
    if problems:
        raise InvalidPricingData("These entries cannot be saved", details={"problems": problems})
    existing = {
        (r.variant_id, r.min_quantity): r
        for r in await uow.session.scalars(
            select(PriceListEntryRecord).where(PriceListEntryRecord.price_list_id == row.id)
        )
    }
    saved = []
    for e in entries:
        entry = existing.get((e.variant_id, e.min_quantity))
        if entry is None:
            entry = PriceListEntryRecord(
                id=new_id(),
                price_list_id=row.id,
                variant_id=e.variant_id,
                min_quantity=e.min_quantity,
            )
            uow.session.add(entry)
        entry.amount = e.price.amount
        saved.append(entry)
    row.updated_at = uow.clock.now()
    uow.record(PriceListChanged(id=row.id, changed=["entries"]))
    return saved


@router.post("", status_code=201, response_model=PriceListRead)
async def post_price_list(
    body: PriceListCreate, _: AdminPrincipal, runtime: RuntimeDep
) -> PriceListRead:
    async with runtime.uow() as uow:
        now = uow.clock.now()
        row = PriceListRecord(
            id=new_id(),
            currency=body.currency or runtime.settings.default_currency,
            created_at=now,
            updated_at=now,
        )
        await _apply(uow, row, body.model_dump(exclude={"currency"}))
        uow.session.add(row)
        await uow.flush()
        uow.record(PriceListChanged(id=row.id, changed=["created"]))
        read = await _read(uow.session, row)
        await uow.commit()
    return read


@router.get("", response_model=Page[PriceListRead])
async def list_price_lists(
    _: AdminPrincipal, runtime: RuntimeDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[PriceListRead]:
    async with runtime.db.read() as session:
        rows, after = await page_by_id(
            session, select(PriceListRecord), PriceListRecord.id, limit=limit, cursor=cursor
        )
        return Page(items=[await _read(session, r) for r in rows], next_cursor=after)


@router.get("/{price_list_id}", response_model=PriceListRead)
async def get_price_list(
    price_list_id: str, _: AdminPrincipal, runtime: RuntimeDep
) -> PriceListRead:
    async with runtime.db.read() as session:
        return await _read(session, await _get(session, price_list_id))


@router.patch("/{price_list_id}", response_model=PriceListRead)
async def patch_price_list(
    price_list_id: str, body: PriceListUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> PriceListRead:
    async with runtime.uow() as uow:
        row = await _get(uow.session, price_list_id)
        values = body.model_dump(exclude_unset=True)
        if values.get("name", "") is None or values.get("active", False) is None:
            raise InvalidPricingData("name and active cannot be null")
        await _apply(uow, row, values)
        row.updated_at = uow.clock.now()
        uow.record(PriceListChanged(id=row.id, changed=sorted(values)))
        read = await _read(uow.session, row)
        await uow.commit()
    return read


@router.delete("/{price_list_id}", status_code=204)
async def delete_price_list(price_list_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        row = await _get(uow.session, price_list_id)
        await uow.session.delete(row)
        uow.record(PriceListChanged(id=row.id, deleted=True))
        await uow.commit()
    return Response(status_code=204)


@router.get("/{price_list_id}/entries", response_model=Page[PriceEntryRead])
async def list_entries(
    price_list_id: str,
    _: AdminPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[PriceEntryRead]:
    async with runtime.db.read() as session:
        row = await _get(session, price_list_id)
        stmt = select(PriceListEntryRecord).where(PriceListEntryRecord.price_list_id == row.id)
        entries, after = await page_by_id(
            session, stmt, PriceListEntryRecord.id, limit=limit, cursor=cursor
        )
    return Page(items=[_entry_read(e, row.currency) for e in entries], next_cursor=after)


@router.post("/{price_list_id}/entries", response_model=Page[PriceEntryRead])
async def post_entries(
    price_list_id: str, body: PriceEntries, _: AdminPrincipal, runtime: RuntimeDep
) -> Page[PriceEntryRead]:
    async with runtime.uow() as uow:
        row = await _get(uow.session, price_list_id)
        saved = await upsert_entries(uow, row, body.entries)
        await uow.commit()
    return Page(items=[_entry_read(e, row.currency) for e in saved])


@router.delete("/{price_list_id}/entries/{entry_id}", status_code=204)
async def delete_entry(
    price_list_id: str, entry_id: str, _: AdminPrincipal, runtime: RuntimeDep
) -> Response:
    async with runtime.uow() as uow:
        row = await _get(uow.session, price_list_id)
        removed = await uow.session.execute(
            delete(PriceListEntryRecord).where(
                PriceListEntryRecord.price_list_id == row.id,
                PriceListEntryRecord.id == parse_id(entry_id),
            )
        )
        if not removed.rowcount:  # type: ignore[attr-defined]
            raise PriceEntryNotFound()
        uow.record(PriceListChanged(id=row.id, changed=["entries"]))
        await uow.commit()
    return Response(status_code=204)

"""Shipping zones: a name and a list of countries. Admin CRUD under /admin/shipping/zones."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.shipping.errors import NameTaken, ZoneInUse, ZoneNotFound
from emporium.contexts.shipping.events import ZoneChanged
from emporium.contexts.shipping.models import ShippingMethod, ShippingZone, ZoneCountry
from emporium.contexts.shipping.rates import Country
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/shipping/zones", tags=["shipping"])


class ZoneCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    countries: list[Country] = Field(min_length=1, max_length=300)


class ZoneUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    countries: list[Country] | None = Field(None, min_length=1, max_length=300)


class ZoneRead(BaseModel):
    id: uuid.UUID
    name: str
    countries: list[str]
    created_at: datetime
    updated_at: datetime


class ZoneList(BaseModel):
    items: list[ZoneRead]


async def _countries(session: AsyncSession, zone_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(ZoneCountry.country).where(ZoneCountry.zone_id == zone_id).order_by("country")
    )
    return list(rows)


async def _read(session: AsyncSession, zone: ShippingZone) -> ZoneRead:
    return ZoneRead(
        id=zone.id,
        name=zone.name,
        countries=await _countries(session, zone.id),
        created_at=zone.created_at,
        updated_at=zone.updated_at,
    )


async def _get(uow: UnitOfWork, zone_id: uuid.UUID | None) -> ShippingZone:
    zone = await uow.session.get(ShippingZone, zone_id, with_for_update=True) if zone_id else None
    if zone is None:
        raise ZoneNotFound()
    return zone


async def _check_name(uow: UnitOfWork, name: str, zone_id: uuid.UUID | None = None) -> None:
    clash = await uow.session.scalar(select(ShippingZone.id).where(ShippingZone.name == name))
    if clash is not None and clash != zone_id:
        raise NameTaken(details={"name": name})


async def _set_countries(uow: UnitOfWork, zone_id: uuid.UUID, countries: list[str]) -> None:
    await uow.session.execute(delete(ZoneCountry).where(ZoneCountry.zone_id == zone_id))
    uow.session.add_all(ZoneCountry(zone_id=zone_id, country=c) for c in sorted(set(countries)))
    await uow.session.flush()


async def create_zone(uow: UnitOfWork, body: ZoneCreate) -> ZoneRead:
    """A new zone with its countries (duplicates folded)."""
    await _check_name(uow, body.name)
    now = uow.clock.now()
    zone = ShippingZone(id=new_id(), name=body.name, created_at=now, updated_at=now)
    uow.session.add(zone)
    await uow.session.flush()
    await _set_countries(uow, zone.id, body.countries)
    read = await _read(uow.session, zone)
    uow.record(ZoneChanged(id=zone.id, name=zone.name, countries=read.countries))
    return read


async def update_zone(uow: UnitOfWork, zone_id: uuid.UUID | None, body: ZoneUpdate) -> ZoneRead:
    """Rename a zone or replace its countries."""
    zone = await _get(uow, zone_id)
    if body.name is not None:
        await _check_name(uow, body.name, zone.id)
        zone.name = body.name
    if body.countries is not None:
        await _set_countries(uow, zone.id, body.countries)
    zone.updated_at = uow.clock.now()
    read = await _read(uow.session, zone)
    uow.record(ZoneChanged(id=zone.id, name=zone.name, countries=read.countries))
    return read


async def delete_zone(uow: UnitOfWork, zone_id: uuid.UUID | None) -> None:
    """Delete a zone that no method uses any more."""
    zone = await _get(uow, zone_id)
    used = await uow.session.scalar(
        select(ShippingMethod.id).where(ShippingMethod.zone_id == zone.id).limit(1)
    )
    if used is not None:
        raise ZoneInUse(details={"zone_id": str(zone.id)})
    await uow.session.delete(zone)
    uow.record(ZoneChanged(id=zone.id, name=zone.name, countries=[], deleted=True))


@router.post("", status_code=201, response_model=ZoneRead)
async def post_zone(body: ZoneCreate, _: AdminPrincipal, runtime: RuntimeDep) -> ZoneRead:
    async with runtime.uow() as uow:
        zone = await create_zone(uow, body)
        await uow.commit()
    return zone


@router.get("", response_model=ZoneList)
async def list_zones(_: AdminPrincipal, runtime: RuntimeDep) -> ZoneList:
    async with runtime.db.read() as session:
        zones = await session.scalars(select(ShippingZone).order_by(ShippingZone.name))
        return ZoneList(items=[await _read(session, zone) for zone in zones.all()])


@router.get("/{zone_id}", response_model=ZoneRead)
async def get_zone(zone_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> ZoneRead:
    key = parse_id(zone_id)
    async with runtime.db.read() as session:
        zone = await session.get(ShippingZone, key) if key else None
        if zone is None:
            raise ZoneNotFound()
        return await _read(session, zone)


@router.patch("/{zone_id}", response_model=ZoneRead)
async def patch_zone(
    zone_id: str, body: ZoneUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> ZoneRead:
    async with runtime.uow() as uow:
        zone = await update_zone(uow, parse_id(zone_id), body)
        await uow.commit()
    return zone


@router.delete("/{zone_id}", status_code=204)
async def remove_zone(zone_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        await delete_zone(uow, parse_id(zone_id))
        await uow.commit()
    return Response(status_code=204)

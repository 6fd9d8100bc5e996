"""Admins read and edit VAT rates by destination country and tax category."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import pycountry
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from emporium.contexts import catalog
from emporium.contexts.pricing.events import VatRateChanged
from emporium.contexts.pricing.models import VatRate
from emporium.contexts.pricing.schemas import DecimalOut
from emporium.contexts.pricing.vat import VAT_CACHE, VatRateCache
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import Strict
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/vat-rates", tags=["admin: pricing"])

CountryParam = Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")]


class VatRateRead(BaseModel):
    country: str
    tax_category: str
    rate: DecimalOut
    updated_at: datetime


class VatRateList(BaseModel):
    items: list[VatRateRead]


class VatRateUpdate(Strict):
    rate: Decimal = Field(ge=0, lt=1, max_digits=6, decimal_places=4, examples=["0.19"])


def _country(code: str) -> str:
    country = code.upper()
    if pycountry.countries.get(alpha_2=country) is None:
        raise ValidationFailed("Not an ISO 3166 country code", details={"country": code})
    return country


def _category(value: str) -> str:
    try:
        return catalog.TaxCategory(value).value
    except ValueError as exc:
        known = [c.value for c in catalog.TaxCategory]
        raise ValidationFailed(
            "Unknown tax category", details={"tax_category": value, "known": known}
        ) from exc


async def set_vat_rate(
    uow: UnitOfWork, *, country: str, tax_category: str, rate: Decimal
) -> VatRate:
    """Set (or add) the rate of a tax category in a destination country."""
    country, tax_category = _country(country), _category(tax_category)
    rate = rate.quantize(Decimal("0.0001"))  # as stored, so replies and events match reads
    if tax_category == catalog.TaxCategory.ZERO and rate != 0:
        raise ValidationFailed("Zero-rated goods carry no VAT", details={"rate": str(rate)})
    row = await uow.session.get(VatRate, (country, tax_category), with_for_update=True)
    old = Decimal(row.rate) if row is not None else None
    if row is None:
        row = VatRate(country=country, tax_category=tax_category)
        uow.session.add(row)
    row.rate = rate
    row.updated_at = uow.clock.now()
    if old != rate:
        uow.record(
            VatRateChanged(country=country, tax_category=tax_category, old_rate=old, new_rate=rate)
        )
    return row


@router.get("", response_model=VatRateList)
async def list_vat_rates(
    _: AdminPrincipal, runtime: RuntimeDep, country: CountryParam | None = None
) -> VatRateList:
    stmt = select(VatRate).order_by(VatRate.country, VatRate.tax_category)
    if country is not None:
        stmt = stmt.where(VatRate.country == _country(country))
    async with runtime.db.read() as session:
        rows = await session.scalars(stmt)
        return VatRateList(
            items=[VatRateRead.model_validate(r, from_attributes=True) for r in rows]
        )


@router.put("/{country}/{tax_category}", response_model=VatRateRead)
async def put_vat_rate(
    country: str, tax_category: str, body: VatRateUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> VatRateRead:
    async with runtime.uow() as uow:
        row = await set_vat_rate(uow, country=country, tax_category=tax_category, rate=body.rate)
        await uow.commit()
    cache = runtime.services.get(VAT_CACHE)
    if isinstance(cache, VatRateCache):
        cache.invalidate()
    return VatRateRead.model_validate(row, from_attributes=True)

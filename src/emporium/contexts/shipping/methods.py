"""Shipping methods: admin CRUD under /admin/shipping/methods, and the store's priced list."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.shipping.carrier import carriers_of
from emporium.contexts.shipping.errors import (
    MethodNotFound,
    NameTaken,
    UnknownCarrier,
    ZoneNotFound,
)
from emporium.contexts.shipping.events import MethodChanged
from emporium.contexts.shipping.models import ShippingMethod, ShippingZone, ZoneCountry
from emporium.contexts.shipping.rates import (
    RateIn,
    RateOut,
    check_threshold,
    country_code,
    price,
)
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["shipping"])
ADMIN = "/admin/shipping/methods"


class MethodCreate(Strict):
    zone_id: uuid.UUID
    name: str = Field(min_length=1, max_length=120)
    carrier: str = Field(min_length=1, max_length=40)
    rate: RateIn
    free_shipping_threshold: MoneyIn | None = None
    active: bool = True


class MethodUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    carrier: str | None = Field(None, min_length=1, max_length=40)
    rate: RateIn | None = None
    free_shipping_threshold: MoneyIn | None = None
    remove_free_shipping_threshold: bool = False
    active: bool | None = None


class MethodRead(BaseModel):
    id: uuid.UUID
    zone_id: uuid.UUID
    name: str
    carrier: str
    rate: RateOut
    free_shipping_threshold: MoneyOut | None
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, method: ShippingMethod) -> MethodRead:
        free_over = method.free_over
        return cls(
            id=method.id,
            zone_id=method.zone_id,
            name=method.name,
            carrier=method.carrier,
            rate=RateOut.of(method),
            free_shipping_threshold=MoneyOut.of(free_over) if free_over else None,
            active=method.active,
            created_at=method.created_at,
            updated_at=method.updated_at,
        )


class MethodList(BaseModel):
    items: list[MethodRead]


def _changed(method: ShippingMethod, *, deleted: bool = False) -> MethodChanged:
    return MethodChanged(
        id=method.id,
        zone_id=method.zone_id,
        name=method.name,
        active=method.active,
        deleted=deleted,
    )


async def _check(
    uow: UnitOfWork, *, zone_id: uuid.UUID, name: str, method_id: uuid.UUID | None = None
) -> None:
    if await uow.session.get(ShippingZone, zone_id) is None:
        raise ZoneNotFound(details={"zone_id": str(zone_id)})
    clash = await uow.session.scalar(
        select(ShippingMethod.id).where(
            ShippingMethod.zone_id == zone_id, ShippingMethod.name == name
        )
    )
    if clash is not None and clash != method_id:
        raise NameTaken(details={"name": name})


def _check_carrier(carrier: str, carriers: Collection[str]) -> None:
    if carrier not in carriers:
        raise UnknownCarrier(details={"carrier": carrier, "known": sorted(carriers)})


async def create_method(
    uow: UnitOfWork, body: MethodCreate, *, carriers: Collection[str]
) -> ShippingMethod:
    """A new method in a zone, on a known carrier, with validated rates."""
    _check_carrier(body.carrier, carriers)
    check_threshold(body.rate.currency, body.free_shipping_threshold)
    await _check(uow, zone_id=body.zone_id, name=body.name)
    now = uow.clock.now()
    method = ShippingMethod(
        id=new_id(),
        zone_id=body.zone_id,
        name=body.name,
        carrier=body.carrier,
        rate_basis=body.rate.basis.value,
        brackets=body.rate.stored(),
        currency=body.rate.currency,
        free_over_amount=body.free_shipping_threshold.amount
        if body.free_shipping_threshold
        else None,
        active=body.active,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(method)
    uow.record(_changed(method))
    return method


async def _get(uow: UnitOfWork, method_id: uuid.UUID | None) -> ShippingMethod:
    method = None
    if method_id is not None:
        method = await uow.session.get(ShippingMethod, method_id, with_for_update=True)
    if method is None:
        raise MethodNotFound()
    return method


async def update_method(
    uow: UnitOfWork, method_id: uuid.UUID | None, body: MethodUpdate, *, carriers: Collection[str]
) -> ShippingMethod:
    """Change a method's name, carrier, rates, threshold or whether it is offered."""
    method = await _get(uow, method_id)
    if body.carrier is not None:
        _check_carrier(body.carrier, carriers)
        method.carrier = body.carrier
    if body.name is not None:
        await _check(uow, zone_id=method.zone_id, name=body.name, method_id=method.id)
        method.name = body.name
    if body.rate is not None:
        keeps_threshold = method.free_over_amount is not None and not (
            body.free_shipping_threshold or body.remove_free_shipping_threshold
        )
        if keeps_threshold and body.rate.currency != method.currency:
            # The stored threshold has no currency of its own: it would change meaning.
            check_threshold(body.rate.currency, MoneyIn(amount=0, currency=method.currency))
        method.rate_basis = body.rate.basis.value
        method.brackets = body.rate.stored()
        method.currency = body.rate.currency
    threshold = body.free_shipping_threshold
    if threshold is not None:
        check_threshold(method.currency, threshold)
        method.free_over_amount = threshold.amount
    elif body.remove_free_shipping_threshold:
        method.free_over_amount = None
    if body.active is not None:
        method.active = body.active
    method.updated_at = uow.clock.now()
    uow.record(_changed(method))
    return method


async def delete_method(uow: UnitOfWork, method_id: uuid.UUID | None) -> None:
    """Delete a method; shipments made with it keep its id as history."""
    method = await _get(uow, method_id)
    await uow.session.delete(method)
    uow.record(_changed(method, deleted=True))


@router.post(ADMIN, status_code=201, response_model=MethodRead)
async def post_method(body: MethodCreate, _: AdminPrincipal, runtime: RuntimeDep) -> MethodRead:
    async with runtime.uow() as uow:
        method = await create_method(uow, body, carriers=carriers_of(runtime))
        await uow.commit()
    return MethodRead.of(method)


@router.get(ADMIN, response_model=MethodList)
async def list_methods(
    _: AdminPrincipal, runtime: RuntimeDep, zone_id: Annotated[uuid.UUID | None, Query()] = None
) -> MethodList:
    stmt = select(ShippingMethod).order_by(ShippingMethod.name, ShippingMethod.id)
    if zone_id is not None:
        stmt = stmt.where(ShippingMethod.zone_id == zone_id)
    async with runtime.db.read() as session:
        return MethodList(items=[MethodRead.of(m) for m in await session.scalars(stmt)])


@router.get(ADMIN + "/{method_id}", response_model=MethodRead)
async def get_method(method_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> MethodRead:
    key = parse_id(method_id)
    async with runtime.db.read() as session:
        method = await session.get(ShippingMethod, key) if key else None
    if method is None:
        raise MethodNotFound()
    return MethodRead.of(method)


@router.patch(ADMIN + "/{method_id}", response_model=MethodRead)
async def patch_method(
    method_id: str, body: MethodUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> MethodRead:
    async with runtime.uow() as uow:
        method = await update_method(uow, parse_id(method_id), body, carriers=carriers_of(runtime))
        await uow.commit()
    return MethodRead.of(method)


@router.delete(ADMIN + "/{method_id}", status_code=204)
async def remove_method(method_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        await delete_method(uow, parse_id(method_id))
        await uow.commit()
    return Response(status_code=204)


# --- the store's view ----------------------------------------------------------------------


class OfferedMethod(BaseModel):
    id: uuid.UUID
    name: str
    carrier: str
    price: MoneyOut
    free_shipping_threshold: MoneyOut | None


class OfferedMethods(BaseModel):
    items: list[OfferedMethod]


async def offered_methods(
    session: AsyncSession, *, country: str, weight_grams: int, subtotal: Money
) -> list[tuple[ShippingMethod, Money]]:
    """Active methods that ship to country, priced for the cart, cheapest first."""
    code = country_code(country)
    zones = select(ZoneCountry.zone_id).where(ZoneCountry.country == code)
    methods = await session.scalars(
        select(ShippingMethod).where(
            ShippingMethod.zone_id.in_(zones),
            ShippingMethod.active.is_(True),
            ShippingMethod.currency == subtotal.currency,
        )
    )
    offers = []
    for method in methods:
        amount = price(method, weight_grams=weight_grams, subtotal=subtotal)
        if amount is not None:
            offers.append((method, amount))
    return sorted(offers, key=lambda offer: (offer[1].amount, offer[0].name))


@router.get("/store/shipping-methods", response_model=OfferedMethods)
async def store_shipping_methods(
    runtime: RuntimeDep,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    weight_grams: Annotated[int, Query(ge=0, le=10**9)] = 0,
    subtotal: Annotated[int, Query(ge=0, le=10**12, description="Minor units")] = 0,
) -> OfferedMethods:
    currency = runtime.settings.default_currency
    async with runtime.db.read() as session:
        offers = await offered_methods(
            session,
            country=country or runtime.settings.default_country,
            weight_grams=weight_grams,
            subtotal=Money(subtotal, currency),
        )
    return OfferedMethods(
        items=[
            OfferedMethod(
                id=method.id,
                name=method.name,
                carrier=method.carrier,
                price=MoneyOut.of(amount),
                free_shipping_threshold=MoneyOut.of(method.free_over) if method.free_over else None,
            )
            for method, amount in offers
        ]
    )

"""Vendor lifecycle: a seller registers one (pending); an admin approves or suspends it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from sqlalchemy import select, update

from emporium.contexts.catalog.errors import VendorNotFound
from emporium.contexts.catalog.events import (
    VendorApproved,
    VendorRegistered,
    VendorSuspended,
    VendorUpdated,
)
from emporium.contexts.catalog.models import Product, Vendor, VendorStatus
from emporium.contexts.catalog.schemas import VendorRead
from emporium.contexts.catalog.slugs import unique_slug
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.http.auth import AdminPrincipal, SellerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import Page
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["vendors"])


async def register_vendor(
    uow: UnitOfWork, *, owner_user_id: uuid.UUID | None, name: str, commission_rate: Decimal
) -> Vendor:
    """Create a vendor in `pending` for a seller (called by identity at registration)."""
    now = uow.clock.now()
    vendor = Vendor(
        name=name.strip(),
        slug=await unique_slug(uow.session, Vendor.slug, name),
        description="",
        status=VendorStatus.PENDING.value,
        commission_rate=commission_rate,
        owner_user_id=owner_user_id,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(vendor)
    await uow.session.flush()
    uow.record(VendorRegistered(id=vendor.id, name=vendor.name, owner_user_id=owner_user_id))
    return vendor


async def _load(uow: UnitOfWork, vendor_id: uuid.UUID | None) -> Vendor:
    vendor = None
    if vendor_id is not None:
        vendor = await uow.session.get(Vendor, vendor_id, with_for_update=True)
    if vendor is None:
        raise VendorNotFound()
    return vendor


async def _touch_products(uow: UnitOfWork, vendor_id: uuid.UUID) -> None:
    """Vendor fields appear in product views: bump their versions so caches miss."""
    await uow.session.execute(
        update(Product)
        .where(Product.vendor_id == vendor_id)
        .values(version=Product.version + 1)
        .execution_options(synchronize_session=False)
    )


async def approve_vendor(uow: UnitOfWork, *, vendor_id: uuid.UUID | None) -> Vendor:
    """Let the vendor publish and be seen in the store."""
    vendor = await _load(uow, vendor_id)
    if vendor.status == VendorStatus.APPROVED:
        return vendor  # approving twice changes nothing
    vendor.status = VendorStatus.APPROVED.value
    vendor.approved_at = vendor.updated_at = uow.clock.now()
    vendor.suspended_at = None
    vendor.suspension_reason = None
    await _touch_products(uow, vendor.id)
    uow.record(VendorApproved(id=vendor.id, name=vendor.name))
    return vendor


async def suspend_vendor(uow: UnitOfWork, *, vendor_id: uuid.UUID | None, reason: str) -> Vendor:
    """Hide the vendor's products from the store and search at once."""
    vendor = await _load(uow, vendor_id)
    if vendor.status == VendorStatus.SUSPENDED:
        return vendor
    if vendor.status == VendorStatus.PENDING:
        raise InvalidStateTransition(
            "A pending vendor cannot be suspended; leave it unapproved",
            details={"status": vendor.status},
        )
    vendor.status = VendorStatus.SUSPENDED.value
    vendor.suspended_at = vendor.updated_at = uow.clock.now()
    vendor.suspension_reason = reason
    await _touch_products(uow, vendor.id)
    uow.record(VendorSuspended(id=vendor.id, reason=reason))
    return vendor


@dataclass(frozen=True)
class UpdateVendor:
    vendor_id: uuid.UUID | None
    name: str | None = None
    description: str | None = None
    commission_rate: Decimal | None = None


async def update_vendor(uow: UnitOfWork, cmd: UpdateVendor) -> Vendor:
    """Change the vendor's name, description or (admin) commission rate."""
    vendor = await _load(uow, cmd.vendor_id)
    changes: dict[str, object] = {}
    for field in ("name", "description", "commission_rate"):
        value = getattr(cmd, field)
        if value is not None and value != getattr(vendor, field):
            setattr(vendor, field, value)
            changes[field] = value
    if changes:
        vendor.updated_at = uow.clock.now()
        await _touch_products(uow, vendor.id)
        uow.record(VendorUpdated(id=vendor.id, changes=changes))
    return vendor


# --- routes -------------------------------------------------------------------------------


class VendorUpdate(Strict):
    name: str | None = Field(None, min_length=2, max_length=120)
    description: str | None = Field(None, max_length=5000)


class AdminVendorUpdate(VendorUpdate):
    commission_rate: Decimal | None = Field(None, ge=0, le=1, max_digits=6, decimal_places=4)


class Suspension(Strict):
    reason: str = Field("", max_length=500)


def _read(vendor: Vendor) -> VendorRead:
    return VendorRead.model_validate(vendor, from_attributes=True)


@router.get("/seller/vendor", response_model=VendorRead)
async def get_own_vendor(principal: SellerPrincipal, runtime: RuntimeDep) -> VendorRead:
    async with runtime.db.read() as session:
        vendor = await session.get(Vendor, principal.vendor_id) if principal.vendor_id else None
    if vendor is None:
        raise VendorNotFound()
    return _read(vendor)


@router.patch("/seller/vendor", response_model=VendorRead)
async def patch_own_vendor(
    body: VendorUpdate, principal: SellerPrincipal, runtime: RuntimeDep
) -> VendorRead:
    async with runtime.uow() as uow:
        vendor = await update_vendor(
            uow,
            UpdateVendor(principal.vendor_id, **body.model_dump()),
        )
        await uow.commit()
    return _read(vendor)


@router.get("/admin/vendors", response_model=Page[VendorRead])
async def list_vendors(
    _: AdminPrincipal,
    runtime: RuntimeDep,
    status: Annotated[VendorStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[VendorRead]:
    stmt = select(Vendor).order_by(Vendor.id).limit(limit + 1)
    if status is not None:
        stmt = stmt.where(Vendor.status == status.value)
    after = parse_id(cursor) if cursor else None
    if after is not None:
        stmt = stmt.where(Vendor.id > after)
    async with runtime.db.read() as session:
        vendors = list(await session.scalars(stmt))
    more = len(vendors) > limit
    items = [_read(v) for v in vendors[:limit]]
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


@router.get("/admin/vendors/{vendor_id}", response_model=VendorRead)
async def get_vendor(vendor_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> VendorRead:
    async with runtime.db.read() as session:
        key = parse_id(vendor_id)
        vendor = await session.get(Vendor, key) if key else None
    if vendor is None:
        raise VendorNotFound()
    return _read(vendor)


@router.post("/admin/vendors/{vendor_id}/approve", response_model=VendorRead)
async def approve(vendor_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> VendorRead:
    async with runtime.uow() as uow:
        vendor = await approve_vendor(uow, vendor_id=parse_id(vendor_id))
        await uow.commit()
    return _read(vendor)


@router.post("/admin/vendors/{vendor_id}/suspend", response_model=VendorRead)
async def suspend(
    vendor_id: str, _: AdminPrincipal, runtime: RuntimeDep, body: Suspension | None = None
) -> VendorRead:
    async with runtime.uow() as uow:
        vendor = await suspend_vendor(
            uow,
            vendor_id=parse_id(vendor_id),
            reason=body.reason if body else "",
        )
        await uow.commit()
    return _read(vendor)


@router.patch("/admin/vendors/{vendor_id}", response_model=VendorRead)
async def patch_vendor(
    vendor_id: str, body: AdminVendorUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> VendorRead:
    async with runtime.uow() as uow:
        vendor = await update_vendor(uow, UpdateVendor(parse_id(vendor_id), **body.model_dump()))
        await uow.commit()
    return _read(vendor)

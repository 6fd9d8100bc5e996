"""Stock changes; each change is an event and a history row (who, why, before, after)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from emporium.contexts.inventory.counter import ItemState, record_availability_change
from emporium.contexts.inventory.errors import (
    InventoryItemNotFound,
    StockBelowReserved,
    UniqueItemOverstocked,
)
from emporium.contexts.inventory.events import StockAdjusted
from emporium.contexts.inventory.models import (
    InventoryItem,
    StockLevel,
    StockLocation,
    StockMovement,
)
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["inventory"])
DEFAULT_LOCATION = "default"


async def default_location(uow: UnitOfWork, vendor_id: uuid.UUID) -> StockLocation:
    """The vendor's default location, created on first use."""
    location = await uow.session.scalar(
        select(StockLocation).where(
            StockLocation.vendor_id == vendor_id, StockLocation.code == DEFAULT_LOCATION
        )
    )
    if location is None:
        location = StockLocation(
            vendor_id=vendor_id, code=DEFAULT_LOCATION, name="Default", created_at=uow.clock.now()
        )
        uow.session.add(location)
        await uow.session.flush()
    return location


async def create_item(
    uow: UnitOfWork,
    *,
    variant_id: uuid.UUID,
    product_id: uuid.UUID,
    vendor_id: uuid.UUID,
    unique: bool,
    on_hand: int = 0,
    actor: str | None = None,
) -> InventoryItem:
    """Start tracking a new variant's stock (called by the catalog when a variant is made)."""
    if unique and on_hand > 1:
        raise UniqueItemOverstocked(details={"variant_id": str(variant_id), "on_hand": on_hand})
    item = InventoryItem(
        variant_id=variant_id,
        product_id=product_id,
        vendor_id=vendor_id,
        is_unique=unique,
        on_hand=0,
        reserved=0,
        low_stock_threshold=0,
        updated_at=uow.clock.now(),
    )
    uow.session.add(item)
    await uow.session.flush()
    if on_hand:
        await adjust_stock(
            uow,
            AdjustStock(variant_id=variant_id, on_hand=on_hand, reason="initial stock"),
            actor=actor,
        )
    return item


@dataclass(frozen=True)
class AdjustStock:
    variant_id: uuid.UUID | None
    reason: str
    on_hand: int | None = None
    delta: int | None = None
    location_id: uuid.UUID | None = None
    low_stock_threshold: int | None = None
    vendor_id: uuid.UUID | None = None  # set for sellers: only their own stock
    kind: str = "adjust"  # the history row's kind: adjust, restock …


async def adjust_stock(uow: UnitOfWork, cmd: AdjustStock, *, actor: str | None) -> InventoryItem:
    """Set (on_hand) or change (delta) a location's stock; never below what is reserved."""
    item = (
        await uow.session.get(
            InventoryItem, cmd.variant_id, with_for_update=True, populate_existing=True
        )
        if cmd.variant_id
        else None
    )
    if item is None or (cmd.vendor_id is not None and item.vendor_id != cmd.vendor_id):
        raise InventoryItemNotFound()
    location = await _location(uow, item, cmd.location_id)
    level = await uow.session.get(
        StockLevel, (item.variant_id, location.id), with_for_update=True, populate_existing=True
    )
    if level is None:
        level = StockLevel(variant_id=item.variant_id, location_id=location.id, on_hand=0)
        uow.session.add(level)
    new_level = cmd.on_hand if cmd.on_hand is not None else level.on_hand + (cmd.delta or 0)
    if new_level < 0:
        raise ValidationFailed(
            "A location cannot hold less than zero", details={"on_hand": new_level}
        )
    before = item.on_hand
    after = before - level.on_hand + new_level
    if item.is_unique and after > 1:
        raise UniqueItemOverstocked(details={"variant_id": str(item.variant_id), "on_hand": after})
    if after < item.reserved:
        raise StockBelowReserved(
            details={
                "variant_id": str(item.variant_id),
                "requested_on_hand": after,
                "reserved": item.reserved,
            }
        )
    available_before = item.available
    level.on_hand = new_level
    item.on_hand = after
    if cmd.low_stock_threshold is not None:
        item.low_stock_threshold = cmd.low_stock_threshold
    item.updated_at = uow.clock.now()
    uow.session.add(_movement(item, location.id, cmd.kind, cmd.reason, actor, before, uow))
    uow.record(
        StockAdjusted(
            variant_id=item.variant_id,
            product_id=item.product_id,
            vendor_id=item.vendor_id,
            on_hand_before=before,
            on_hand_after=after,
            reserved=item.reserved,
            reason=cmd.reason,
            actor=actor,
        )
    )
    record_availability_change(uow, ItemState.of(item), available_before)
    return item


def _movement(
    item: InventoryItem,
    location_id: uuid.UUID | None,
    kind: str,
    reason: str,
    actor: str | None,
    on_hand_before: int,
    uow: UnitOfWork,
    reserved_before: int | None = None,
) -> StockMovement:
    return StockMovement(
        variant_id=item.variant_id,
        location_id=location_id,
        kind=kind,
        reason=reason,
        actor=actor,
        on_hand_before=on_hand_before,
        on_hand_after=item.on_hand,
        reserved_before=item.reserved if reserved_before is None else reserved_before,
        reserved_after=item.reserved,
        created_at=uow.clock.now(),
    )


async def _location(
    uow: UnitOfWork, item: InventoryItem, location_id: uuid.UUID | None
) -> StockLocation:
    if location_id is None:
        return await default_location(uow, item.vendor_id)
    location = await uow.session.get(StockLocation, location_id)
    if location is None or location.vendor_id != item.vendor_id:
        raise InventoryItemNotFound("Location not found")
    return location


class StockChange(Strict):
    on_hand: int | None = Field(None, ge=0, le=10_000_000)
    delta: int | None = Field(None, ge=-10_000_000, le=10_000_000)
    reason: str = Field(min_length=1, max_length=300)
    location_id: uuid.UUID | None = None
    low_stock_threshold: int | None = Field(None, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _one_of(self) -> StockChange:
        if (self.on_hand is None) == (self.delta is None):
            raise ValueError("give exactly one of on_hand and delta")
        return self


class StockLevelRead(BaseModel):
    variant_id: uuid.UUID
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int


def read_level(item: InventoryItem) -> StockLevelRead:
    return StockLevelRead(
        variant_id=item.variant_id,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=item.available,
        low_stock_threshold=item.low_stock_threshold,
    )


@router.post("/seller/variants/{variant_id}/stock", response_model=StockLevelRead)
async def post_stock(
    variant_id: str, body: StockChange, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> StockLevelRead:
    async with runtime.uow() as uow:
        item = await adjust_stock(
            uow,
            AdjustStock(
                variant_id=parse_id(variant_id),
                reason=body.reason,
                on_hand=body.on_hand,
                delta=body.delta,
                location_id=body.location_id,
                low_stock_threshold=body.low_stock_threshold,
                vendor_id=principal.vendor_scope,
            ),
            actor=principal.actor,
        )
        await uow.commit()
    return read_level(item)

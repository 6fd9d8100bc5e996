"""Read side of inventory: availability for the store, history for sellers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.inventory.errors import InventoryItemNotFound
from emporium.contexts.inventory.holds import ReservationView
from emporium.contexts.inventory.models import InventoryItem, Reservation, StockMovement
from emporium.contexts.inventory.stock import StockLevelRead, read_level
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import Page, decode_cursor, encode_cursor
from emporium.kernel.ids import parse_id

router = APIRouter(tags=["inventory"])


@dataclass(frozen=True)
class Availability:
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)


async def availability(
    session: AsyncSession, variant_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Availability]:
    """On hand and reserved per variant (variants without stock are absent)."""
    ids = list(variant_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(InventoryItem.variant_id, InventoryItem.on_hand, InventoryItem.reserved).where(
            InventoryItem.variant_id.in_(ids)
        )
    )
    return {vid: Availability(on_hand, reserved) for vid, on_hand, reserved in rows}


def stock_rows() -> Select[uuid.UUID, uuid.UUID, int, int]:
    """(product_id, variant_id, on_hand, reserved) per variant, to join onto a product read.

    Lets the storefront read a product's version and its stock in one round trip.
    """
    return select(
        InventoryItem.product_id,
        InventoryItem.variant_id,
        InventoryItem.on_hand,
        InventoryItem.reserved,
    )


async def reservations_of(
    session: AsyncSession, owner_type: str, owner_id: uuid.UUID
) -> list[ReservationView]:
    """An owner's reservations, oldest first, whatever their status."""
    rows = await session.execute(
        select(*Reservation.__table__.columns)
        .where(Reservation.owner_type == owner_type, Reservation.owner_id == owner_id)
        .order_by(Reservation.id)
    )
    return [ReservationView.of(row) for row in rows.mappings()]


async def reservations(
    session: AsyncSession, reservation_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, ReservationView]:
    """Reservations by id (unknown ids are absent)."""
    ids = list(reservation_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(*Reservation.__table__.columns).where(Reservation.id.in_(ids))
    )
    return {row["id"]: ReservationView.of(row) for row in rows.mappings()}


def in_stock_variant_ids() -> Select[Any]:
    """A subquery of the variants with something available, for catalog filters."""
    return select(InventoryItem.variant_id).where(InventoryItem.on_hand > InventoryItem.reserved)


def has_stock(variant_id: Any) -> ColumnElement[bool]:
    """A correlated condition: the variant in `variant_id` has something available.

    Catalog filters use it per candidate row, so a listing never materialises the list of
    every in-stock variant.
    """
    return exists(
        select(InventoryItem.variant_id).where(
            InventoryItem.variant_id == variant_id,
            InventoryItem.on_hand > InventoryItem.reserved,
        )
    )


class MovementRead(BaseModel):
    id: uuid.UUID
    kind: str
    reason: str
    actor: str | None
    location_id: uuid.UUID | None
    on_hand_before: int
    on_hand_after: int
    reserved_before: int
    reserved_after: int
    created_at: datetime


async def _owned_item(
    session: AsyncSession, variant_id: str, vendor_scope: uuid.UUID | None
) -> InventoryItem:
    key = parse_id(variant_id)
    item = await session.get(InventoryItem, key) if key else None
    if item is None or (vendor_scope is not None and item.vendor_id != vendor_scope):
        raise InventoryItemNotFound()
    return item


@router.get("/seller/variants/{variant_id}/stock", response_model=StockLevelRead)
async def get_stock(
    variant_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> StockLevelRead:
    async with runtime.db.read() as session:
        item = await _owned_item(session, variant_id, principal.vendor_scope)
        return read_level(item)


@router.get("/seller/variants/{variant_id}/stock/history", response_model=Page[MovementRead])
async def stock_history(
    variant_id: str,
    principal: SellerOrAdminPrincipal,
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Page[MovementRead]:
    async with runtime.db.read() as session:
        item = await _owned_item(session, variant_id, principal.vendor_scope)
        stmt = (
            select(StockMovement)
            .where(StockMovement.variant_id == item.variant_id)
            .order_by(StockMovement.id.desc())
            .limit(limit + 1)
        )
        after = decode_cursor(cursor, size=1)
        if after is not None:
            stmt = stmt.where(StockMovement.id < uuid.UUID(str(after[0])))
        rows = list(await session.scalars(stmt))
    items = [MovementRead.model_validate(r, from_attributes=True) for r in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor([str(items[-1].id)]) if more else None)

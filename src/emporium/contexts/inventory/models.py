"""Inventory tables: one stock item per variant, its levels per location, its history and holds."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, UTCDateTime, UUIDType
from emporium.kernel.ids import new_id


class InventoryItem(Base):
    """Stock of one variant, summed over locations. The database enforces the invariants too."""

    __tablename__ = "inventory_item"

    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    is_unique: Mapped[bool] = mapped_column(Boolean, default=False)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("on_hand >= reserved", name="on_hand_covers_reserved"),
        CheckConstraint("NOT is_unique OR on_hand <= 1", name="unique_item_at_most_one"),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockLocation(Base):
    __tablename__ = "inventory_location"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("vendor_id", "code"),)


class StockLevel(Base):
    """What one location holds of one variant; the item's on_hand is the sum of these."""

    __tablename__ = "inventory_level"

    variant_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("inventory_item.variant_id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("inventory_location.id", ondelete="RESTRICT"), primary_key=True
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("on_hand >= 0", name="level_not_negative"),)


class StockMovement(Base):
    """One change of a variant's stock: who, why, before and after."""

    __tablename__ = "inventory_movement"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str | None] = mapped_column(String(80))
    on_hand_before: Mapped[int] = mapped_column(Integer)
    on_hand_after: Mapped[int] = mapped_column(Integer)
    reserved_before: Mapped[int] = mapped_column(Integer)
    reserved_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    CONSUMED = "consumed"  # became an order allocation: the stock is sold
    RELEASED = "released"
    EXPIRED = "expired"


class Reservation(Base):
    """A hold of some units of a variant for an owner (a cart line, a checkout, an order).

    While active its quantity is counted in the item's `reserved`; every status change away
    from active is one guarded UPDATE, so the quantity comes back exactly once.
    """

    __tablename__ = "inventory_reservation"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    variant_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("inventory_item.variant_id", ondelete="RESTRICT")
    )
    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # The reserve path's reclaim and the reconciliation read a variant's active holds.
        Index(
            "ix_inventory_reservation_variant_status_expires", "variant_id", "status", "expires_at"
        ),
        Index("ix_inventory_reservation_owner", "owner_type", "owner_id"),
    )

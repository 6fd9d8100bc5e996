"""Shipping tables: zones and their countries, methods with their rates, shipments and tracking."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money


class RateBasis(StrEnum):
    WEIGHT = "weight"  # brackets in grams of the parcel
    VALUE = "value"  # brackets in minor units of the order's subtotal


class ShipmentStatus(StrEnum):
    PENDING = "pending"  # label requested or created, not handed over yet
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"  # the carrier refused to create it


# Tracking only ever moves forward along this line; the other statuses are terminal.
PROGRESSION = (
    ShipmentStatus.PENDING,
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.DELIVERED,
)


class ShippingZone(Base):
    __tablename__ = "shipping_zone"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ZoneCountry(Base):
    """One ISO 3166-1 alpha-2 country of a zone (a country may be in several zones)."""

    __tablename__ = "shipping_zone_country"

    zone_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("shipping_zone.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class ShippingMethod(Base):
    """A way to ship to a zone, priced by brackets of weight or of order value."""

    __tablename__ = "shipping_method"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    zone_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("shipping_zone.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    carrier: Mapped[str] = mapped_column(String(40))
    rate_basis: Mapped[str] = mapped_column(String(10))
    # [{"up_to": int | None, "amount": int}], ascending; None: no upper bound.
    brackets: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    currency: Mapped[str] = mapped_column(String(3))
    free_over_amount: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("zone_id", "name"),)

    @property
    def free_over(self) -> Money | None:
        return (
            None if self.free_over_amount is None else Money(self.free_over_amount, self.currency)
        )


class Shipment(Base):
    """A parcel of one fulfillment with a carrier, and where it is now."""

    __tablename__ = "shipping_shipment"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    fulfillment_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    # Our idempotency key for the carrier call: one key, one label.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    carrier: Mapped[str] = mapped_column(String(40))
    method_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    tracking_number: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))
    address: Mapped[dict[str, Any]] = mapped_column(JSONType)
    weight_grams: Mapped[int] = mapped_column(Integer)
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("carrier", "tracking_number"),)


class TrackingEvent(Base):
    """One step of a shipment's history; a carrier event id is recorded once only."""

    __tablename__ = "shipping_tracking_event"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    shipment_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("shipping_shipment.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    carrier_event_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)

"""The read side of shipping: shipments as orders and the saga see them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.shipping.models import (
    Shipment,
    ShipmentStatus,
    ShippingMethod,
    TrackingEvent,
)


@dataclass(frozen=True)
class TrackingStep:
    status: ShipmentStatus
    at: datetime


@dataclass(frozen=True)
class ShipmentInfo:
    id: uuid.UUID
    fulfillment_id: uuid.UUID
    order_id: uuid.UUID | None
    carrier: str
    tracking_number: str | None
    status: ShipmentStatus
    failure_reason: str | None
    created_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentInfo:
        return cls(
            id=shipment.id,
            fulfillment_id=shipment.fulfillment_id,
            order_id=shipment.order_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            status=ShipmentStatus(shipment.status),
            failure_reason=shipment.failure_reason,
            created_at=shipment.created_at,
            shipped_at=shipment.shipped_at,
            delivered_at=shipment.delivered_at,
        )


async def shipment_of(session: AsyncSession, fulfillment_id: uuid.UUID) -> ShipmentInfo | None:
    """The fulfillment's shipment (the latest that the carrier did not refuse), or None."""
    shipment = await session.scalar(
        select(Shipment)
        .where(
            Shipment.fulfillment_id == fulfillment_id,
            Shipment.status != ShipmentStatus.FAILED.value,
        )
        .order_by(Shipment.created_at.desc(), Shipment.id.desc())
        .limit(1)
    )
    return ShipmentInfo.of(shipment) if shipment else None


async def get_shipment(session: AsyncSession, shipment_id: uuid.UUID) -> ShipmentInfo | None:
    shipment = await session.get(Shipment, shipment_id)
    return ShipmentInfo.of(shipment) if shipment else None


async def tracking_history(session: AsyncSession, shipment_id: uuid.UUID) -> list[TrackingStep]:
    """Every status the shipment went through, oldest first."""
    rows = await session.execute(
        select(TrackingEvent.status, TrackingEvent.occurred_at)
        .where(TrackingEvent.shipment_id == shipment_id)
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    )
    return [TrackingStep(ShipmentStatus(status), at) for status, at in rows]


async def shipments_of(
    session: AsyncSession, fulfillment_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, ShipmentInfo]:
    """shipment_of for many fulfillments at once (those without a shipment are absent)."""
    if not fulfillment_ids:
        return {}
    rows = await session.scalars(
        select(Shipment)
        .where(
            Shipment.fulfillment_id.in_(list(fulfillment_ids)),
            Shipment.status != ShipmentStatus.FAILED.value,
        )
        .order_by(Shipment.created_at, Shipment.id)
    )
    # Later rows win: the latest shipment of each fulfillment, as shipment_of picks it.
    return {row.fulfillment_id: ShipmentInfo.of(row) for row in rows}


async def method_carrier(session: AsyncSession, method_id: uuid.UUID) -> str | None:
    """The carrier a shipping method books its parcels with (None for an unknown method)."""
    carrier: str | None = await session.scalar(
        select(ShippingMethod.carrier).where(ShippingMethod.id == method_id)
    )
    return carrier

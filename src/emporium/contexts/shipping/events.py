"""Events the shipping context publishes; orders moves fulfillments on the shipment events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ShipmentEvent(DomainEvent):
    aggregate_type = "shipment"
    id: uuid.UUID
    fulfillment_id: uuid.UUID
    order_id: uuid.UUID | None
    carrier: str
    tracking_number: str | None


@dataclass(frozen=True, kw_only=True)
class ShipmentCreated(ShipmentEvent):
    type = "shipping.shipment_created"


@dataclass(frozen=True, kw_only=True)
class ShipmentRefused(ShipmentEvent):
    """The carrier would not take the parcel (e.g. an address it does not serve)."""

    type = "shipping.shipment_refused"
    reason: str


@dataclass(frozen=True, kw_only=True)
class ShipmentShipped(ShipmentEvent):
    type = "shipping.shipment_shipped"


@dataclass(frozen=True, kw_only=True)
class ShipmentInTransit(ShipmentEvent):
    type = "shipping.shipment_in_transit"


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(ShipmentEvent):
    type = "shipping.shipment_delivered"


@dataclass(frozen=True, kw_only=True)
class ShipmentCancelled(ShipmentEvent):
    type = "shipping.shipment_cancelled"


@dataclass(frozen=True, kw_only=True)
class ZoneChanged(DomainEvent):
    type = "shipping.zone_changed"
    aggregate_type = "shipping_zone"
    id: uuid.UUID
    name: str
    countries: list[str]
    deleted: bool = False


@dataclass(frozen=True, kw_only=True)
class MethodChanged(DomainEvent):
    type = "shipping.method_changed"
    aggregate_type = "shipping_method"
    id: uuid.UUID
    zone_id: uuid.UUID
    name: str
    active: bool
    deleted: bool = False

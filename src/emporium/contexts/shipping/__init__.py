"""Shipping: zones, methods and rates, the carrier port with its sandbox carrier, tracking.

The public facade other contexts (the checkout saga, orders) may use. `create_shipment` and
`cancel_shipment` talk to the carrier with no transaction open, so they take the runtime and
must be called with no unit of work open; `mark_shipped` works inside the caller's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from emporium.contexts.shipping import shipments
from emporium.contexts.shipping.api import SANDBOX_CARRIER, router
from emporium.contexts.shipping.carrier import (
    CARRIERS,
    Address,
    Carrier,
    GuardedCarrier,
    Parcel,
    carriers_of,
)
from emporium.contexts.shipping.errors import (
    MethodDoesNotServe,
    MethodNotFound,
    NoRateForCart,
    ShipmentNotFound,
    ShippingUnavailable,
    UnknownCarrier,
    UnknownCountry,
)
from emporium.contexts.shipping.events import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentInTransit,
    ShipmentRefused,
    ShipmentShipped,
)
from emporium.contexts.shipping.methods import offered_methods
from emporium.contexts.shipping.models import ShipmentStatus
from emporium.contexts.shipping.queries import (
    ShipmentInfo,
    TrackingStep,
    get_shipment,
    method_carrier,
    shipment_of,
    shipments_of,
    tracking_history,
)
from emporium.contexts.shipping.rates import country_code, quote
from emporium.contexts.shipping.sandbox import SandboxCarrier
from emporium.contexts.shipping.shipments import mark_shipped
from emporium.kernel.resilience import guard_for
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import OUTBOUND_TRANSPORT

__all__ = [
    "Address",
    "MethodDoesNotServe",
    "MethodNotFound",
    "NoRateForCart",
    "Parcel",
    "ShipmentCancelled",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentInTransit",
    "ShipmentInfo",
    "ShipmentNotFound",
    "ShipmentRefused",
    "ShipmentShipped",
    "ShipmentStatus",
    "ShippingUnavailable",
    "TrackingStep",
    "UnknownCarrier",
    "UnknownCountry",
    "cancel_shipment",
    "country_code",
    "create_shipment",
    "get_shipment",
    "mark_shipped",
    "method_carrier",
    "offered_methods",
    "quote",
    "router",
    "shipment_of",
    "shipments_of",
    "tracking_history",
    "wire",
]

WEBHOOK_PATH = "/api/v1/shipping/webhooks/"


def _carrier(runtime: Runtime, name: str) -> Carrier:
    carrier = carriers_of(runtime).get(name)
    if carrier is None:
        raise UnknownCarrier(details={"carrier": name})
    return carrier


async def create_shipment(
    runtime: Runtime,
    *,
    fulfillment_id: uuid.UUID,
    address: Address,
    parcels: Sequence[Parcel],
    key: str,
    carrier: str = "sandbox",
    order_id: uuid.UUID | None = None,
    method_id: uuid.UUID | None = None,
) -> ShipmentInfo:
    """Book a fulfillment's parcel once per key; ShippingUnavailable when the carrier refuses."""
    cmd = shipments.CreateShipment(
        fulfillment_id=fulfillment_id,
        address=address,
        parcels=parcels,
        key=key,
        order_id=order_id,
        method_id=method_id,
    )
    return await shipments.create_shipment(cmd, uow=runtime.uow, carrier=_carrier(runtime, carrier))


async def cancel_shipment(runtime: Runtime, *, shipment_id: uuid.UUID, key: str) -> ShipmentInfo:
    """Cancel a shipment not handed over yet (a compensation); twice is harmless."""
    async with runtime.db.read() as session:
        info = await get_shipment(session, shipment_id)
    if info is None:
        raise ShipmentNotFound(details={"shipment_id": str(shipment_id)})
    return await shipments.cancel_shipment(
        shipment_id, key=key, uow=runtime.uow, carrier=_carrier(runtime, info.carrier)
    )


def wire(runtime: Runtime) -> None:
    """Register the carriers (the sandbox one, behind its guard)."""
    settings = runtime.settings
    sandbox = SandboxCarrier(
        runtime.uow,
        clock=runtime.clock,
        secret=settings.resolved_carrier_webhook_secret,
        url=settings.public_url.rstrip("/") + WEBHOOK_PATH + SandboxCarrier.name,
        transport=lambda: runtime.services.get(OUTBOUND_TRANSPORT),
    )
    guard = guard_for(
        "shipping.sandbox", settings=settings, clock=runtime.clock, metrics=runtime.metrics
    )
    runtime.provide(CARRIERS, {sandbox.name: GuardedCarrier(sandbox, guard)})
    runtime.provide(SANDBOX_CARRIER, sandbox)

"""Orders' reactions to other contexts' events: the carrier's scans move fulfillments on."""

from __future__ import annotations

import uuid

from emporium.contexts.orders.models import FulfillmentStatus
from emporium.contexts.orders.ship import track
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.uow import UnitOfWork

TRACKING = "orders.tracking"

# Shipped is here too: a parcel the carrier scanned before the seller clicked "shipped".
_STATUS_OF = {
    "shipping.shipment_shipped": FulfillmentStatus.SHIPPED,
    "shipping.shipment_in_transit": FulfillmentStatus.IN_TRANSIT,
    "shipping.shipment_delivered": FulfillmentStatus.DELIVERED,
}


async def _follow_scan(event: StoredEvent, uow: UnitOfWork) -> None:
    fulfillment_id = uuid.UUID(str(event.payload["fulfillment_id"]))
    await track(uow, fulfillment_id, _STATUS_OF[event.type])


def tracking() -> Subscriber:
    """Moves a fulfillment (and its order) along the carrier's scans; repeatable."""
    return Subscriber(name=TRACKING, handle=_follow_scan, types=list(_STATUS_OF))
